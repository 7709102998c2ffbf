import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import type { TransactItem } from '../store/transactions.js';
import { vehicleKeys } from '../vehicle/vehicle.js';
import { serviceVisitEntity, serviceVisitKeys, type ServiceVisitRecord } from './service-visit.js';

/**
 * Service visits, stored in their vehicle's partition and indexed under the customer who
 * owned the car at the time. A visit is written only as part of the transaction that
 * records it (`recordServiceVisit`), so this repository gives its item, not a write.
 */
export class ServiceVisitRepository {
  constructor(private readonly store: Store) {}

  /** The visit's item, written once: the same visit recorded twice is a fault, not an overwrite. */
  put(visit: ServiceVisitRecord): TransactItem {
    return { Put: { TableName: this.store.tableName, Item: serviceVisitEntity.toItem(visit), ConditionExpression: 'attribute_not_exists(PK)' } };
  }

  async get(vin: string, performedAt: string, id: string): Promise<ServiceVisitRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: serviceVisitKeys.visit(vin, performedAt, id) }));
    return Item ? serviceVisitEntity.fromItem(Item) : null;
  }

  async ofVehicle(vin: string, first: number, after?: string | null): Promise<Page<ServiceVisitRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, { partition: vehicleKeys.partition(vin), sortKeyPrefix: serviceVisitKeys.prefix, first, after, newestFirst: true });
    return { ...page, items: page.items.map(serviceVisitEntity.fromItem) };
  }

  /** A customer's visits over all the cars they owned at the time, newest first. */
  async ofCustomer(customerId: string, first: number, after?: string | null): Promise<Page<ServiceVisitRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byParent',
      partition: serviceVisitKeys.customerParent(customerId),
      sortKeyPrefix: serviceVisitKeys.prefix,
      first,
      after,
      newestFirst: true,
    });
    return { ...page, items: page.items.map(serviceVisitEntity.fromItem) };
  }
}
