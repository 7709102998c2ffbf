import { effectiveScopes, type DealerScope } from './api-key.js';
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

/** A write scope carries the read it needs (see `effectiveScopes`), whatever the principal was built from. */
const hasScope = (p: Principal, scope: DealerScope) => p.kind === 'dealer' && effectiveScopes(p.scopes).includes(scope);

/** Who recorded a statement (a consent): a role and that principal's id (subject, customer or dealer id). */
export interface Author {
  kind: Principal['kind'];
  id: string;
}

/** The author of a write as it is stored: dealers by dealer id (a key is a dealer's tool), people by subject. */
export function authorOf(p: Principal): Author {
  switch (p.kind) {
    case 'dealer':
      return { kind: p.kind, id: p.dealerId };
    case 'customer':
      return { kind: p.kind, id: p.customerId };
    default:
      return { kind: p.kind, id: p.subject };
  }
}

/**
 * Whether the caller may learn that an object it cannot see exists — the question behind
 * every "already exists" answer. Only the brand's staff see every object; for everyone
 * else a clash with a hidden object must read the same as a clash with a visible one.
 */
export function canLearnExistence(p: Principal): boolean {
  return p.kind === 'admin' || p.kind === 'analyst';
}

/**
 * The dealer a caller acts for: a dealer key's own dealer, nobody's for people. What a
 * dealer creates, registers or records is its own (linked to it, sold by it, done by it).
 */
export function callerDealerId(p: Principal): string | undefined {
  return p.kind === 'dealer' ? p.dealerId : undefined;
}

/** The customer a caller is (a customer token's own profile), none for everyone else: what "my …" fields answer for. */
export function callerCustomerId(p: Principal): string | undefined {
  return p.kind === 'customer' ? p.customerId : undefined;
}

/**
 * Whose source systems a caller speaks for when it sends facts with source ids: a
 * dealer's own, or the brand's (admins). Idempotency keys are scoped by it.
 */
export function sourceTenantOf(p: Principal): string {
  return p.kind === 'dealer' ? `DEALER:${p.dealerId}` : 'BRAND';
}

/** The customers `Query.customers` ranges over for a caller. */
export type CustomerListScope =
  | { kind: 'self'; customerId: string }
  | { kind: 'dealer'; dealerId: string }
  | { kind: 'all' }
  | { kind: 'none' };

/** Facts about a customer relative to the caller. */
export interface CustomerFacts {
  customerId: string;
  /** Only consulted for dealers: is the customer linked to the calling dealer? */
  linkedToCallerDealer: boolean;
}

/**
 * Reading something that belongs to a customer (the profile, their club membership): the
 * brand's staff, the customer themself, and a dealer key with `scope` for its linked customers.
 */
function canReadCustomerOwned(p: Principal, f: CustomerFacts, scope: DealerScope): boolean {
  switch (p.kind) {
    case 'admin':
    case 'analyst':
      return true;
    case 'customer':
      return p.customerId === f.customerId;
    case 'dealer':
      return hasScope(p, scope) && f.linkedToCallerDealer;
  }
}

/**
 * Acting for a customer (changing the profile, answering an offer): the brand's admins, the
 * customer themself, a dealer key with `scope` for its linked customers; never analysts.
 */
function canActForCustomer(p: Principal, f: CustomerFacts, scope: DealerScope): boolean {
  switch (p.kind) {
    case 'admin':
      return true;
    case 'analyst':
      return false;
    case 'customer':
      return p.customerId === f.customerId;
    case 'dealer':
      return hasScope(p, scope) && f.linkedToCallerDealer;
  }
}

export const customerPolicy = {
  canRead(p: Principal, f: CustomerFacts): boolean {
    return canReadCustomerOwned(p, f, 'customers:read');
  },
  canWrite(p: Principal, f: CustomerFacts): boolean {
    return canActForCustomer(p, f, 'customers:write');
  },
  /** New profiles come from the CRM console or a dealer's DMS, never from a customer token. */
  canCreate(p: Principal): boolean {
    return p.kind === 'admin' || hasScope(p, 'customers:write');
  },
  /** Whether the caller's role may change customers at all (checked before any read): not analysts, not keys without `customers:write`. */
  canWriteAny(p: Principal): boolean {
    return p.kind !== 'analyst' && (p.kind !== 'dealer' || hasScope(p, 'customers:write'));
  },
  /**
   * Who sets a new email address directly. An address is an identity (one profile per
   * address): everyone else's change waits for a confirmation from the new mailbox, so
   * the answer never says whether the address belongs to someone else.
   */
  changesEmailDirectly(p: Principal): boolean {
    return p.kind === 'admin';
  },
  /** Who may apply a confirmed email change: the customer it belongs to, or the brand's support (admins). */
  canConfirmEmailChange(p: Principal, customerId: string): boolean {
    return p.kind === 'admin' || (p.kind === 'customer' && p.customerId === customerId);
  },
  /** The id of whoever recorded a statement: the brand's staff, or that same principal; others see only the role. */
  canSeeAuthorId(p: Principal, author: Author): boolean {
    if (p.kind === 'admin' || p.kind === 'analyst') return true;
    const self = authorOf(p);
    return self.kind === author.kind && self.id === author.id;
  },
  /** Links are the brand's to make (or the customer's, choosing their own dealer). */
  canLinkToDealer(p: Principal, customerId: string): boolean {
    return p.kind === 'admin' || (p.kind === 'customer' && p.customerId === customerId);
  },
  /** Whether the caller's role may link customers at all (checked before any read): dealers and analysts may not. */
  canLinkAny(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'customer';
  },
  /**
   * Which customers a listing covers: a customer token itself; a dealer key its own
   * customers (a filter naming another dealer finds nothing, rather than an error that
   * would confirm the dealer exists); the brand's staff everyone, or the dealer they name.
   * Each dealer's list is then checked by `dealerPolicy.canListCustomers`.
   */
  listScope(p: Principal, filterDealerId: string | undefined): CustomerListScope {
    switch (p.kind) {
      case 'customer':
        return { kind: 'self', customerId: p.customerId };
      case 'dealer':
        return filterDealerId && filterDealerId !== p.dealerId ? { kind: 'none' } : { kind: 'dealer', dealerId: p.dealerId };
      default:
        return filterDealerId ? { kind: 'dealer', dealerId: filterDealerId } : { kind: 'all' };
    }
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
  /** Whether the caller's role may change vehicles at all (checked before any read). */
  canWriteAny(p: Principal): boolean {
    return p.kind === 'admin' || hasScope(p, 'vehicles:write');
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
  /** Whether the caller's role may record visits at all (checked before any read): the brand, or a dealer with `service:write`. */
  canRecordAnyVisit(p: Principal): boolean {
    return p.kind === 'admin' || hasScope(p, 'service:write');
  },
  /** Whether the caller's role may act on reminders at all: not analysts, not keys without `service:write`. */
  canHandleAnyReminder(p: Principal): boolean {
    return p.kind !== 'analyst' && (p.kind !== 'dealer' || hasScope(p, 'service:write'));
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

/**
 * Customer value: revenue facts (interactions, orders, finance contracts) come from the
 * brand's systems and dealers' tools; surveys also from the customers themselves. KPIs
 * are read by the brand's staff, and by a dealer for its own dealership.
 */
export const valuePolicy = {
  canRecordFacts(p: Principal): boolean {
    return p.kind === 'admin' || hasScope(p, 'customers:write');
  },
  canSubmitSurvey(p: Principal): boolean {
    return p.kind === 'customer' || valuePolicy.canRecordFacts(p);
  },
  /** `dealerId`: the dealer of a DEALER report, undefined for the brand's report. */
  canReadKpis(p: Principal, dealerId: string | undefined): boolean {
    if (p.kind === 'admin' || p.kind === 'analyst') return true;
    return p.kind === 'dealer' && dealerId === p.dealerId && hasScope(p, 'customers:read');
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

/**
 * The owners' club (`club/`, `rewards/`, `events/`). A member sees and spends their own
 * points; a dealer key with `club:read` sees the memberships of its linked customers; the
 * brand's analysts read; admins run the catalogue, the events and corrections.
 */
export const clubPolicy = {
  /** A membership, its balance, lots, ledger and vouchers. */
  canRead(p: Principal, f: CustomerFacts): boolean {
    return canReadCustomerOwned(p, f, 'club:read');
  },
  /**
   * Joining: whoever may change the customer (`customerPolicy.canWrite`: the customer for
   * themselves; the brand, or a linked dealer with `customers:write`, with the customer's
   * consent to the club terms).
   */
  canJoin(p: Principal, f: CustomerFacts): boolean {
    return customerPolicy.canWrite(p, f);
  },
  /** Whether the caller's role may join anyone at all (checked before any read): not analysts, not keys without `customers:write`. */
  canJoinAny(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'customer' || hasScope(p, 'customers:write');
  },
  /** Whether the caller's role may act as a member at all (checked before any read): a customer for themselves, or the brand. */
  canActAsAnyMember(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'customer';
  },
  /** Whether a join on someone else's behalf needs their recorded consent (everyone but the member). */
  joinNeedsRecordedConsent(p: Principal): boolean {
    return p.kind !== 'customer';
  },
  /** Leaving, and spending points (rewards, event seats): the member, or the brand on their behalf. */
  canActAsMember(p: Principal, customerId: string): boolean {
    return p.kind === 'admin' || (p.kind === 'customer' && p.customerId === customerId);
  },
  /** Corrections (ADJUSTMENT entries, reversals of a refunded document's points): the brand's admins only. */
  canCorrectLedger(p: Principal): boolean {
    return p.kind === 'admin';
  },
  /** The rewards catalogue and its stock. */
  canManageRewards(p: Principal): boolean {
    return p.kind === 'admin';
  },
  /** Club KPIs (liability, redemption, events) are the brand's figures. */
  canReadClubKpis(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'analyst';
  },
};

/**
 * Club events are hosted by the brand (no dealer) or by one dealer. The programme is open
 * to every signed-in caller; who registered is for the host and the brand's staff.
 */
export const clubEventPolicy = {
  /** Creating, changing and cancelling an event, and managing its attendees: admins for any, a dealer with `club:events` for those it hosts. */
  canManage(p: Principal, hostDealerId: string | undefined): boolean {
    if (p.kind === 'admin') return true;
    return p.kind === 'dealer' && hasScope(p, 'club:events') && hostDealerId !== undefined && hostDealerId === p.dealerId;
  },
  /**
   * Check-in points are the brand's money: a dealer key sets at most `dealerCap` per
   * attendee on the events it hosts; the brand's admins set any (within the event's bounds).
   */
  canAwardCheckInPoints(p: Principal, points: number, dealerCap: number): boolean {
    return p.kind === 'admin' || points <= dealerCap;
  },
  /** Whether the caller's role may manage events at all (checked before any read). */
  canManageAny(p: Principal): boolean {
    return p.kind === 'admin' || hasScope(p, 'club:events');
  },
  /** The attendee list and waitlist: the managers, and the brand's analysts. */
  canSeeAttendees(p: Principal, hostDealerId: string | undefined): boolean {
    return p.kind === 'analyst' || clubEventPolicy.canManage(p, hostDealerId);
  },
  /**
   * Registering a member: the member themself, an admin, or the hosting dealer for a
   * customer linked to it (`linkedToCallerDealer`).
   */
  canRegister(p: Principal, hostDealerId: string | undefined, f: CustomerFacts): boolean {
    if (clubPolicy.canActAsMember(p, f.customerId)) return true;
    return p.kind === 'dealer' && clubEventPolicy.canManage(p, hostDealerId) && f.linkedToCallerDealer;
  },
  /** Whether the caller's role may register anyone at all (checked before any read): customers, admins, keys with `club:events`. */
  canRegisterAny(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'customer' || hasScope(p, 'club:events');
  },
};

/**
 * Personalised offers (`offers/`, `offer-kpis/`). The customer sees the offers delivered
 * to them; a dealer key with `offers:read` sees (and with `offers:respond` reports answers
 * for) the offers of its linked customers; the brand's analysts read everything, the
 * holdout included; admins manage the catalogue. Holdout (control-group) decisions were
 * never delivered: nobody outside the brand's staff learns they exist.
 */
export const offerPolicy = {
  /** A customer's delivered offers and next best offers. */
  canRead(p: Principal, f: CustomerFacts): boolean {
    return canReadCustomerOwned(p, f, 'offers:read');
  },
  /** Reporting SENT / OPENED / ACCEPTED / DECLINED: the customer (their app), the brand, a linked dealer with `offers:respond`; never analysts. */
  canRespond(p: Principal, f: CustomerFacts): boolean {
    return canActForCustomer(p, f, 'offers:respond');
  },
  /** Whether the caller's role may report responses at all (checked before any read). */
  canRespondAny(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'customer' || hasScope(p, 'offers:respond');
  },
  /** The holdout flag and holdout decisions themselves (control-group members must not be told). */
  canSeeHoldout(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'analyst';
  },
  /** The catalogue with its rules (eligibility, caps, conversions): the brand's staff. */
  canReadCatalogue(p: Principal): boolean {
    return p.kind === 'admin' || p.kind === 'analyst';
  },
  /** Defining, changing and retiring offers. */
  canManageCatalogue(p: Principal): boolean {
    return p.kind === 'admin';
  },
  /** A dealer's follow-up list: the brand's staff for any dealer, a key with `offers:read` for its own. */
  canReadFollowUps(p: Principal, dealerId: string): boolean {
    if (p.kind === 'admin' || p.kind === 'analyst') return true;
    return p.kind === 'dealer' && p.dealerId === dealerId && hasScope(p, 'offers:read');
  },
  /**
   * Whose namespace of channel event ids a response is idempotent in: a dealer's or the
   * brand's (`sourceTenantOf`), and each customer's own — sharing the brand's would let a
   * customer's app spend the brand's event ids (every later brand report with that id
   * would be refused as a mismatch).
   */
  responseTenant(p: Principal): string {
    return p.kind === 'customer' ? `CUSTOMER:${p.customerId}` : sourceTenantOf(p);
  },
  /** Offer KPIs (uplift, offer-driven conversions): the brand's staff for the brand or any dealer, a key with `offers:read` for its own dealer. */
  canReadKpis(p: Principal, dealerId: string | undefined): boolean {
    if (p.kind === 'admin' || p.kind === 'analyst') return true;
    return dealerId !== undefined && offerPolicy.canReadFollowUps(p, dealerId);
  },
};
