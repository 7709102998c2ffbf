import { callerDealerId, canLearnExistence, vehiclePolicy } from '../auth/policies.js';
import { ForbiddenError, InvariantError } from '../shared/errors.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { explainFailures, type Contribution, type Refusal } from '../store/fact-hooks.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkDateNotInFuture, checkInstantNotInFuture, checkIntRange, checkMoney, checkText } from '../shared/validation.js';
import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';
import { MAX_OWNERSHIPS, type OdometerReading, type VehicleRecord } from './vehicle.js';
import type { ReadingOutcome } from './vehicle-repository.js';
import { normaliseVin, validateVin } from './vin.js';
import { CUSTOMER_NODE } from '../customer/customer.js';
import { DEALER_NODE } from '../dealer/dealer.js';

export interface VehicleResult {
  vehicle: VehicleRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): VehicleResult => ({ vehicle: null, userErrors });
export const MAX_ODOMETER_KM = 2_000_000;
const FIRST_MODEL_YEAR = 1948; // the brand's first car
/** Writes of a registration that lost only to concurrent writes on the owner's profile before it gives up. */
const MAX_REGISTRATION_ATTEMPTS = 4;

export function checkVin(field: string, raw: string): { vin: string; errors: UserError[] } {
  const vin = normaliseVin(raw);
  const problem = validateVin(vin);
  if (problem === 'INVALID_VIN') return { vin, errors: [userError(field, 'INVALID_VIN', 'A VIN has 17 letters and digits, without I, O or Q.')] };
  if (problem) return { vin, errors: [userError(field, 'VIN_CHECK_DIGIT_MISMATCH', 'The check digit (9th character) does not match this VIN; check for a typo.')] };
  return { vin, errors: [] };
}

function assertMayWriteVehicles(ctx: ServiceContext) {
  if (!vehiclePolicy.canWriteAny(ctx.principal)) throw new ForbiddenError();
}

/** A vehicle the caller may change, read strongly consistent, or null (answered as NOT_FOUND). */
export async function writableVehicle(ctx: ServiceContext, vin: string): Promise<VehicleRecord | null> {
  const vehicle = await ctx.repos.vehicles.get(vin);
  return vehicle && (await ctx.access.canSeeVehicle(vehicle)) && (await ctx.access.canWriteVehicle(vehicle)) ? vehicle : null;
}

export function refresh(ctx: ServiceContext, vehicle: VehicleRecord): VehicleRecord {
  ctx.loaders.vehicle.clear(vehicle.vin).prime(vehicle.vin, vehicle);
  return vehicle;
}

/** The user error for a reading the repository refused (shared by readings and service visits). */
export function readingProblem(outcome: Exclude<ReadingOutcome, { kind: 'RECORDED' }>, vinField: string, kmField: string): UserError {
  switch (outcome.kind) {
    case 'NOT_FOUND':
      return notFound(vinField, 'vehicle');
    case 'DECREASE':
      return userError(kmField, 'ODOMETER_DECREASE', `An earlier reading (${outcome.earlierReadAt}) shows ${outcome.earlierKm} km; a later reading cannot be lower.`);
    case 'EXCEEDS_LATER':
      return userError(kmField, 'ODOMETER_DECREASE', `A later reading (${outcome.laterReadAt}) shows ${outcome.laterKm} km; an earlier reading cannot be higher.`);
    case 'REFUSED':
      return userError(outcome.refusal.field ?? vinField, outcome.refusal.code, outcome.refusal.message);
  }
}

export interface RegisterVehicleInput {
  vin: string;
  ownerId: string;
  modelLine: ModelLine;
  variant: string;
  powertrain: Powertrain;
  modelYear: number;
  purchaseDate: string;
  purchasePrice: { amount: string; currency: string };
  sellingDealerId?: string | null;
  servicingDealerId?: string | null;
  odometerKm: number;
  odometerReadAt?: string | null;
}

export type RegistrationOutcome = { kind: 'REGISTERED' } | { kind: 'VIN_TAKEN' } | { kind: 'DEALER_NOT_FOUND' } | { kind: 'REFUSED'; refusal: Refusal };

/**
 * Writes a registration in one transaction, composed here: the car (with its first plan),
 * checks that its dealers exist, its first reading, and every other domain's contribution
 * to `VehicleRegistered` (the owner's profile and dealer link, the purchase, …). A VIN is
 * registered exactly once and nothing is half-written.
 */
export async function writeRegistration(ctx: Pick<ServiceContext, 'repos' | 'facts'>, vehicle: VehicleRecord, firstReading: OdometerReading): Promise<RegistrationOutcome> {
  const added: Contribution = { item: ctx.repos.vehicles.added(vehicle) };
  const dealerChecks: Contribution[] = [...new Set([vehicle.sellingDealerId, vehicle.servicingDealerId])].map((id) => ({ item: ctx.repos.vehicles.dealerExists(id) }));
  const own = [added, ...dealerChecks, { item: ctx.repos.odometer.put(firstReading) }];
  for (let attempt = 1; ; attempt++) {
    const result = await ctx.facts.write([...own, ...(await ctx.facts.contributions('VehicleRegistered', { vehicle }))]);
    if (result.ok) return { kind: 'REGISTERED' };
    if (result.failed.includes(added)) return { kind: 'VIN_TAKEN' };
    if (dealerChecks.some((c) => result.failed.includes(c))) return { kind: 'DEALER_NOT_FOUND' };
    const refusal = await explainFailures(result.failed.filter((c) => !own.includes(c)));
    if (refusal) return { kind: 'REFUSED', refusal };
    // Nothing refused for good: a concurrent write on the owner's profile. Nothing was written; write again.
    if (attempt >= MAX_REGISTRATION_ATTEMPTS) throw new InvariantError(`Registering ${vehicle.vin} kept conflicting after ${MAX_REGISTRATION_ATTEMPTS} attempts`);
  }
}

/** The car after a change of owner: the current ownership closes on the day, the new one opens, and the version moves on. Pure. */
export function transferred(vehicle: VehicleRecord, newOwnerId: string, transferDate: string): VehicleRecord {
  const ownerHistory = [...vehicle.ownerHistory.map((o) => (o.to === undefined ? { ...o, to: transferDate } : o)), { customerId: newOwnerId, from: transferDate }];
  return { ...vehicle, ownerId: newOwnerId, ownerSince: transferDate, ownerHistory, version: vehicle.version + 1 };
}

export type TransferOutcome = { kind: 'TRANSFERRED'; vehicle: VehicleRecord } | { kind: 'CONFLICT' } | { kind: 'REFUSED'; refusal: Refusal };

/**
 * Writes a transfer in one transaction, under the car's version as read: the car with
 * its new ownership, and every other domain's contribution to `VehicleTransferred` (the
 * car leaves the seller's profile and joins the buyer's, …). A stale copy loses (`CONFLICT`).
 */
export async function writeTransfer(ctx: Pick<ServiceContext, 'repos' | 'facts'>, vehicle: VehicleRecord, newOwnerId: string, transferDate: string): Promise<TransferOutcome> {
  const after = transferred(vehicle, newOwnerId, transferDate);
  const moved: Contribution = { item: ctx.repos.vehicles.versioned(after, vehicle.version) };
  const result = await ctx.facts.write([moved, ...(await ctx.facts.contributions('VehicleTransferred', { before: vehicle, after }))]);
  if (result.ok) return { kind: 'TRANSFERRED', vehicle: after };
  // The car changed, or a profile did (the seller's, or the buyer's without a reason to refuse): reload and retry.
  const refusal = result.failed.includes(moved) ? null : await explainFailures(result.failed);
  return refusal ? { kind: 'REFUSED', refusal } : { kind: 'CONFLICT' };
}

export async function registerVehicle(ctx: ServiceContext, input: RegisterVehicleInput): Promise<VehicleResult> {
  assertMayWriteVehicles(ctx);
  const now = ctx.clock();
  const { vin, errors } = checkVin('vin', input.vin);
  errors.push(...checkText('variant', input.variant, { max: 60 }));
  errors.push(...checkIntRange('modelYear', input.modelYear, FIRST_MODEL_YEAR, now.getUTCFullYear() + 1));
  errors.push(...checkDateNotInFuture('purchaseDate', input.purchaseDate, now));
  const price = checkMoney('purchasePrice', input.purchasePrice);
  errors.push(...price.errors);
  errors.push(...checkIntRange('odometerKm', input.odometerKm, 0, MAX_ODOMETER_KM));
  const readAt = input.odometerReadAt ? checkInstantNotInFuture('odometerReadAt', input.odometerReadAt, now) : { errors: [], date: now };
  errors.push(...readAt.errors);

  const p = ctx.principal;
  // A dealer registers a car it sold; the brand names the selling dealer.
  const ownDealerId = callerDealerId(p);
  const sellingDealerId = input.sellingDealerId ? keyOfGlobalId(input.sellingDealerId, DEALER_NODE) : (ownDealerId ?? null);
  if (!input.sellingDealerId && ownDealerId === undefined) errors.push(userError('sellingDealerId', 'REQUIRED', 'Name the selling dealer.'));
  else if (!sellingDealerId || !vehiclePolicy.canRegister(p, sellingDealerId)) errors.push(notFound('sellingDealerId', 'dealer'));
  const servicingDealerId = input.servicingDealerId ? keyOfGlobalId(input.servicingDealerId, DEALER_NODE) : sellingDealerId;
  // A dealer names only itself: another dealer's forecast and reminders are not its to fill.
  if (input.servicingDealerId && (!servicingDealerId || !vehiclePolicy.canRegister(p, servicingDealerId))) errors.push(notFound('servicingDealerId', 'dealer'));
  const ownerKey = keyOfGlobalId(input.ownerId, CUSTOMER_NODE);
  const owner = ownerKey ? await ctx.access.customer(ownerKey) : null;
  if (!owner) errors.push(notFound('ownerId', 'customer'));
  if (errors.length || !owner || !sellingDealerId || !servicingDealerId || !price.money || !readAt.date) return failed(...errors);

  const at = now.toISOString();
  const vehicle: VehicleRecord = {
    vin,
    modelLine: input.modelLine,
    variant: input.variant.trim(),
    powertrain: input.powertrain,
    modelYear: input.modelYear,
    purchaseDate: input.purchaseDate,
    purchasePrice: price.money,
    sellingDealerId,
    servicingDealerId,
    ownerId: owner.id,
    ownerSince: input.purchaseDate,
    ownerHistory: [{ customerId: owner.id, from: input.purchaseDate }],
    registrationOdometerKm: input.odometerKm,
    odometerKm: input.odometerKm,
    odometerReadAt: readAt.date.toISOString(),
    lastServiced: {},
    reminderCycle: 1,
    remindedCycle: 0,
    version: 1,
    registeredAt: at,
  };
  const firstReading = { vin, km: input.odometerKm, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: at };
  const planned = await ctx.repos.vehicles.planned(vehicle, [firstReading]);
  const outcome = await writeRegistration(ctx, planned, firstReading);
  // A dealer gets one answer whether or not it may see the registered car (see canLearnExistence).
  if (outcome.kind === 'VIN_TAKEN' && canLearnExistence(p)) return failed(userError('vin', 'ALREADY_EXISTS', 'A vehicle with this VIN is already registered.'));
  if (outcome.kind === 'VIN_TAKEN') return failed(userError('vin', 'ALREADY_REGISTERED', 'This VIN is already registered with the brand. If you sold or service this car, ask the brand to assign it to your dealership.'));
  if (outcome.kind === 'DEALER_NOT_FOUND') return failed(notFound(input.servicingDealerId ? 'servicingDealerId' : 'sellingDealerId', 'dealer'));
  // The owner's profile (or another domain's item) refused the car: the owner is gone, or owns as many cars as a profile holds.
  if (outcome.kind === 'REFUSED') return failed(userError('ownerId', outcome.refusal.code, outcome.refusal.message));
  ctx.loaders.customer.clear(owner.id);
  ctx.logger.info('vehicle registered', { vin, ownerId: owner.id });
  return { vehicle: refresh(ctx, planned), userErrors: [] };
}

export async function recordOdometerReading(ctx: ServiceContext, input: { vin: string; km: number; readAt: string }): Promise<VehicleResult> {
  assertMayWriteVehicles(ctx);
  const now = ctx.clock();
  const { vin, errors } = checkVin('vin', input.vin);
  errors.push(...checkIntRange('km', input.km, 0, MAX_ODOMETER_KM));
  const readAt = checkInstantNotInFuture('readAt', input.readAt, now);
  errors.push(...readAt.errors);
  if (errors.length || !readAt.date) return failed(...errors);
  if (!(await writableVehicle(ctx, vin))) return failed(notFound('vin', 'vehicle'));

  const recordedAt = now.toISOString();
  const outcome = await ctx.repos.vehicles.recordReading(
    { vin, km: input.km, readAt: readAt.date.toISOString(), source: ctx.principal.kind, recordedAt },
    undefined,
    (before, after) => ctx.facts.contributions('VehiclePlanChanged', { before, after, at: recordedAt }),
  );
  if (outcome.kind === 'RECORDED') return { vehicle: refresh(ctx, outcome.vehicle), userErrors: [] };
  return failed(readingProblem(outcome, 'vin', 'km'));
}

export async function transferVehicle(ctx: ServiceContext, input: { vin: string; newOwnerId: string; transferDate: string }): Promise<VehicleResult> {
  assertMayWriteVehicles(ctx);
  const now = ctx.clock();
  const { vin, errors } = checkVin('vin', input.vin);
  errors.push(...checkDateNotInFuture('transferDate', input.transferDate, now));
  if (errors.length) return failed(...errors);
  const vehicle = await writableVehicle(ctx, vin);
  if (!vehicle) return failed(notFound('vin', 'vehicle'));
  const newOwnerKey = keyOfGlobalId(input.newOwnerId, CUSTOMER_NODE);
  const newOwner = newOwnerKey ? await ctx.access.customer(newOwnerKey) : null;
  if (!newOwner) return failed(notFound('newOwnerId', 'customer'));
  if (newOwner.id === vehicle.ownerId) return failed(userError('newOwnerId', 'INVALID', 'This customer already owns the vehicle.'));
  if (vehicle.ownerHistory.length >= MAX_OWNERSHIPS) {
    return failed(userError('vin', 'LIMIT_REACHED', `This vehicle has had ${MAX_OWNERSHIPS} owners, the most Paddock records; ask the brand to archive its history.`));
  }
  if (input.transferDate < vehicle.ownerSince) {
    return failed(userError('transferDate', 'INVALID_DATE', `The current ownership began on ${vehicle.ownerSince}; a transfer cannot be earlier.`));
  }
  const outcome = await writeTransfer(ctx, vehicle, newOwner.id, input.transferDate);
  if (outcome.kind === 'REFUSED') return failed(userError('newOwnerId', outcome.refusal.code, outcome.refusal.message));
  if (outcome.kind === 'CONFLICT') return failed(userError('vin', 'STALE_VERSION', 'The vehicle changed while transferring; reload and retry.'));
  ctx.loaders.customer.clear(vehicle.ownerId).clear(newOwner.id);
  ctx.logger.info('vehicle transferred', { vin });
  return { vehicle: refresh(ctx, outcome.vehicle), userErrors: [] };
}
