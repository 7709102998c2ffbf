import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoaders } from '../../src/auth/loaders.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { toGlobalId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { runScoresLocally, scoresRunFor } from '../../src/value/scores-job.js';
import { createTestApi, type GraphQLResponse, type TestApi } from '../support/api.js';
import { ALL_SCOPES, createCustomer, createDealer, issueKey, nextVin, registerVehicle } from '../support/fixtures.js';

/**
 * Hostile inputs that carry keys, cursors, dates and amounts, through the real Lambda
 * handler, as an admin and as a dealer key. Each must be answered as the caller's mistake
 * (null / NOT_FOUND, BAD_USER_INPUT on `after`, INVALID_DATE, OUT_OF_RANGE) — never as a
 * fault — must write nothing, and must not take a valid neighbour in the same request down.
 */
describe('Security: key-bearing inputs, cursors, impossible dates, money bounds', () => {
  let api: TestApi;
  const now = new Date('2026-03-20T09:00:00Z');
  const quiet = createLogger({}, { level: 'error', write: () => true });
  let dealerA: { id: string }, dealerB: { id: string };
  let keyA: Record<string, string>;
  let admin: Record<string, string>;
  let ownerA: { id: string }, otherA: { id: string }, ownerB: { id: string };
  let vinA: string, vinA2: string, vinB: string;

  const ok = (res: GraphQLResponse) => {
    expect(res.errors).toBeUndefined();
    const payload = Object.values(res.data ?? {})[0] as { userErrors?: unknown[] };
    if (payload && 'userErrors' in payload) expect(payload.userErrors).toEqual([]);
    return res;
  };
  const visit = (vin: string, performedAt: string, amount = '450.00') => ({
    vin,
    performedAt,
    odometerKm: 7_000 + Number(performedAt.slice(8, 10)) * 10,
    kind: 'MAINTENANCE',
    // Unscheduled work: the cars stay due for their first oil service, so the reminders job reminds every one.
    items: [{ code: 'BRAKE_PADS', parts: [{ description: 'Brake pads', quantity: 4, amount: { amount, currency: 'EUR' } }] }],
    totalAmount: { amount, currency: 'EUR' },
    waitTimeMinutes: 60,
    firstTimeFix: true,
  });
  /** As the brand's admin, naming the dealer that did the work. */
  const recordVisit = (input: Record<string, unknown>, dealerId = dealerA.id) =>
    api.call(`mutation($input: RecordServiceVisitInput!) { recordServiceVisit(input: $input) { serviceVisit { id } userErrors { field code } } }`, { input: { dealerId, ...input } }, admin);
  const interaction = (customerId: string, id: string, occurredAt = '2026-03-01T10:00:00Z') => ({ customerId, sourceSystem: 'web', sourceEventId: id, channel: 'WEB', type: 'PAGE_VIEW', modelLine: 'TAYCAN', occurredAt });
  const recordInteractions = (events: Record<string, unknown>[]) =>
    api.call(`mutation($events: [InteractionInput!]!) { recordInteractions(input: { events: $events }) { accepted results { outcome userErrors { field code } } userErrors { field code } } }`, { events }, admin);

  /** Every item in the table: a refused input must leave it exactly as it was. */
  const itemCount = async () => {
    const { Count } = await api.store.doc.send(new ScanCommand({ TableName: api.store.tableName, Select: 'COUNT', ConsistentRead: true }));
    return Count ?? 0;
  };

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    admin = api.bearer('admin');
    dealerA = await createDealer(api, 'DE-SEC-A');
    dealerB = await createDealer(api, 'DE-SEC-B');
    keyA = { 'x-api-key': (await issueKey(api, dealerA.id, [...ALL_SCOPES, 'SERVICE_WRITE'])).secret };
    ownerA = await createCustomer(api, keyA);
    otherA = await createCustomer(api, keyA);
    ownerB = await createCustomer(api, admin);
    // Bought 2025-04-01 (the fixture's date): the first oil service falls due 2026-04-01, so the job reminds now.
    vinA = (await registerVehicle(api, keyA, { ownerId: ownerA.id })).vin;
    vinA2 = (await registerVehicle(api, keyA, { ownerId: ownerA.id })).vin;
    vinB = (await registerVehicle(api, admin, { ownerId: ownerB.id, sellingDealerId: dealerB.id })).vin;
    for (const [km, readAt] of [[3_000, '2025-09-01T10:00:00Z'], [6_000, '2026-01-10T10:00:00Z']] as const) {
      ok(await api.call(`mutation($input: RecordOdometerReadingInput!) { recordOdometerReading(input: $input) { userErrors { field code } } }`, { input: { vin: vinA, km, readAt } }, admin));
    }
    ok(await recordVisit(visit(vinA, '2026-02-10T10:00:00Z')));
    ok(await recordVisit(visit(vinA, '2026-02-20T10:00:00Z')));
    ok(await recordVisit(visit(vinB, '2026-02-20T10:00:00Z'), dealerB.id));
    expect((await recordInteractions([interaction(ownerA.id, 'e1'), interaction(ownerA.id, 'e2'), interaction(ownerB.id, 'e3')])).data?.recordInteractions.accepted).toBe(3);
    const job = await runRemindersJob({ reminders: api.store.repos.reminders, customers: api.store.repos.customers, logger: quiet }, { now });
    expect(job.remindersCreated).toBe(3);
    await runScoresLocally({ values: api.store.repos.values, logger: quiet }, scoresRunFor(now, 2));
  });
  afterAll(() => api.close());

  describe('key-bearing arguments', () => {
    const longVins = ['A'.repeat(2_100), 'A'.repeat(1_100), '', '   ', 'VEH#X', '🚗'.repeat(600), 'WP0ZZZ99ZTS392124#VEHICLE', '%00'.repeat(700)];

    for (const who of ['admin', 'dealer'] as const) {
      it(`as ${who}: a long or garbage VIN is simply not found, and the valid lookup beside it is still answered`, async () => {
        const headers = who === 'admin' ? admin : keyA;
        for (const bad of longVins) {
          const res = await api.call(`query($bad: String!, $vin: String!) { bad: vehicle(vin: $bad) { vin } good: vehicle(vin: $vin) { vin owner { id } } }`, { bad, vin: vinA.toLowerCase() }, headers);
          expect(res.errors, bad.slice(0, 20)).toBeUndefined();
          expect(res.data).toEqual({ bad: null, good: { vin: vinA, owner: { id: ownerA.id } } });
        }
      });

      it(`as ${who}: forged global ids of every type are null, the valid node beside them is still answered`, async () => {
        const headers = who === 'admin' ? admin : keyA;
        const forged = [
          ...(['Customer', 'Vehicle', 'Dealer', 'DealerApiKey', 'ServiceVisit', 'MaintenanceReminder'] as const).flatMap((type) => [toGlobalId(type, 'A'.repeat(140)), toGlobalId(type, 'x#PROFILE'), toGlobalId(type, '01')]),
          toGlobalId('ServiceVisit', `${vinA}|${'9'.repeat(100)}|01`),
          toGlobalId('Vehicle', `${vinA}#x`),
          'Q'.repeat(5_000),
          '',
        ];
        const res = await api.call(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [...forged, ownerA.id] }, headers);
        expect(res.errors).toBeUndefined();
        expect(res.data?.nodes).toEqual([...forged.map(() => null), { id: ownerA.id }]);
        const one = await api.call(`query($id: ID!, $bad: ID!) { bad: customer(id: $bad) { id } dealerBad: dealer(id: $bad) { id } good: customer(id: $id) { id } }`, { id: ownerA.id, bad: toGlobalId('Customer', 'Z'.repeat(140)) }, headers);
        expect(one.errors).toBeUndefined();
        expect(one.data).toEqual({ bad: null, dealerBad: null, good: { id: ownerA.id } });
      });

      it(`as ${who}: mutations answer long VINs and forged ids as the caller's mistake and write nothing`, async () => {
        const headers = who === 'admin' ? admin : keyA;
        const before = await itemCount();
        const reading = await api.call(`mutation($input: RecordOdometerReadingInput!) { recordOdometerReading(input: $input) { userErrors { field code } } }`, { input: { vin: 'A'.repeat(2_100), km: 9_000, readAt: '2026-03-01T10:00:00Z' } }, headers);
        expect(reading.data?.recordOdometerReading.userErrors).toEqual([{ field: ['input', 'vin'], code: 'INVALID_VIN' }]);
        const update = await api.call(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { field code } } }`, { input: { id: toGlobalId('Customer', 'A'.repeat(140)), version: 1, firstName: 'X' } }, headers);
        expect(update.errors).toBeUndefined();
        expect(update.data?.updateCustomer.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
        // A dealer key's use is stamped at most once a minute; the admin call is the one that must write nothing at all.
        if (who === 'admin') expect(await itemCount()).toBe(before);
      });
    }

    it('a batch DynamoDB refuses is read again key by key: one refused key never fails its neighbours', async () => {
      // Fault injection: the store refuses any batch that holds the poisoned VIN, as DynamoDB refuses an oversized key.
      const poisoned = nextVin();
      const repos = {
        ...api.store.repos,
        vehicles: Object.assign(Object.create(api.store.repos.vehicles), {
          getMany: (vins: readonly string[]) => {
            if (vins.includes(poisoned)) return Promise.reject(Object.assign(new Error('Hash primary key values must be under 2048 bytes'), { name: 'ValidationException' }));
            return api.store.repos.vehicles.getMany(vins);
          },
        }),
      };
      const loaders = createLoaders(repos);
      const [good, bad, absent, malformed] = await Promise.allSettled([loaders.vehicle.load(vinA), loaders.vehicle.load(poisoned), loaders.vehicle.load(nextVin()), loaders.vehicle.load('A'.repeat(2_100))]);
      expect(good).toMatchObject({ status: 'fulfilled', value: { vin: vinA } });
      expect(bad.status).toBe('rejected');
      expect(absent).toEqual({ status: 'fulfilled', value: null });
      expect(malformed).toEqual({ status: 'fulfilled', value: null });
    });
  });

  describe('cursors', () => {
    type Who = 'admin' | 'dealer';
    interface ConnectionCase {
      name: string;
      who: Who;
      /** A query with `$after`, reading the connection with `first: 1`. */
      query: string;
      variables: () => Record<string, unknown>;
      connection: (data: any) => { edges: { cursor: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
      /** Where the queried partition and sort key sit among the cursor's key values, and whether the query reads a sort-key prefix. */
      partitionAt: number;
      sortAt: number;
      prefix: boolean;
      /** The attribute names the cursors of the old format carried for this query. */
      keyNames: string[];
    }
    const page = (field: string, args = '') => `${field}(first: 1, after: $after${args}) { edges { cursor } pageInfo { endCursor hasNextPage } }`;
    const table = { partitionAt: 0, sortAt: 1, keyNames: ['PK', 'SK'] };
    const byIndex = (n: number) => ({ partitionAt: 2, sortAt: 3, keyNames: ['PK', 'SK', `GSI${n}PK`, `GSI${n}SK`] });
    const cases: ConnectionCase[] = [
      { name: 'customers (all, by name)', who: 'admin', query: `query($after: String) { ${page('customers')} }`, variables: () => ({}), connection: (d) => d.customers, prefix: false, ...byIndex(2) },
      { name: 'customers (by CLV, with a minimum)', who: 'admin', query: `query($after: String) { ${page('customers', ', filter: { minClv: "0.01" }')} }`, variables: () => ({}), connection: (d) => d.customers, prefix: false, ...byIndex(4) },
      { name: "customers (a dealer key's own)", who: 'dealer', query: `query($after: String) { ${page('customers')} }`, variables: () => ({}), connection: (d) => d.customers, prefix: true, ...byIndex(1) },
      { name: 'dealers', who: 'admin', query: `query($after: String) { ${page('dealers')} }`, variables: () => ({}), connection: (d) => d.dealers, prefix: false, ...byIndex(2) },
      { name: 'Dealer.customers', who: 'admin', query: `query($id: ID!, $after: String) { dealer(id: $id) { ${page('customers')} } }`, variables: () => ({ id: dealerA.id }), connection: (d) => d.dealer.customers, prefix: true, ...byIndex(1) },
      ...(['admin', 'dealer'] as const).flatMap((who): ConnectionCase[] => [
        { name: 'Customer.serviceHistory', who, query: `query($id: ID!, $after: String) { customer(id: $id) { ${page('serviceHistory')} } }`, variables: () => ({ id: ownerA.id }), connection: (d) => d.customer.serviceHistory, prefix: true, ...byIndex(1) },
        { name: 'Customer.reminders', who, query: `query($id: ID!, $after: String) { customer(id: $id) { ${page('reminders')} } }`, variables: () => ({ id: ownerA.id }), connection: (d) => d.customer.reminders, prefix: true, ...byIndex(1) },
        { name: 'Customer.interactions', who, query: `query($id: ID!, $after: String) { customer(id: $id) { ${page('interactions')} } }`, variables: () => ({ id: ownerA.id }), connection: (d) => d.customer.interactions, prefix: true, ...table },
        { name: 'Vehicle.serviceHistory', who, query: `query($vin: String!, $after: String) { vehicle(vin: $vin) { ${page('serviceHistory')} } }`, variables: () => ({ vin: vinA }), connection: (d) => d.vehicle.serviceHistory, prefix: true, ...table },
        { name: 'Vehicle.reminders', who, query: `query($vin: String!, $after: String) { vehicle(vin: $vin) { ${page('reminders')} } }`, variables: () => ({ vin: vinA }), connection: (d) => d.vehicle.reminders, prefix: true, ...table },
        { name: 'Vehicle.odometerHistory', who, query: `query($vin: String!, $after: String) { vehicle(vin: $vin) { ${page('odometerHistory')} } }`, variables: () => ({ vin: vinA }), connection: (d) => d.vehicle.odometerHistory, prefix: true, ...table },
      ]),
    ];

    const headersOf = (who: Who) => (who === 'admin' ? admin : keyA);
    const fetchPage = (c: ConnectionCase, after?: unknown) => api.call(c.query, { ...c.variables(), after }, headersOf(c.who));
    const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
    const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const expectRefused = (res: GraphQLResponse, label: string) => {
      expect(res.errors?.length, label).toBe(1);
      expect(res.errors?.[0]?.extensions, label).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    };

    /** Well-formed forgeries of every flavour, made from a real cursor of the same list (and one of another list). */
    function forgeries(c: ConnectionCase, real: string, foreign: string): [string, string][] {
      const [tag, ...values] = decode(real) as string[];
      const withValue = (at: number, value: unknown) => encode([tag, ...values.map((v, i) => (i === at ? value : v))]);
      const asObject = (vals: unknown[]) => Object.fromEntries(c.keyNames.map((name, i) => [name, vals[i]]).filter(([, v]) => v !== undefined));
      const list: [string, string][] = [
        ['a cursor of another list', foreign],
        ['the old format, exactly this key', encode(asObject(values))],
        ['the old format without the index sort key', encode(asObject(values.slice(0, Math.max(2, c.keyNames.length - 1))))],
        ['the old format outside the sort-key range', encode(asObject(values.map((v, i) => (i === c.sortAt ? '~' : v))))],
        ['key attributes missing', encode([tag, ...values.slice(0, -1)])],
        ['a key attribute too many', encode([tag, ...values, 'x'])],
        ['another partition', withValue(c.partitionAt, `${values[c.partitionAt]}X`)],
        ['a number for a key', withValue(c.sortAt, 7)],
        ['an empty key value', withValue(0, '')],
        ['a key value past DynamoDB’s size limits', withValue(c.sortAt, `${values[c.sortAt]}${'x'.repeat(2_100)}`)],
        ['a huge cursor', 'A'.repeat(100_000)],
        ['not base64url', '%%%/+=='],
        ['not JSON', encode('{"PK":')],
      ];
      if (c.prefix) list.push(['a sort key outside the prefix', withValue(c.sortAt, '~')]);
      return list;
    }

    for (const [n, c] of cases.entries()) {
      it(`${c.name} as ${c.who}: a real cursor pages on; every forged cursor is BAD_USER_INPUT on \`after\``, async () => {
        const first = await fetchPage(c);
        expect(first.errors).toBeUndefined();
        const real = c.connection(first.data).pageInfo.endCursor;
        expect(real, 'the first page has a cursor').toBeTruthy();
        const next = await fetchPage(c, real);
        expect(next.errors).toBeUndefined();
        expect(c.connection(next.data).edges.map((e) => e.cursor)).not.toContain(real);

        const other = cases[(n + 1) % cases.length]!;
        const foreign = other.connection((await fetchPage(other)).data).pageInfo.endCursor!;
        for (const [label, forged] of forgeries(c, real!, foreign)) expectRefused(await fetchPage(c, forged), label);
      });
    }

    for (const who of ['admin', 'dealer'] as const) {
      it(`Customer.vehicles as ${who}: a real cursor pages on; garbage and huge cursors are BAD_USER_INPUT`, async () => {
        const query = `query($id: ID!, $after: String) { customer(id: $id) { vehicles(first: 1, after: $after) { edges { node { vin } } pageInfo { endCursor } } } }`;
        const first = await api.call(query, { id: ownerA.id }, headersOf(who));
        const second = await api.call(query, { id: ownerA.id, after: first.data?.customer.vehicles.pageInfo.endCursor }, headersOf(who));
        expect([...first.data?.customer.vehicles.edges, ...second.data?.customer.vehicles.edges].map((e: { node: { vin: string } }) => e.node.vin).sort()).toEqual([vinA, vinA2].sort());
        for (const forged of ['A'.repeat(100_000), '%%%', encode('VEH#x y'), encode('x'.repeat(500))]) expectRefused(await api.call(query, { id: ownerA.id, after: forged }, headersOf(who)), forged.slice(0, 20));
      });
    }
  });

  describe('impossible date-times', () => {
    // Past fields must lie before "now" (2026-03-20), future ones after it, so that the old
    // roll-over (30 February → 2 March) would have been accepted rather than refused for another reason.
    const impossible = (when: 'past' | 'future') =>
      when === 'past'
        ? ['2026-02-30T12:00:00Z', '2026-02-29T12:00:00Z', '2026-02-10T24:00:00Z', '2026-02-10T10:60:00Z', '2026-02-10T10:00:00+14:30', '2026-02-10T10:00:00-23:00']
        : ['2026-04-31T12:00:00Z', '2026-06-31T12:00:00Z', '2026-04-10T24:00:00Z', '2026-04-10T10:60:00Z', '2026-04-10T10:00:00+14:30', '2026-04-10T10:00:00-23:00'];
    let reminderId: string;
    beforeAll(async () => {
      const res = await api.call(`query($id: ID!) { customer(id: $id) { reminders { edges { node { id } } } } }`, { id: ownerA.id }, admin);
      reminderId = res.data?.customer.reminders.edges[0].node.id;
      expect(reminderId).toBeTruthy();
    });

    const fields: { field: string; when: 'past' | 'future'; send: (at: string) => Promise<GraphQLResponse>; errors: (data: any) => unknown[]; path: string[] }[] = [
      {
        field: 'readAt',
        when: 'past',
        send: (at) => api.call(`mutation($input: RecordOdometerReadingInput!) { recordOdometerReading(input: $input) { userErrors { field code } } }`, { input: { vin: vinA, km: 6_500, readAt: at } }, admin),
        errors: (d) => d.recordOdometerReading.userErrors,
        path: ['input', 'readAt'],
      },
      {
        field: 'odometerReadAt',
        when: 'past',
        send: (at) =>
          api.call(
            `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { userErrors { field code } } }`,
            { input: { vin: nextVin(), ownerId: ownerA.id, sellingDealerId: dealerA.id, modelLine: 'MACAN', variant: 'Macan', powertrain: 'ELECTRIC', modelYear: 2025, purchaseDate: '2025-04-01', purchasePrice: { amount: '90000', currency: 'EUR' }, odometerKm: 10, odometerReadAt: at } },
            admin,
          ),
        errors: (d) => d.registerVehicle.userErrors,
        path: ['input', 'odometerReadAt'],
      },
      { field: 'performedAt', when: 'past', send: (at) => recordVisit(visit(vinA2, at)), errors: (d) => d.recordServiceVisit.userErrors, path: ['input', 'performedAt'] },
      {
        field: 'expiresAt',
        when: 'future',
        send: (at) => api.call(`mutation($input: IssueDealerApiKeyInput!) { issueDealerApiKey(input: $input) { userErrors { field code } } }`, { input: { dealerId: dealerA.id, name: 'DMS', scopes: ['VEHICLES_READ'], expiresAt: at } }, admin),
        errors: (d) => d.issueDealerApiKey.userErrors,
        path: ['input', 'expiresAt'],
      },
      {
        field: 'appointmentAt',
        when: 'future',
        send: (at) => api.call(`mutation($input: BookServiceFromReminderInput!) { bookServiceFromReminder(input: $input) { userErrors { field code } } }`, { input: { id: reminderId, appointmentAt: at } }, admin),
        errors: (d) => d.bookServiceFromReminder.userErrors,
        path: ['input', 'appointmentAt'],
      },
      { field: 'occurredAt', when: 'past', send: (at) => recordInteractions([interaction(ownerA.id, `bad-${at}`, at)]), errors: (d) => d.recordInteractions.results[0].userErrors, path: ['input', 'events', '0', 'occurredAt'] },
      {
        field: 'orderedAt',
        when: 'past',
        send: (at) =>
          api.call(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { userErrors { field code } } }`, { input: { customerId: ownerA.id, channel: 'ONLINE', orderedAt: at, lines: [{ sku: 'WAP-01', description: 'Cap', quantity: 1, unitPrice: { amount: '45', currency: 'EUR' } }] } }, admin),
        errors: (d) => d.recordOrder.userErrors,
        path: ['input', 'orderedAt'],
      },
      {
        field: 'submittedAt',
        when: 'past',
        send: (at) => api.call(`mutation($input: SubmitSurveyInput!) { submitSurvey(input: $input) { userErrors { field code } } }`, { input: { customerId: ownerA.id, kind: 'NPS', score: 9, touchpoint: 'SERVICE', submittedAt: at } }, admin),
        errors: (d) => d.submitSurvey.userErrors,
        path: ['input', 'submittedAt'],
      },
      {
        field: 'consent recordedAt',
        when: 'past',
        send: (at) => api.call(`mutation($input: SetConsentsInput!) { setConsents(input: $input) { userErrors { field code } } }`, { input: { customerId: ownerA.id, consents: [{ channel: 'EMAIL', granted: true, source: 'app', recordedAt: at }] } }, admin),
        errors: (d) => d.setConsents.userErrors,
        path: ['input', 'consents', '0', 'recordedAt'],
      },
    ];

    for (const f of fields) {
      it(`${f.field}: a date-time that does not exist is INVALID_DATE on its field, and nothing is written`, async () => {
        for (const at of impossible(f.when)) {
          const before = await itemCount();
          const res = await f.send(at);
          expect(res.errors, at).toBeUndefined();
          expect(f.errors(res.data), at).toEqual([{ field: f.path, code: 'INVALID_DATE' }]);
          expect(await itemCount(), at).toBe(before);
        }
      });
    }
  });

  describe('dealer ids in writes', () => {
    it("refuses a dealer naming another dealer as a car's servicing dealer, as if that dealer did not exist, writing nothing", async () => {
      const before = await itemCount();
      const res = await api.call(
        `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { vin } userErrors { field code } } }`,
        { input: { vin: nextVin(), ownerId: ownerA.id, servicingDealerId: dealerB.id, modelLine: 'MACAN', variant: 'Macan', powertrain: 'ELECTRIC', modelYear: 2025, purchaseDate: '2025-04-01', purchasePrice: { amount: '90000', currency: 'EUR' }, odometerKm: 10, odometerReadAt: '2025-04-01T10:00:00Z' } },
        keyA,
      );
      expect(res.data?.registerVehicle).toEqual({ vehicle: null, userErrors: [{ field: ['input', 'servicingDealerId'], code: 'NOT_FOUND' }] });
      expect(await itemCount()).toBe(before);
    });
  });

  describe('calendar dates outside 1900–9999', () => {
    it('refuses a purchase date in year 0 with OUT_OF_RANGE instead of planning its service for 1901', async () => {
      for (const purchaseDate of ['0000-01-01', '0001-01-01', '1899-12-31']) {
        const before = await itemCount();
        const res = await api.call(
          `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { vin } userErrors { field code } } }`,
          { input: { vin: nextVin(), ownerId: ownerA.id, sellingDealerId: dealerA.id, modelLine: 'MACAN', variant: 'Macan', powertrain: 'ELECTRIC', modelYear: 2025, purchaseDate, purchasePrice: { amount: '90000', currency: 'EUR' }, odometerKm: 10, odometerReadAt: '2025-04-01T10:00:00Z' } },
          keyA,
        );
        expect(res.data?.registerVehicle, purchaseDate).toEqual({ vehicle: null, userErrors: [{ field: ['input', 'purchaseDate'], code: 'OUT_OF_RANGE' }] });
        expect(await itemCount(), purchaseDate).toBe(before);
      }
    });
  });

  describe('money bounds', () => {
    const order = (amount: string, currency = 'EUR', lines = 100, quantity = 1_000) =>
      api.call(
        `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { userErrors { field code message } } }`,
        { input: { customerId: ownerA.id, channel: 'ONLINE', orderedAt: '2026-03-01T10:00:00Z', lines: Array.from({ length: lines }, (_, i) => ({ sku: `SKU-${i}`, description: 'Item', quantity, unitPrice: { amount, currency } })) } },
        admin,
      );

    it('an order of 100 lines × 1,000 × 999,999,999,999.99 is OUT_OF_RANGE on every price, not a fault, and writes nothing', async () => {
      const before = await itemCount();
      const res = await order('999999999999.99');
      expect(res.errors).toBeUndefined();
      const errors = res.data?.recordOrder.userErrors as { field: string[]; code: string }[];
      expect(errors).toHaveLength(100);
      expect(errors[0]).toMatchObject({ field: ['input', 'lines', '0', 'unitPrice', 'amount'], code: 'OUT_OF_RANGE' });
      expect(errors.every((e) => e.code === 'OUT_OF_RANGE')).toBe(true);
      expect(await itemCount()).toBe(before);
    });

    it('an order line whose quantity × price passes the order bound is OUT_OF_RANGE on that line', async () => {
      const before = await itemCount();
      const res = await order('999999.99', 'EUR', 1);
      expect(res.data?.recordOrder.userErrors).toEqual([{ field: ['input', 'lines', '0'], code: 'OUT_OF_RANGE', message: 'A line (quantity × unit price) may be at most 10000000.00 EUR.' }]);
      expect(await itemCount()).toBe(before);
    });

    it('an order whose lines are each plausible but whose total is not is OUT_OF_RANGE on `lines`', async () => {
      const before = await itemCount();
      const res = await order('999.99');
      expect(res.data?.recordOrder.userErrors).toEqual([{ field: ['input', 'lines'], code: 'OUT_OF_RANGE', message: 'The order total may be at most 10000000.00 EUR.' }]);
      const yen = await order('99999999', 'JPY', 100, 10);
      expect(yen.data?.recordOrder.userErrors).toEqual([{ field: ['input', 'lines'], code: 'OUT_OF_RANGE', message: 'The order total may be at most 2000000000.00 JPY.' }]);
      expect(await itemCount()).toBe(before);
    });

    it('car prices, invoices and finance amounts past their bounds are OUT_OF_RANGE on the amount, and nothing is written', async () => {
      const before = await itemCount();
      const car = await api.call(
        `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { userErrors { field code } } }`,
        { input: { vin: nextVin(), ownerId: ownerA.id, sellingDealerId: dealerA.id, modelLine: 'NINE_ELEVEN', variant: '911 GT3', powertrain: 'PETROL', modelYear: 2025, purchaseDate: '2025-04-01', purchasePrice: { amount: '10000000.01', currency: 'EUR' }, odometerKm: 10 } },
        admin,
      );
      expect(car.data?.registerVehicle.userErrors).toEqual([{ field: ['input', 'purchasePrice', 'amount'], code: 'OUT_OF_RANGE' }]);
      const invoice = await recordVisit({ ...visit(vinA2, '2026-03-01T10:00:00Z'), items: [{ code: 'INSPECTION' }], totalAmount: { amount: '999999999999.99', currency: 'EUR' } });
      expect(invoice.data?.recordServiceVisit.userErrors).toEqual([{ field: ['input', 'totalAmount', 'amount'], code: 'OUT_OF_RANGE' }]);
      const line = await recordVisit(visit(vinA2, '2026-03-01T10:00:00Z', '1000000.01'));
      expect(line.data?.recordServiceVisit.userErrors).toEqual([
        { field: ['input', 'totalAmount', 'amount'], code: 'OUT_OF_RANGE' },
        { field: ['input', 'items', '0', 'parts', '0', 'amount', 'amount'], code: 'OUT_OF_RANGE' },
      ]);
      const finance = await api.call(
        `mutation($input: RecordFinanceContractInput!) { recordFinanceContract(input: $input) { userErrors { field code } } }`,
        { input: { customerId: ownerA.id, vin: vinA, kind: 'LOAN', principal: { amount: '999999999999.99', currency: 'EUR' }, termMonths: 36, monthlyPayment: { amount: '1000000.01', currency: 'EUR' }, startDate: '2026-01-01', endDate: '2029-01-01' } },
        admin,
      );
      expect(finance.data?.recordFinanceContract.userErrors).toEqual([
        { field: ['input', 'principal', 'amount'], code: 'OUT_OF_RANGE' },
        { field: ['input', 'monthlyPayment', 'amount'], code: 'OUT_OF_RANGE' },
      ]);
      expect(await itemCount()).toBe(before);
    });

    it('a car priced in yen is within bounds: the bound scales with the currency', async () => {
      const res = await api.call(
        `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { purchasePrice { amount currency } } userErrors { field code } } }`,
        { input: { vin: nextVin(), ownerId: ownerB.id, sellingDealerId: dealerB.id, modelLine: 'NINE_ELEVEN', variant: '911 Turbo S', powertrain: 'PETROL', modelYear: 2025, purchaseDate: '2025-04-01', purchasePrice: { amount: '45000000', currency: 'JPY' }, odometerKm: 10 } },
        admin,
      );
      expect(res.data?.registerVehicle).toEqual({ vehicle: { purchasePrice: { amount: '45000000.00', currency: 'JPY' } }, userErrors: [] });
    });
  });
});
