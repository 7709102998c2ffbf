import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accrualMarkerEntity, clubKeys, ledgerEntryEntity, lotEntity, membershipEntity, redemptionReturnEntity, scheduleShard } from '../../src/club/club-records.js';
import { lotItem } from '../../src/club/ledger-repository.js';
import { consentKeys, consentStatementEntity } from '../../src/customer/consent.js';
import { customerEntity, customerKeys, dealerLinkItem, emailClaimItem, makeCustomer } from '../../src/customer/customer.js';
import { emailChangeKeys, pendingEmailChangeEntity } from '../../src/customer/email-change.js';
import { linkRequestItem } from '../../src/customer/link-request.js';
import { apiKeyRecordEntity, apiKeyKeys, apiKeyLookupFromItem, apiKeyLookupItem } from '../../src/dealer/api-key-record.js';
import { dealerCodeClaimItem, dealerEntity, dealerKeys, makeDealer } from '../../src/dealer/dealer.js';
import { reminderEntity, reminderKeys, type ReminderRecord } from '../../src/reminder/reminder.js';
import { serviceVisitEntity, serviceVisitKeys, type ServiceVisitRecord } from '../../src/service/service-visit.js';
import { definedEntities, MalformedItemError } from '../../src/store/entity.js';
import { jobFailureKeys } from '../../src/store/job-failures.js';
import { outboxItem } from '../../src/store/outbox.js';
import { INDEXES, type Item } from '../../src/store/table.js';
import { factKeys, financeContractEntity, interactionEntity, orderEntity, surveyEntity, sourceEventItem, type InteractionRecord } from '../../src/value/fact-repository.js';
import { valueKeys } from '../../src/value/value-repository.js';
import { makeVehicle, odometerFromItem, odometerToItem, reminderShard, vehicleEntity, vehicleKeys } from '../../src/vehicle/vehicle.js';

const C = '01JCUSTOMER0000000000000000';
const D = '01JDEALER00000000000000000';
const VIN = 'WP0ZZZ99ZTS392124';
const AT = '2026-03-01T09:30:00.000Z';

const visit: ServiceVisitRecord = {
  id: 'V1',
  vin: VIN,
  dealerId: D,
  customerId: C,
  performedAt: AT,
  odometerKm: 15_000,
  kind: 'MAINTENANCE',
  items: [{ code: 'OIL_SERVICE', description: 'Oil service', parts: [], labour: [] }],
  total: { amountMinor: 45_000, currency: 'EUR' },
  waitTimeMinutes: 90,
  firstTimeFix: true,
  recordedAt: AT,
};
const reminder: ReminderRecord = { vin: VIN, cycle: 3, customerId: C, dealerId: D, dueDate: '2026-04-01', items: [], deliverable: true, channel: 'EMAIL', status: 'OPEN', createdAt: AT };
const interaction: InteractionRecord = { id: 'I1', customerId: C, sourceTenant: 'BRAND', sourceSystem: 'web', sourceEventId: 'e1', channel: 'WEB', type: 'PAGE_VIEW', modelLine: 'TAYCAN', occurredAt: AT, recordedAt: AT };
const plannedVehicle = makeVehicle({ servicePlan: { rate: { kmPerDay: 40, basis: 'READINGS' } as never, items: [{ code: 'OIL_SERVICE', dueDate: '2026-04-01' } as never] } });
const apiKey = { id: 'K1', dealerId: D, name: 'DMS', prefix: 'pk_1', keyHash: 'abc', scopes: ['customers:read'] as never, createdAt: AT };

const indexKeys = (item: Item) => Object.fromEntries(Object.values(INDEXES).flatMap((i) => [i.partitionKey, i.sortKey]).filter((a) => item[a] !== undefined).map((a) => [a, item[a]]));
const keysOf = (item: Item) => ({ PK: item.PK, SK: item.SK, type: item.entityType, ...indexKeys(item) });

describe('Entity key formats', () => {
  // Every item kind of the table and its key and index attributes, spelled out: a change to any key format fails here.
  const table: [string, Item, Record<string, unknown>][] = [
    ['customer profile', customerEntity.toItem(makeCustomer({ id: C, lastName: 'Keller', firstName: 'Anna' })), { PK: `CUST#${C}`, SK: 'PROFILE', type: 'Customer', GSI2PK: 'CUSTOMERS', GSI2SK: `keller#anna#${C}` }],
    ['email claim', emailClaimItem('a#b@x.io', C), { PK: 'EMAIL#a%23b@x.io', SK: 'EMAIL', type: 'EmailClaim' }],
    ['dealer link', dealerLinkItem(C, D, AT), { PK: `CUST#${C}`, SK: `DEALER#${D}`, type: 'CustomerDealerLink', GSI1PK: `DEALER#${D}`, GSI1SK: `CUST#${C}` }],
    [
      'consent statement',
      consentStatementEntity.toItem({ id: 'S1', customerId: C, channel: 'EMAIL', granted: true, source: 'owners-app', recordedAt: AT, receivedAt: AT, author: { role: 'CUSTOMER', id: C } as never }),
      { PK: `CUST#${C}`, SK: `CONSENT#EMAIL#${AT}#S1`, type: 'ConsentStatement' },
    ],
    [
      'pending email change',
      pendingEmailChangeEntity.toItem({ customerId: C, fromEmail: 'a@x.io', toEmail: 'b@x.io', tokenHash: 'h', requestedAt: AT, expiresAt: AT }),
      { PK: `CUST#${C}`, SK: 'EMAILCHANGE', type: 'PendingEmailChange' },
    ],
    ['dealer link request', linkRequestItem(C, D, new Date(AT)), { PK: `CUST#${C}`, SK: `LINKREQUEST#${D}`, type: 'DealerLinkRequest' }],
    ['dealer profile', dealerEntity.toItem(makeDealer({ id: D, name: 'Porsche Zentrum Stuttgart' })), { PK: `DEALER#${D}`, SK: 'PROFILE', type: 'Dealer', GSI2PK: 'DEALERS', GSI2SK: `porsche zentrum stuttgart#${D}` }],
    ['dealer code claim', dealerCodeClaimItem('DE-STR-01', D), { PK: 'DEALERCODE#DE-STR-01', SK: 'DEALERCODE', type: 'DealerCodeClaim' }],
    ['API key record', apiKeyRecordEntity.toItem(apiKey), { PK: `DEALER#${D}`, SK: 'APIKEY#K1', type: 'ApiKey' }],
    ['API key lookup', apiKeyLookupItem(apiKey), { PK: 'APIKEY#abc', SK: 'APIKEY', type: 'ApiKeyLookup' }],
    ['vehicle without a plan', vehicleEntity.toItem(makeVehicle({ vin: VIN })), { PK: `VEH#${VIN}`, SK: 'VEHICLE', type: 'Vehicle' }],
    [
      'vehicle awaiting its reminder',
      vehicleEntity.toItem(plannedVehicle),
      { PK: `VEH#${VIN}`, SK: 'VEHICLE', type: 'Vehicle', GSI1PK: `DEALER#${D}`, GSI1SK: `DUE#2026-04-01#${VIN}`, GSI3PK: `REMINDERDUE#${reminderShard(VIN)}`, GSI3SK: `2026-04-01#${VIN}` },
    ],
    ['vehicle reminded this cycle', vehicleEntity.toItem({ ...plannedVehicle, remindedCycle: 1 }), { PK: `VEH#${VIN}`, SK: 'VEHICLE', type: 'Vehicle', GSI1PK: `DEALER#${D}`, GSI1SK: `DUE#2026-04-01#${VIN}` }],
    ['odometer reading', odometerToItem({ vin: VIN, km: 10, readAt: AT, source: 'admin', recordedAt: AT }, 'R1'), { PK: `VEH#${VIN}`, SK: `ODO#${AT}#R1`, type: 'OdometerReading' }],
    ['service visit', serviceVisitEntity.toItem(visit), { PK: `VEH#${VIN}`, SK: `VISIT#${AT}#V1`, type: 'ServiceVisit', GSI1PK: `CUST#${C}`, GSI1SK: `VISIT#${AT}#V1` }],
    ['maintenance reminder', reminderEntity.toItem(reminder), { PK: `VEH#${VIN}`, SK: 'REMINDER#000003', type: 'MaintenanceReminder', GSI1PK: `CUST#${C}`, GSI1SK: `REMINDER#${AT}#${VIN}` }],
    ['interaction', interactionEntity.toItem(interaction), { PK: `CUST#${C}`, SK: `INTERACTION#${AT}#I1`, type: 'Interaction' }],
    ['source event', sourceEventItem({ ...interaction, sourceSystem: 'sys#T' }), { PK: 'SOURCEEVENT#BRAND#sys%23T#e1', SK: 'SOURCEEVENT', type: 'SourceEvent' }],
    ['order fact', orderEntity.toItem({ id: 'O1', customerId: C, channel: 'ONLINE', lines: [], totalEurMinor: 0, orderedAt: AT }), { PK: `CUST#${C}`, SK: `ORDER#${AT}#O1`, type: 'ORDER' }],
    [
      'finance fact',
      financeContractEntity.toItem({ id: 'F1', customerId: C, kind: 'LOAN', vin: VIN, principalMinor: 1, monthlyMinor: 1, startDate: '2026-01-02', endDate: '2027-01-02', principal: { amountMinor: 1, currency: 'EUR' }, monthlyPayment: { amountMinor: 1, currency: 'EUR' }, termMonths: 12 }),
      { PK: `CUST#${C}`, SK: 'FINANCE#2026-01-02T00:00:00.000Z#F1', type: 'FINANCE' },
    ],
    ['survey fact', surveyEntity.toItem({ id: 'S1', customerId: C, at: AT, kind: 'NPS', score: 9, touchpoint: 'SERVICE' }), { PK: `CUST#${C}`, SK: `SURVEY#${AT}#S1`, type: 'SURVEY' }],
    [
      'club membership under review',
      membershipEntity.toItem(membershipEntity.make({ customerId: C, number: 'PC00000042', levelReviewOn: '2027-02-01' })),
      { PK: `CUST#${C}`, SK: 'CLUB#MEMBER', type: 'ClubMembership', GSI2PK: 'CLUBMEMBERS', GSI2SK: 'PC00000042', GSI5PK: `CLUBDUE#LEVEL#${scheduleShard(C)}`, GSI5SK: `2027-02-01#${C}#LEVEL` },
    ],
    ['club membership that left', membershipEntity.toItem(membershipEntity.make({ customerId: C, number: 'PC00000042', status: 'LEFT' })), { PK: `CUST#${C}`, SK: 'CLUB#MEMBER', type: 'ClubMembership', GSI2PK: 'CLUBMEMBERS', GSI2SK: 'PC00000042' }],
    [
      'club lot before its warning',
      lotItem(lotEntity.make({ customerId: C, id: 'L1', expiresOn: '2028-03-31', warned: false })),
      { PK: `CUST#${C}`, SK: 'CLUB#LOT#2028-03-31#L1', type: 'ClubPointsLot', GSI5PK: `CLUBDUE#LOT#${scheduleShard('L1')}`, GSI5SK: `2028-03-01#${C}#L1` },
    ],
    [
      'club lot warned, due to expire',
      lotItem(lotEntity.make({ customerId: C, id: 'L1', expiresOn: '2028-03-31', warned: true })),
      { PK: `CUST#${C}`, SK: 'CLUB#LOT#2028-03-31#L1', type: 'ClubPointsLot', GSI5PK: `CLUBDUE#LOT#${scheduleShard('L1')}`, GSI5SK: `2028-04-01#${C}#L1` },
    ],
    ['club lot emptied', lotItem(lotEntity.make({ customerId: C, id: 'L1', expiresOn: '2028-03-31', remaining: 0 })), { PK: `CUST#${C}`, SK: 'CLUB#LOT#2028-03-31#L1', type: 'ClubPointsLot' }],
    ['club ledger entry', ledgerEntryEntity.toItem(ledgerEntryEntity.make({ customerId: C, id: 'E1', at: AT })), { PK: `CUST#${C}`, SK: `CLUB#ENTRY#${AT}#E1`, type: 'ClubLedgerEntry' }],
    ['club accrual marker', accrualMarkerEntity.toItem(accrualMarkerEntity.make({ customerId: C, source: { type: 'ORDER', id: 'O#1' } })), { PK: `CUST#${C}`, SK: 'CLUB#SOURCE#ORDER#O%231', type: 'ClubAccrualSource' }],
    ['club redemption returned', redemptionReturnEntity.toItem(redemptionReturnEntity.make({ customerId: C, redemptionEntryId: 'E1' })), { PK: `CUST#${C}`, SK: 'CLUB#RETURN#E1', type: 'ClubRedemptionReturn' }],
  ];

  it.each(table)('%s', (_, item, expected) => {
    expect(keysOf(item)).toEqual(expected);
  });

  it('key builders without an item of their own', () => {
    expect(outboxItem('CustomerLinkRequested', { customerId: C, dealerId: D }, new Date(AT)).PK).toMatch(/^OUTBOX#[0-9A-Z]{26}$/);
    expect(jobFailureKeys.failure('scores', 'R1', { PK: `CUST#${C}`, SK: 'PROFILE' })).toEqual({ PK: 'JOBFAILURE#scores#R1', SK: `ITEM#CUST%23${C}#PROFILE` });
    expect(valueKeys.run('R1')).toEqual({ PK: 'SCORERUN#R1', SK: 'RUN' });
    expect(valueKeys.segment('R1', 7)).toEqual({ PK: 'SCORERUN#R1', SK: 'SEG#0007' });
    expect(valueKeys.segmentPrefix).toBe('SEG#');
    expect(valueKeys.segmentSums('R1', '2026-03', 7, dealerKeys.kpiScope(D))).toEqual({ PK: 'SCORERUN#R1', SK: `SUMS#2026-03#0007#DEALER#${D}` });
    expect(valueKeys.segmentSumsPrefix).toBe('SUMS#');
    expect(valueKeys.kpi('2026-03', dealerKeys.kpiScope(D))).toEqual({ PK: 'KPI#2026-03', SK: `DEALER#${D}` });
    expect(valueKeys.byValueSort(12_345, C)).toBe(`000000000012345#${C}`);
    expect(emailChangeKeys.pending(C)).toEqual({ PK: `CUST#${C}`, SK: 'EMAILCHANGE' });
    expect(consentKeys.channelUpTo('SMS', AT)).toBe(`CONSENT#SMS#${AT}$`);
    expect(customerKeys.linkUnderDealerPrefix).toBe('CUST#');
    expect(apiKeyKeys.recordPrefix).toBe('APIKEY#');
    expect(factKeys.interactionPrefix).toBe('INTERACTION#');
    expect(serviceVisitKeys.prefix).toBe('VISIT#');
    expect(reminderKeys.prefix).toBe('REMINDER#');
    expect(vehicleKeys.odometerUpTo(AT)).toEqual({ from: 'ODO#', to: `ODO#${AT}#\uffff` });
    expect(vehicleKeys.odometerAfter(AT)).toEqual({ from: `ODO#${AT}#\uffff`, to: 'ODO#\uffff' });
    expect(vehicleKeys.dueAtDealerBetween('2026-04-01', '2026-04-30')).toEqual({ from: 'DUE#2026-04-01', to: 'DUE#2026-04-30#\uffff' });
    expect(vehicleKeys.dueAtDealerBefore('2026-04-01')).toEqual({ from: 'DUE#', to: 'DUE#2026-04-01' });
    expect(vehicleKeys.reminderShard(5)).toBe('REMINDERDUE#5');
    expect(vehicleKeys.reminderDueBy('2026-04-01')).toBe('2026-04-01#\uffff');
    expect(clubKeys.numberCounter).toEqual({ PK: 'CLUB#COUNTER', SK: 'MEMBERSHIPNUMBER' });
    expect(clubKeys.lotPrefix).toBe('CLUB#LOT#');
    expect(clubKeys.entryPrefix).toBe('CLUB#ENTRY#');
  });
});

describe('Entity round trips and validation', () => {
  it('read back every record as written, without key, index or type attributes', () => {
    expect(serviceVisitEntity.fromItem(serviceVisitEntity.toItem(visit))).toEqual(visit);
    expect(reminderEntity.fromItem(reminderEntity.toItem(reminder))).toEqual(reminder);
    expect(interactionEntity.fromItem(interactionEntity.toItem(interaction))).toEqual(interaction);
    expect(vehicleEntity.fromItem(vehicleEntity.toItem(plannedVehicle))).toEqual(plannedVehicle);
    expect(apiKeyRecordEntity.fromItem(apiKeyRecordEntity.toItem(apiKey))).toEqual(apiKey);
    expect(apiKeyLookupFromItem(apiKeyLookupItem(apiKey))).toEqual({ id: 'K1', dealerId: D, scopes: ['customers:read'] });
    const reading = { vin: VIN, km: 10, readAt: AT, source: 'admin', recordedAt: AT };
    expect(odometerFromItem(odometerToItem(reading, 'R1'))).toEqual(reading);
    expect(Object.keys(reminderEntity.fromItem(reminderEntity.toItem(reminder)))).not.toContain('GSI1PK');
  });

  it('refuse an item of another kind, naming the entity and the key', () => {
    const item = dealerEntity.toItem(makeDealer({ id: D }));
    expect(() => customerEntity.fromItem(item)).toThrow(MalformedItemError);
    expect(() => customerEntity.fromItem(item)).toThrow(`Malformed Customer item DEALER#${D} / PROFILE`);
  });

  it('refuse a malformed item with every bad field, as a typed fault', () => {
    const item = { ...reminderEntity.toItem(reminder), cycle: '3', status: 'LOST', items: 'none' };
    let fault: unknown;
    try {
      reminderEntity.fromItem(item);
    } catch (error) {
      fault = error;
    }
    expect(fault).toBeInstanceOf(MalformedItemError);
    expect(fault).toMatchObject({ name: 'MalformedItemError', entity: 'MaintenanceReminder', key: { PK: `VEH#${VIN}`, SK: 'REMINDER#000003' } });
    expect((fault as MalformedItemError).problems).toEqual([
      'cycle: expected a number, got string',
      'items: expected a list of maps, got string',
      'status: expected one of OPEN, ACKNOWLEDGED, BOOKED, DISMISSED, COMPLETED, got string',
    ]);
  });

  it('refuse a customer whose VINs are not a set and whose version is missing', () => {
    const { version: _v, ...item } = customerEntity.toItem(makeCustomer());
    expect(() => customerEntity.fromItem({ ...item, vehicleVins: 'WP0' })).toThrow(/vehicleVins: expected a string set.*version: expected a number/);
  });

  it('read a vehicle written before reminder cycles existed as in its first, un-reminded cycle', () => {
    const { reminderCycle: _r, remindedCycle: _d, ...item } = vehicleEntity.toItem(makeVehicle());
    expect(vehicleEntity.fromItem(item)).toMatchObject({ reminderCycle: 1, remindedCycle: 0 });
  });
});

/**
 * Key prefixes and index attribute names are written in their entity definition only; a
 * prefix spelled out anywhere else is a key format that can drift from its entity.
 */
describe('Key formats live in their entity definitions', () => {
  const SRC = join(import.meta.dirname, '../../src');
  const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
  const sources = files(SRC)
    .filter((f) => !f.includes('__generated__'))
    .map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));

  // Each prefix and the one file that defines it.
  const OWNERS: Record<string, string> = {
    CUST: 'customer/customer.ts',
    EMAIL: 'customer/customer.ts',
    CONSENT: 'customer/consent.ts',
    EMAILCHANGE: 'customer/email-change.ts',
    LINKREQUEST: 'customer/link-request.ts',
    DEALER: 'dealer/dealer.ts',
    DEALERCODE: 'dealer/dealer.ts',
    APIKEY: 'dealer/api-key-record.ts',
    VEH: 'vehicle/vehicle.ts',
    ODO: 'vehicle/vehicle.ts',
    DUE: 'vehicle/vehicle.ts',
    REMINDERDUE: 'vehicle/vehicle.ts',
    TLM: 'vehicle/telemetry-records.ts',
    SOH: 'vehicle/telemetry-records.ts',
    VISIT: 'service/service-visit.ts',
    REMINDER: 'reminder/reminder.ts',
    INTERACTION: 'value/fact-repository.ts',
    SOURCEEVENT: 'value/fact-repository.ts',
    SCORERUN: 'value/value-repository.ts',
    SEG: 'value/value-repository.ts',
    SUMS: 'value/value-repository.ts',
    KPI: 'value/value-repository.ts',
    CLUB: 'club/club-records.ts',
    CLUBDUE: 'club/club-records.ts',
    CLUBMEMBERS: 'club/club-records.ts',
    CLUBKPI: 'club-kpis/club-kpi-records.ts',
    CLUBEVENT: 'events/event-records.ts',
    CLUBEVENTS: 'events/event-records.ts',
    EVENTREG: 'events/event-records.ts',
    EVENTWAIT: 'events/event-records.ts',
    EVENTDUE: 'events/event-records.ts',
    REWARD: 'rewards/reward-records.ts',
    FLEETRATES: 'fleet-rates/fleet-rates-records.ts',
    VERSION: 'fleet-rates/fleet-rates-records.ts',
    REWARDCODE: 'rewards/reward-records.ts',
    REWARDS: 'rewards/reward-records.ts',
    VOUCHER: 'rewards/reward-records.ts',
    OFFER: 'offers/offer-records.ts',
    OFFERVERSION: 'offers/offer-records.ts',
    OFFERDEC: 'offers/offer-records.ts',
    OFFERFOLLOWUP: 'offers/offer-records.ts',
    OFFERRESPONSE: 'offers/offer-records.ts',
    OFFERSTATS: 'offers/offer-records.ts',
    OFFERSRUN: 'offers/offer-records.ts',
    OFFERSEG: 'offers/offer-records.ts',
    OUTBOX: 'store/outbox.ts',
    JOBFAILURE: 'store/job-failures.ts',
    ITEM: 'store/job-failures.ts',
  };
  // A prefix as a key part: quoted and followed by `#` (`'CUST#'`, `` `CUST#${id}` ``), or a whole quoted prefix given to joinKey.
  const prefixPattern = (prefix: string) => new RegExp(`['"\`]${prefix}#|joinKey\\(\\s*['"\`]${prefix}['"\`]|const \\w+ = ['"\`]${prefix}['"\`]`);

  const withoutComments = (text: string) => text.replace(/^\s*(\/\/|\*|\/\*).*$/gm, '');
  /**
   * Every key prefix a source writes: a quoted uppercase word followed by `#` (`'CUST#'`,
   * `` `DUE#${…}` ``), a quoted word given to joinKey, or the string of a constant of the
   * same file given to joinKey or followed by `#` in a template (`const VEHICLE = 'VEH'` …
   * `joinKey(VEHICLE, vin)`, `` `${PREFIX}#…` ``).
   */
  const prefixesIn = (text: string): string[] => {
    const found = [...text.matchAll(/['"`]([A-Z][A-Z0-9_]*)#/g), ...text.matchAll(/joinKey\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g)].map((m) => m[1]!);
    for (const [, name] of [...text.matchAll(/joinKey\(\s*([A-Za-z_]\w*)\s*[,)]/g), ...text.matchAll(/\$\{([A-Za-z_]\w*)\}#/g)]) {
      const constant = new RegExp(`const ${name} = ['"\`]([A-Z][A-Z0-9_]*)['"\`]`).exec(text);
      if (constant) found.push(constant[1]!);
    }
    return found;
  };

  it('every key prefix written in src/ has an owner in the table above (a new prefix must be added with its entity)', () => {
    const unowned = sources.flatMap((s) => prefixesIn(withoutComments(s.text)).filter((prefix) => !Object.hasOwn(OWNERS, prefix)).map((prefix) => `${prefix} in ${s.path}`));
    expect(unowned).toEqual([]);
  });

  it('the prefix collector finds each way a prefix is written', () => {
    expect(prefixesIn("PK: `CLUB#${id}`, SK: 'POINTS#' + at, x: joinKey('LEDGER', id)")).toEqual(['CLUB', 'POINTS', 'LEDGER']);
    expect(prefixesIn("const MEMBER = 'MEMBER';\nconst key = joinKey(MEMBER, id);")).toEqual(['MEMBER']);
    expect(prefixesIn("const RUN = 'RUN';\nconst pk = `${RUN}#${id}`;")).toEqual(['RUN']);
    expect(prefixesIn("joinKey(kind, at, id); 'plain text'; `${a}#${b}`")).toEqual([]);
  });

  it.each(Object.entries(OWNERS))('%s is written only in %s', (prefix, owner) => {
    const offenders = sources.filter((s) => s.path !== owner && prefixPattern(prefix).test(withoutComments(s.text))).map((s) => s.path);
    expect(offenders).toEqual([]);
  });

  it('index attribute names are written only in store/table.ts', () => {
    const offenders = sources.filter((s) => s.path !== 'store/table.ts' && /GSI\d(PK|SK)/.test(withoutComments(s.text))).map((s) => s.path);
    expect(offenders).toEqual([]);
  });

  it('the scan would catch a prefix written outside its entity', () => {
    expect(prefixPattern('CUST').test("partition: `CUST#${id}`")).toBe(true);
    expect(prefixPattern('DEALER').test("joinKey('DEALER', id)")).toBe(true);
    expect(prefixPattern('SEG').test("':seg': 'SEG#'")).toBe(true);
    expect(prefixPattern('VEH').test("const PREFIX = 'VEH'")).toBe(true);
  });
});

describe('Entity fixtures', () => {
  it('every entity of every domain has a fixture that survives its own round trip through an item', async () => {
    // Prepare: load every domain (its module and repositories define, and so register, its entities)
    await import('../../src/__generated__/repositories.js');
    await import('../../src/graphql/__generated__/modules.js');
    const entities = definedEntities();
    const SRC = join(import.meta.dirname, '../../src');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
    // store/entity.ts defines the function (and shows it in an example); every other use is an entity.
    const declared = files(SRC).filter((f) => !f.endsWith(join('store', 'entity.ts'))).reduce((n, f) => n + (readFileSync(f, 'utf8').match(/\bdefineEntity</g)?.length ?? 0), 0);

    // Assess: every definition in src/ was checked, one per item type
    expect(new Set(entities.map((e) => e.name)).size).toBe(entities.length);
    expect(entities).toHaveLength(declared);
    for (const entity of entities) expect(entity.fromItem(entity.toItem(entity.make())), entity.name).toEqual(entity.make());
  });
});
