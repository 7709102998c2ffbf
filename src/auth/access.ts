import { customerPolicy, dealerPolicy, servicePolicy, vehiclePolicy, type CustomerFacts, type VehicleFacts } from './policies.js';
import type { ReminderRecord } from '../reminder/reminder.js';
import type { Principal } from './principal.js';
import type { CustomerRecord } from '../customer/customer.js';
import type { DealerRecord } from '../dealer/dealer.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { Loaders } from './loaders.js';

/**
 * The only way resolvers and services read customers, vehicles and dealers on a caller's
 * behalf: each method loads through the request's DataLoaders and returns the object only
 * if the policies let the caller see it, else `null` — exactly what "not found" returns,
 * so existence never leaks. It lives beside the policies (not in `graphql/`) because
 * services depend on it and must not depend on the GraphQL layer.
 */
export class Access {
  constructor(
    readonly principal: Principal,
    private readonly loaders: Loaders,
  ) {}

  /**
   * Records this request already holds (a listed page, the parent of a nested list): the
   * checks that follow judge by them instead of reading them again (a car's reminders are
   * visible by that very car). A record the request already loaded stays as loaded.
   */
  remember({ customers = [], vehicles = [] }: { customers?: readonly CustomerRecord[]; vehicles?: readonly VehicleRecord[] }): void {
    for (const customer of customers) this.loaders.customer.prime(customer.id, customer);
    for (const vehicle of vehicles) this.loaders.vehicle.prime(vehicle.vin, vehicle);
  }

  /** Whether a customer profile is linked to the calling dealer (false for other callers). */
  private linkedToCaller(customer: CustomerRecord | null): boolean {
    return this.principal.kind === 'dealer' && customer !== null && customer.dealerIds.includes(this.principal.dealerId);
  }

  async customer(id: string): Promise<CustomerRecord | null> {
    // A customer token never loads anyone else: refuse before touching the table.
    if (this.principal.kind === 'customer' && this.principal.customerId !== id) return null;
    const customer = await this.loaders.customer.load(id);
    return customer && this.canSeeCustomer(customer) ? customer : null;
  }

  /** The facts about a customer the policies judge a caller by (other domains' policies too: the club's, the events'). */
  customerFacts(customer: CustomerRecord): CustomerFacts {
    return { customerId: customer.id, linkedToCallerDealer: this.linkedToCaller(customer) };
  }

  canSeeCustomer(customer: CustomerRecord): boolean {
    return customerPolicy.canRead(this.principal, { customerId: customer.id, linkedToCallerDealer: this.linkedToCaller(customer) });
  }

  async customers(ids: readonly string[]): Promise<(CustomerRecord | null)[]> {
    return Promise.all(ids.map((id) => this.customer(id)));
  }

  canWriteCustomer(customer: CustomerRecord): boolean {
    return customerPolicy.canWrite(this.principal, { customerId: customer.id, linkedToCallerDealer: this.linkedToCaller(customer) });
  }

  private async vehicleFacts(vehicle: VehicleRecord): Promise<VehicleFacts> {
    const facts = { ownerId: vehicle.ownerId, sellingDealerId: vehicle.sellingDealerId, servicingDealerId: vehicle.servicingDealerId, ownerLinkedToCallerDealer: false };
    const p = this.principal;
    // Only a dealer that neither sold nor services the car needs the owner's links.
    if (p.kind === 'dealer' && vehicle.sellingDealerId !== p.dealerId && vehicle.servicingDealerId !== p.dealerId) {
      facts.ownerLinkedToCallerDealer = this.linkedToCaller(await this.loaders.customer.load(vehicle.ownerId));
    }
    return facts;
  }

  async vehicle(vin: string): Promise<VehicleRecord | null> {
    const vehicle = await this.loaders.vehicle.load(vin);
    return vehicle && (await this.canSeeVehicle(vehicle)) ? vehicle : null;
  }

  async canSeeVehicle(vehicle: VehicleRecord): Promise<boolean> {
    return vehiclePolicy.canRead(this.principal, await this.vehicleFacts(vehicle));
  }

  async canWriteVehicle(vehicle: VehicleRecord): Promise<boolean> {
    return vehiclePolicy.canWrite(this.principal, await this.vehicleFacts(vehicle));
  }

  async canWriteVehicleService(vehicle: VehicleRecord): Promise<boolean> {
    return servicePolicy.canRecordVisit(this.principal, await this.vehicleFacts(vehicle));
  }

  /** A visit or reminder: visible with its car, or to the customer it concerns. */
  async canSeeVehicleItem(item: { vin: string; customerId: string }): Promise<boolean> {
    if (this.principal.kind === 'customer') return servicePolicy.canReadOwnItem(this.principal, item.customerId, false);
    return servicePolicy.canReadOwnItem(this.principal, item.customerId, (await this.vehicle(item.vin)) !== null);
  }

  /** Keeps the items the caller may see, in order, `null` for the others (connections drop them). */
  async visibleVehicleItems<T extends { vin: string; customerId: string }>(items: readonly T[]): Promise<(T | null)[]> {
    return Promise.all(items.map(async (item) => ((await this.canSeeVehicleItem(item)) ? item : null)));
  }

  async canHandleReminder(reminder: ReminderRecord): Promise<boolean> {
    const vehicle = this.principal.kind === 'dealer' ? await this.loaders.vehicle.load(reminder.vin) : null;
    return servicePolicy.canHandleReminder(this.principal, reminder.customerId, vehicle ? await this.vehicleFacts(vehicle) : null);
  }

  async dealer(id: string): Promise<DealerRecord | null> {
    if (!dealerPolicy.canRead(this.principal, id)) return null;
    return this.loaders.dealer.load(id);
  }
}
