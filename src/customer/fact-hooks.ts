import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { notFound } from '../shared/user-error.js';
import type { FactHooks, Refusal } from '../store/fact-hooks.js';
import type { Store } from '../store/store.js';
import type { TransactItem } from '../store/transactions.js';
import { limitMessage, MAX_OWNED_VEHICLES } from './profile-aggregates.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import { customerKeys, dealerLinkItem } from './customer.js';
import { linkUpsert } from './customer-repository.js';

/**
 * Adds (+1) or removes (-1) a car on its owner's profile: the model-line count and the
 * VIN set, and optionally the selling dealer in the dealer set. The owner must exist; a
 * car comes in only while the VIN set has room (`MAX_OWNED_VEHICLES`). Other domains may
 * change the same profile for the same fact: the registry merges the updates into one.
 */
export function ownerCarChange(tableName: string, customerId: string, vehicle: Pick<VehicleRecord, 'vin' | 'modelLine'>, delta: 1 | -1, linkDealerId?: string): TransactItem {
  const names: Record<string, string> = { '#vc': 'vehicleCounts', '#ml': vehicle.modelLine, '#vins': 'vehicleVins' };
  const values: Record<string, unknown> = { ':delta': delta, ':vin': new Set([vehicle.vin]) };
  let condition = 'attribute_exists(PK)';
  if (delta > 0) {
    values[':maxVins'] = MAX_OWNED_VEHICLES;
    condition += ' AND (attribute_not_exists(#vins) OR size(#vins) < :maxVins)';
  }
  let expression = `SET #vc.#ml = #vc.#ml + :delta ${delta > 0 ? 'ADD' : 'DELETE'} #vins :vin`;
  if (linkDealerId) {
    names['#dealerIds'] = 'dealerIds';
    values[':dealer'] = new Set([linkDealerId]);
    expression += ', #dealerIds :dealer';
  }
  return { Update: { TableName: tableName, Key: customerKeys.profile(customerId), UpdateExpression: expression, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

/** Why a car could not come onto a profile: the customer is gone, or owns as many cars as a profile holds; null when neither (it changed meanwhile). */
export async function incomingCarRefusal(store: Store, customerId: string): Promise<Refusal | null> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: customerKeys.profile(customerId), ConsistentRead: true, ProjectionExpression: 'PK, #vins', ExpressionAttributeNames: { '#vins': 'vehicleVins' } }),
  );
  if (!Item) {
    const { code, message } = notFound('', 'customer');
    return { code, message };
  }
  if (((Item.vehicleVins as Set<string> | undefined)?.size ?? 0) >= MAX_OWNED_VEHICLES) return { code: 'LIMIT_REACHED', message: limitMessage('vehicles') };
  return null;
}

/**
 * The customer domain's reactions to the vehicle facts: the owner's profile counts the
 * cars they own, and a purchase links the owner to the selling dealer — in the fact's own
 * transaction, so a car is never registered or transferred without its owners knowing.
 */
const customerFactHooks: FactHooks = {
  VehicleRegistered: ({ vehicle }, store) => [
    { item: ownerCarChange(store.tableName, vehicle.ownerId, vehicle, +1, vehicle.sellingDealerId), explainFailure: () => incomingCarRefusal(store, vehicle.ownerId) },
    { item: linkUpsert(store.tableName, dealerLinkItem(vehicle.ownerId, vehicle.sellingDealerId, vehicle.registeredAt)) },
  ],
  VehicleTransferred: ({ before, after }, store) => [
    { item: ownerCarChange(store.tableName, after.ownerId, after, +1), explainFailure: () => incomingCarRefusal(store, after.ownerId) },
    // The seller gone or changed is the transfer's own answer (the car changed under it).
    { item: ownerCarChange(store.tableName, before.ownerId, before, -1) },
  ],
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default customerFactHooks;
