import { describe, expect, it } from 'vitest';
import { authorOf, callerCustomerId, callerDealerId, canLearnExistence, clubEventPolicy, clubPolicy, offerPolicy, sourceTenantOf, customerPolicy, dealerPolicy, servicePolicy, valuePolicy, vehiclePolicy, type VehicleFacts } from '../../src/auth/policies.js';
import type { Principal } from '../../src/auth/principal.js';
import { DEALER_SCOPES } from '../../src/auth/api-key.js';

const admin: Principal = { kind: 'admin', subject: 'a' };
const analyst: Principal = { kind: 'analyst', subject: 'b' };
const customer: Principal = { kind: 'customer', subject: 'c', customerId: 'C1' };
const dealer = (scopes = [...DEALER_SCOPES]): Principal => ({ kind: 'dealer', dealerId: 'D1', keyId: 'K1', scopes });

describe('Policy: customers', () => {
  it.each([
    ['admin', admin, { customerId: 'C9', linkedToCallerDealer: false }, true, true],
    ['analyst', analyst, { customerId: 'C9', linkedToCallerDealer: false }, true, false],
    ['customer on itself', customer, { customerId: 'C1', linkedToCallerDealer: false }, true, true],
    ['customer on another', customer, { customerId: 'C2', linkedToCallerDealer: false }, false, false],
    ['dealer on a linked customer', dealer(), { customerId: 'C2', linkedToCallerDealer: true }, true, true],
    ['dealer on an unlinked customer', dealer(), { customerId: 'C2', linkedToCallerDealer: false }, false, false],
    ['read-only dealer on a linked customer', dealer(['customers:read']), { customerId: 'C2', linkedToCallerDealer: true }, true, false],
    ['vehicles-only dealer on a linked customer', dealer(['vehicles:read']), { customerId: 'C2', linkedToCallerDealer: true }, false, false],
  ] as const)('%s: read %s, write %s', (_, principal, facts, read, write) => {
    expect(customerPolicy.canRead(principal, facts)).toBe(read);
    expect(customerPolicy.canWrite(principal, facts)).toBe(write);
  });

  it('lets only admins and writing dealers create customers, and admins or the customer itself link dealers', () => {
    expect([admin, analyst, customer, dealer(), dealer(['customers:read'])].map((p) => customerPolicy.canCreate(p))).toEqual([true, false, false, true, false]);
    expect([admin, analyst, customer, dealer()].map((p) => customerPolicy.canLinkToDealer(p, 'C1'))).toEqual([true, false, true, false]);
    expect(customerPolicy.canLinkToDealer(customer, 'C2')).toBe(false);
  });
});

describe('Policy: vehicles', () => {
  const facts = (overrides: Partial<VehicleFacts> = {}): VehicleFacts => ({ ownerId: 'C1', sellingDealerId: 'D9', servicingDealerId: 'D9', ownerLinkedToCallerDealer: false, ...overrides });

  it('lets a dealer see cars it sold or services or whose owner is its customer, nothing else', () => {
    expect(vehiclePolicy.canRead(dealer(), facts({ sellingDealerId: 'D1' }))).toBe(true);
    expect(vehiclePolicy.canRead(dealer(), facts({ servicingDealerId: 'D1' }))).toBe(true);
    expect(vehiclePolicy.canRead(dealer(), facts({ ownerLinkedToCallerDealer: true }))).toBe(true);
    expect(vehiclePolicy.canRead(dealer(), facts())).toBe(false);
    expect(vehiclePolicy.canRead(dealer(['customers:read']), facts({ sellingDealerId: 'D1' }))).toBe(false);
  });

  it('lets customers read only their own cars and never write them; analysts read all, write none', () => {
    expect(vehiclePolicy.canRead(customer, facts())).toBe(true);
    expect(vehiclePolicy.canRead(customer, facts({ ownerId: 'C2' }))).toBe(false);
    expect(vehiclePolicy.canWrite(customer, facts())).toBe(false);
    expect(vehiclePolicy.canRead(analyst, facts())).toBe(true);
    expect(vehiclePolicy.canWrite(analyst, facts())).toBe(false);
    expect(vehiclePolicy.canWrite(dealer(['vehicles:read']), facts({ sellingDealerId: 'D1' }))).toBe(false);
  });

  it('lets a dealer register only cars it sold itself', () => {
    expect(vehiclePolicy.canRegister(dealer(), 'D1')).toBe(true);
    expect(vehiclePolicy.canRegister(dealer(), 'D2')).toBe(false);
    expect(vehiclePolicy.canRegister(admin, 'D2')).toBe(true);
    expect(vehiclePolicy.canRegister(analyst, 'D1')).toBe(false);
  });
});

describe('Policy: dealers', () => {
  it('shows a dealer only itself, and its customers only with customers:read', () => {
    expect(dealerPolicy.canRead(dealer(), 'D1')).toBe(true);
    expect(dealerPolicy.canRead(dealer(), 'D2')).toBe(false);
    expect(dealerPolicy.canRead(customer, 'D2')).toBe(true);
    expect(dealerPolicy.canListCustomers(dealer(), 'D2')).toBe(false);
    expect(dealerPolicy.canListCustomers(dealer(['vehicles:read']), 'D1')).toBe(false);
    expect(dealerPolicy.canListCustomers(customer, 'D1')).toBe(false);
    expect(dealerPolicy.canSeeApiKeys(dealer(), 'D1')).toBe(true);
    expect(dealerPolicy.canSeeApiKeys(analyst, 'D1')).toBe(false);
    expect([admin, analyst, customer, dealer()].map((p) => dealerPolicy.canAdminister(p))).toEqual([true, false, false, false]);
  });
});

describe('Policy: write scopes carry the read they need', () => {
  const linked = { customerId: 'C2', linkedToCallerDealer: true };
  const soldByCaller: VehicleFacts = { ownerId: 'C1', sellingDealerId: 'D1', servicingDealerId: 'D1', ownerLinkedToCallerDealer: false };

  it('lets a key with only customers:write read and write its customers', () => {
    expect(customerPolicy.canRead(dealer(['customers:write']), linked)).toBe(true);
    expect(customerPolicy.canWrite(dealer(['customers:write']), linked)).toBe(true);
    expect(customerPolicy.canWriteAny(dealer(['customers:write']))).toBe(true);
    expect(dealerPolicy.canListCustomers(dealer(['customers:write']), 'D1')).toBe(true);
  });

  it('lets a key with only service:write see the car it records a visit on, and nothing of customers', () => {
    expect(vehiclePolicy.canRead(dealer(['service:write']), soldByCaller)).toBe(true);
    expect(servicePolicy.canRecordVisit(dealer(['service:write']), soldByCaller)).toBe(true);
    expect(vehiclePolicy.canWrite(dealer(['service:write']), soldByCaller)).toBe(false);
    expect(customerPolicy.canRead(dealer(['service:write']), linked)).toBe(false);
  });

  it('lets a key with only vehicles:write read the cars it writes', () => {
    expect(vehiclePolicy.canRead(dealer(['vehicles:write']), soldByCaller)).toBe(true);
    expect(vehiclePolicy.canWrite(dealer(['vehicles:write']), soldByCaller)).toBe(true);
  });
});

describe('Policy: who may write customers, change emails and learn what exists', () => {
  it('refuses customer writes to analysts and to keys without customers:write', () => {
    expect([admin, analyst, customer, dealer(), dealer(['customers:read'])].map((p) => customerPolicy.canWriteAny(p))).toEqual([true, false, true, true, false]);
  });

  it('lets only admins set an email directly; everyone else confirms from the new mailbox', () => {
    expect([admin, analyst, customer, dealer()].map((p) => customerPolicy.changesEmailDirectly(p))).toEqual([true, false, false, false]);
  });

  it('lets the customer itself or an admin confirm an email change, nobody else', () => {
    expect([admin, analyst, customer, dealer()].map((p) => customerPolicy.canConfirmEmailChange(p, 'C1'))).toEqual([true, false, true, false]);
    expect(customerPolicy.canConfirmEmailChange(customer, 'C2')).toBe(false);
  });

  it('tells only the brand’s staff that an object they cannot see exists', () => {
    expect([admin, analyst, customer, dealer()].map(canLearnExistence)).toEqual([true, true, false, false]);
  });

  it('shows who recorded a statement to the staff and to that same principal; others see the role only', () => {
    expect(authorOf(dealer())).toEqual({ kind: 'dealer', id: 'D1' });
    expect(authorOf(customer)).toEqual({ kind: 'customer', id: 'C1' });
    expect(authorOf(admin)).toEqual({ kind: 'admin', id: 'a' });
    const byAdmin = authorOf(admin);
    expect([admin, analyst, customer, dealer()].map((p) => customerPolicy.canSeeAuthorId(p, byAdmin))).toEqual([true, true, false, false]);
    expect(customerPolicy.canSeeAuthorId(dealer(), { kind: 'dealer', id: 'D1' })).toBe(true);
    expect(customerPolicy.canSeeAuthorId(dealer(), { kind: 'dealer', id: 'D2' })).toBe(false);
    expect(customerPolicy.canSeeAuthorId(customer, { kind: 'customer', id: 'C1' })).toBe(true);
    expect(customerPolicy.canSeeAuthorId(customer, { kind: 'dealer', id: 'C1' })).toBe(false);
  });
});

// The checks services make before reading anything: a role that may never do this gets
// FORBIDDEN, whatever the object (they were inline role checks in six services).
describe('Policy: what a role may do at all', () => {
  const everyone = [admin, analyst, customer, dealer(), dealer(['customers:read', 'vehicles:read'])];

  it('names the dealer a caller acts for: a key its own, people none', () => {
    expect(everyone.map(callerDealerId)).toEqual([undefined, undefined, undefined, 'D1', 'D1']);
  });

  it('names the customer a caller is: a customer token its own profile, nobody else one', () => {
    expect(everyone.map(callerCustomerId)).toEqual([undefined, undefined, 'C1', undefined, undefined]);
  });

  it('scopes source-event ids by sender: a dealer its own, the brand for everyone else', () => {
    expect(everyone.map(sourceTenantOf)).toEqual(['BRAND', 'BRAND', 'BRAND', 'DEALER:D1', 'DEALER:D1']);
  });

  it('lets admins and customers link customers to dealers; not analysts, not dealers', () => {
    expect(everyone.map((p) => customerPolicy.canLinkAny(p))).toEqual([true, false, true, false, false]);
  });

  it('lets admins and keys with vehicles:write change vehicles', () => {
    expect(everyone.map((p) => vehiclePolicy.canWriteAny(p))).toEqual([true, false, false, true, false]);
  });

  it('lets admins and keys with service:write record visits', () => {
    expect(everyone.map((p) => servicePolicy.canRecordAnyVisit(p))).toEqual([true, false, false, true, false]);
  });

  it('lets everyone but analysts and keys without service:write act on reminders', () => {
    expect(everyone.map((p) => servicePolicy.canHandleAnyReminder(p))).toEqual([true, false, true, true, false]);
  });

  it('takes revenue facts from admins and keys with customers:write, surveys from customers too', () => {
    expect(everyone.map((p) => valuePolicy.canRecordFacts(p))).toEqual([true, false, false, true, false]);
    expect(everyone.map((p) => valuePolicy.canSubmitSurvey(p))).toEqual([true, false, true, true, false]);
  });

  it("shows KPIs to the brand's staff, and to a dealer for its own dealership with customers:read", () => {
    expect(everyone.map((p) => valuePolicy.canReadKpis(p, undefined))).toEqual([true, true, false, false, false]);
    expect(everyone.map((p) => valuePolicy.canReadKpis(p, 'D1'))).toEqual([true, true, false, true, true]);
    expect(valuePolicy.canReadKpis(dealer(), 'D2')).toBe(false);
    expect(valuePolicy.canReadKpis(dealer(['vehicles:read']), 'D1')).toBe(false);
    // customers:write carries customers:read.
    expect(valuePolicy.canReadKpis(dealer(['customers:write']), 'D1')).toBe(true);
  });
});

describe('Policy: which customers a listing covers', () => {
  it('lists a customer token itself only, whatever the filter', () => {
    expect(customerPolicy.listScope(customer, undefined)).toEqual({ kind: 'self', customerId: 'C1' });
    expect(customerPolicy.listScope(customer, 'D1')).toEqual({ kind: 'self', customerId: 'C1' });
  });

  it("lists a dealer key its own customers, and nothing for another dealer's", () => {
    expect(customerPolicy.listScope(dealer(), undefined)).toEqual({ kind: 'dealer', dealerId: 'D1' });
    expect(customerPolicy.listScope(dealer(), 'D1')).toEqual({ kind: 'dealer', dealerId: 'D1' });
    expect(customerPolicy.listScope(dealer(), 'D2')).toEqual({ kind: 'none' });
  });

  it("lists the brand's staff everyone, or the dealer they name", () => {
    expect(customerPolicy.listScope(admin, undefined)).toEqual({ kind: 'all' });
    expect(customerPolicy.listScope(analyst, 'D2')).toEqual({ kind: 'dealer', dealerId: 'D2' });
  });
});

describe('Policy: the owners\' club', () => {
  const own = { customerId: 'C1', linkedToCallerDealer: false };
  const other = { customerId: 'C2', linkedToCallerDealer: false };
  const linked = { customerId: 'C2', linkedToCallerDealer: true };

  it.each([
    ['admin', admin, other, true, true],
    ['analyst', analyst, other, true, false],
    ['customer on itself', customer, own, true, true],
    ['customer on another', customer, other, false, false],
    ['dealer with club:read on a linked customer', dealer(['club:read']), linked, true, false],
    ['dealer with club:events on a linked customer (implies club:read)', dealer(['club:events']), linked, true, false],
    ['dealer with everything on an unlinked customer', dealer(), other, false, false],
    ['dealer with customers:read only on a linked customer', dealer(['customers:read']), linked, false, false],
    ['dealer with customers:write on a linked customer', dealer(['customers:write']), linked, false, true],
  ] as const)('%s: sees the membership %s, may join them %s', (_, principal, facts, read, join) => {
    expect(clubPolicy.canRead(principal, facts)).toBe(read);
    expect(clubPolicy.canJoin(principal, facts)).toBe(join);
  });

  it('asks everyone but the member for the recorded consent to the terms', () => {
    expect([admin, analyst, customer, dealer()].map((p) => clubPolicy.joinNeedsRecordedConsent(p))).toEqual([true, true, false, true]);
  });

  it('lets joins come from admins, customers and keys with customers:write; never analysts', () => {
    expect([admin, analyst, customer, dealer(['customers:write']), dealer(['customers:read', 'club:events'])].map((p) => clubPolicy.canJoinAny(p))).toEqual([true, false, true, true, false]);
  });

  it('lets only the member or the brand leave or spend; dealers and analysts never', () => {
    expect([admin, analyst, customer, dealer()].map((p) => clubPolicy.canActAsMember(p, 'C1'))).toEqual([true, false, true, false]);
    expect(clubPolicy.canActAsMember(customer, 'C2')).toBe(false);
    expect([admin, analyst, customer, dealer()].map((p) => clubPolicy.canActAsAnyMember(p))).toEqual([true, false, true, false]);
  });

  it('keeps corrections and the catalogue to admins, and the KPIs to the brand\'s staff', () => {
    expect([admin, analyst, customer, dealer()].map((p) => clubPolicy.canCorrectLedger(p))).toEqual([true, false, false, false]);
    expect([admin, analyst, customer, dealer()].map((p) => clubPolicy.canManageRewards(p))).toEqual([true, false, false, false]);
    expect([admin, analyst, customer, dealer()].map((p) => clubPolicy.canReadClubKpis(p))).toEqual([true, true, false, false]);
  });
});

describe('Policy: club events', () => {
  const linked = { customerId: 'C2', linkedToCallerDealer: true };
  const unlinked = { customerId: 'C2', linkedToCallerDealer: false };

  it('lets admins manage any event and a dealer with club:events only those it hosts', () => {
    expect(clubEventPolicy.canManage(admin, undefined)).toBe(true);
    expect(clubEventPolicy.canManage(admin, 'D9')).toBe(true);
    expect(clubEventPolicy.canManage(dealer(['club:events']), 'D1')).toBe(true);
    expect(clubEventPolicy.canManage(dealer(['club:events']), 'D9')).toBe(false);
    expect(clubEventPolicy.canManage(dealer(['club:events']), undefined)).toBe(false);
    expect(clubEventPolicy.canManage(dealer(['club:read', 'customers:write']), 'D1')).toBe(false);
    expect([analyst, customer].map((p) => clubEventPolicy.canManage(p, 'D1'))).toEqual([false, false]);
  });

  it('caps the check-in points a dealer key sets; admins set any', () => {
    expect([admin, dealer(['club:events'])].map((p) => clubEventPolicy.canAwardCheckInPoints(p, 1_000, 1_000))).toEqual([true, true]);
    expect([admin, dealer(['club:events'])].map((p) => clubEventPolicy.canAwardCheckInPoints(p, 1_001, 1_000))).toEqual([true, false]);
  });

  it('lets only admins and keys with club:events manage events at all', () => {
    expect([admin, analyst, customer, dealer(['club:events']), dealer(['club:read'])].map((p) => clubEventPolicy.canManageAny(p))).toEqual([true, false, false, true, false]);
  });

  it('shows attendees to the managers and analysts; not to customers or other dealers', () => {
    expect([admin, analyst, customer].map((p) => clubEventPolicy.canSeeAttendees(p, 'D1'))).toEqual([true, true, false]);
    expect(clubEventPolicy.canSeeAttendees(dealer(['club:events']), 'D1')).toBe(true);
    expect(clubEventPolicy.canSeeAttendees(dealer(['club:events']), 'D9')).toBe(false);
  });

  it('registers a member: themselves, an admin, or the hosting dealer for its linked customer', () => {
    expect(clubEventPolicy.canRegister(customer, 'D1', { customerId: 'C1', linkedToCallerDealer: false })).toBe(true);
    expect(clubEventPolicy.canRegister(customer, 'D1', unlinked)).toBe(false);
    expect(clubEventPolicy.canRegister(admin, undefined, unlinked)).toBe(true);
    expect(clubEventPolicy.canRegister(dealer(['club:events']), 'D1', linked)).toBe(true);
    expect(clubEventPolicy.canRegister(dealer(['club:events']), 'D1', unlinked)).toBe(false);
    expect(clubEventPolicy.canRegister(dealer(['club:events']), 'D9', linked)).toBe(false);
    expect(clubEventPolicy.canRegister(analyst, 'D1', linked)).toBe(false);
  });

  it('lets customers, admins and keys with club:events register at all; not analysts or other keys', () => {
    expect([admin, analyst, customer, dealer(['club:events']), dealer(['club:read', 'customers:write'])].map((p) => clubEventPolicy.canRegisterAny(p))).toEqual([true, false, true, true, false]);
  });
});

describe('Policy: personalised offers', () => {
  const linked = { customerId: 'C2', linkedToCallerDealer: true };
  const unlinked = { customerId: 'C2', linkedToCallerDealer: false };
  const own = { customerId: 'C1', linkedToCallerDealer: false };

  it.each([
    ['admin', admin, unlinked, true, true],
    ['analyst', analyst, unlinked, true, false],
    ['customer on their own offers', customer, own, true, true],
    ["customer on another's offers", customer, unlinked, false, false],
    ['dealer with offers:respond on a linked customer (implies offers:read)', dealer(['offers:respond']), linked, true, true],
    ['dealer with offers:read on a linked customer', dealer(['offers:read']), linked, true, false],
    ['dealer with every other scope on a linked customer', dealer(['customers:write', 'club:events', 'service:write']), linked, false, false],
    ['dealer with every scope on an unlinked customer', dealer(), unlinked, false, false],
  ] as const)('%s: read %s, respond %s', (_, principal, facts, read, respond) => {
    expect(offerPolicy.canRead(principal, facts)).toBe(read);
    expect(offerPolicy.canRespond(principal, facts)).toBe(respond);
  });

  it('shows the holdout and the catalogue only to the brand\'s staff, and lets only admins change the catalogue', () => {
    const everyone = [admin, analyst, customer, dealer()];
    expect(everyone.map((p) => offerPolicy.canSeeHoldout(p))).toEqual([true, true, false, false]);
    expect(everyone.map((p) => offerPolicy.canReadCatalogue(p))).toEqual([true, true, false, false]);
    expect(everyone.map((p) => offerPolicy.canManageCatalogue(p))).toEqual([true, false, false, false]);
  });

  it('lets responses come from admins, customers and keys with offers:respond; never analysts', () => {
    expect([admin, analyst, customer, dealer(['offers:respond']), dealer(['offers:read', 'customers:write'])].map((p) => offerPolicy.canRespondAny(p))).toEqual([true, false, true, true, false]);
  });

  it('shows a follow-up list and dealer KPIs to the brand and to that dealer with offers:read; brand KPIs to the staff only', () => {
    expect([admin, analyst, customer, dealer(['offers:read']), dealer(['customers:read'])].map((p) => offerPolicy.canReadFollowUps(p, 'D1'))).toEqual([true, true, false, true, false]);
    expect(offerPolicy.canReadFollowUps(dealer(), 'D9')).toBe(false);
    expect([admin, analyst, customer, dealer()].map((p) => offerPolicy.canReadKpis(p, undefined))).toEqual([true, true, false, false]);
    expect(offerPolicy.canReadKpis(dealer(['offers:read']), 'D1')).toBe(true);
    expect(offerPolicy.canReadKpis(dealer(['offers:read']), 'D9')).toBe(false);
  });
});
