import type { DealerScope } from '../dealer/api-key.js';
import type { Principal } from './principal.js';

/**
 * Authorisation rules, one function per type and action, pure and exhaustively tested.
 * The GraphQL layer gathers the facts (is this customer linked to the calling dealer?)
 * through batched loaders and asks these functions; no resolver decides on its own.
 *
 * - admin: everything.
 * - analyst: reads everything, writes nothing.
 * - customer: their own profile and vehicles; the dealer directory.
 * - dealer (API key): customers and vehicles linked to that dealer, within the key's scopes;
 *   of the dealers, only itself.
 */

const hasScope = (p: Principal, scope: DealerScope) => p.kind === 'dealer' && p.scopes.includes(scope);

/** Facts about a customer relative to the caller. */
export interface CustomerFacts {
  customerId: string;
  /** Only consulted for dealers: is the customer linked to the calling dealer? */
  linkedToCallerDealer: boolean;
}

export const customerPolicy = {
  canRead(p: Principal, f: CustomerFacts): boolean {
    switch (p.kind) {
      case 'admin':
      case 'analyst':
        return true;
      case 'customer':
        return p.customerId === f.customerId;
      case 'dealer':
        return hasScope(p, 'customers:read') && f.linkedToCallerDealer;
    }
  },
  canWrite(p: Principal, f: CustomerFacts): boolean {
    switch (p.kind) {
      case 'admin':
        return true;
      case 'analyst':
        return false;
      case 'customer':
        return p.customerId === f.customerId;
      case 'dealer':
        return hasScope(p, 'customers:write') && f.linkedToCallerDealer;
    }
  },
  /** New profiles come from the CRM console or a dealer's DMS, never from a customer token. */
  canCreate(p: Principal): boolean {
    return p.kind === 'admin' || hasScope(p, 'customers:write');
  },
  /** Links are the brand's to make (or the customer's, choosing their own dealer). */
  canLinkToDealer(p: Principal, customerId: string): boolean {
    return p.kind === 'admin' || (p.kind === 'customer' && p.customerId === customerId);
  },
};

/** Facts about a vehicle relative to the caller. */
export interface VehicleFacts {
  ownerId: string;
  sellingDealerId: string;
  servicingDealerId: string;
  /** Only consulted for dealers: is the current owner linked to the calling dealer? */
  ownerLinkedToCallerDealer: boolean;
}

function dealerSeesVehicle(p: Extract<Principal, { kind: 'dealer' }>, f: VehicleFacts): boolean {
  return f.sellingDealerId === p.dealerId || f.servicingDealerId === p.dealerId || f.ownerLinkedToCallerDealer;
}

export const vehiclePolicy = {
  canRead(p: Principal, f: VehicleFacts): boolean {
    switch (p.kind) {
      case 'admin':
      case 'analyst':
        return true;
      case 'customer':
        return p.customerId === f.ownerId;
      case 'dealer':
        return hasScope(p, 'vehicles:read') && dealerSeesVehicle(p, f);
    }
  },
  canWrite(p: Principal, f: VehicleFacts): boolean {
    switch (p.kind) {
      case 'admin':
        return true;
      case 'analyst':
      case 'customer':
        return false;
      case 'dealer':
        return hasScope(p, 'vehicles:write') && dealerSeesVehicle(p, f);
    }
  },
  /** Registering a car: the brand, or a dealer registering a car it sold itself. */
  canRegister(p: Principal, sellingDealerId: string): boolean {
    if (p.kind === 'admin') return true;
    return p.kind === 'dealer' && hasScope(p, 'vehicles:write') && p.dealerId === sellingDealerId;
  },
};

/**
 * Service visits and maintenance reminders belong to a car: who may see the car may see
 * them. A customer also sees the visits and reminders addressed to them (a car they owned).
 * Writing them takes `service:write` for dealers; analysts write nothing.
 */
export const servicePolicy = {
  canRecordVisit(p: Principal, f: VehicleFacts): boolean {
    if (p.kind === 'admin') return true;
    return p.kind === 'dealer' && hasScope(p, 'service:write') && dealerSeesVehicle(p, f);
  },
  /** `vehicleVisible`: the car is visible to the caller by `vehiclePolicy.canRead`. */
  canReadOwnItem(p: Principal, itemCustomerId: string, vehicleVisible: boolean): boolean {
    if (p.kind === 'customer') return p.customerId === itemCustomerId;
    return vehicleVisible;
  },
  /** `f`: the car's facts, needed for dealers only (null when the car is gone). */
  canHandleReminder(p: Principal, reminderCustomerId: string, f: VehicleFacts | null): boolean {
    switch (p.kind) {
      case 'admin':
        return true;
      case 'analyst':
        return false;
      case 'customer':
        return p.customerId === reminderCustomerId;
      case 'dealer':
        return f !== null && hasScope(p, 'service:write') && dealerSeesVehicle(p, f);
    }
  },
  /** A dealer's workshop forecast: the brand's staff, or the dealer itself. */
  canSeeForecast(p: Principal, dealerId: string): boolean {
    if (p.kind === 'admin' || p.kind === 'analyst') return true;
    return p.kind === 'dealer' && p.dealerId === dealerId && hasScope(p, 'vehicles:read');
  },
};

export const dealerPolicy = {
  /** The dealer directory (name, city) is open to the brand and its customers; a dealer sees only itself. */
  canRead(p: Principal, dealerId: string): boolean {
    return p.kind === 'dealer' ? p.dealerId === dealerId : true;
  },
  /** Who may list a dealer's customers: the brand's staff, or the dealer itself with `customers:read`. */
  canListCustomers(p: Principal, dealerId: string): boolean {
    if (p.kind === 'admin' || p.kind === 'analyst') return true;
    return p.kind === 'dealer' && p.dealerId === dealerId && hasScope(p, 'customers:read');
  },
  /** Key metadata (never secrets): the brand, and the dealer itself for rotation. */
  canSeeApiKeys(p: Principal, dealerId: string): boolean {
    return p.kind === 'admin' || (p.kind === 'dealer' && p.dealerId === dealerId);
  },
  /** Creating dealers and issuing or revoking their keys is the brand's alone. */
  canAdminister(p: Principal): boolean {
    return p.kind === 'admin';
  },
};
