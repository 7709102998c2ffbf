import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { runScoresLocally, scoresRunFor } from '../../src/value/scores-job.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey, registerVehicle } from '../support/fixtures.js';

/** Interactions, revenue facts, surveys, scores and KPIs through the Lambda handler. */
describe('Lambda handler: customer value', () => {
  let api: TestApi;
  const now = new Date('2026-11-25T10:00:00Z');
  let dealerA: { id: string }, dealerB: { id: string };
  let keyA: Record<string, string>, keyB: Record<string, string>;
  let ann: { id: string }, bob: { id: string };
  let annVin: string;
  const customerToken = (globalId: string) => api.bearer('customer', Buffer.from(globalId, 'base64url').toString().split(':')[1]);

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealerA = await createDealer(api, 'DE-VAL-A');
    dealerB = await createDealer(api, 'DE-VAL-B');
    keyA = { 'x-api-key': (await issueKey(api, dealerA.id)).secret };
    keyB = { 'x-api-key': (await issueKey(api, dealerB.id)).secret };
    ann = await createCustomer(api, keyA, { firstName: 'Ann' });
    bob = await createCustomer(api, keyB, { firstName: 'Bob' });
    annVin = (await registerVehicle(api, keyA, { ownerId: ann.id, modelLine: 'CAYENNE' })).vin;
  });
  afterAll(() => api.close());

  const record = (events: Record<string, unknown>[], headers = keyA) =>
    api.call(
      `mutation($events: [InteractionInput!]!) { recordInteractions(input: { events: $events }) { accepted duplicates rejected results { index outcome userErrors { field code } } userErrors { field code } } }`,
      { events },
      headers,
    );
  const event = (n: number, overrides: Record<string, unknown> = {}) => ({ customerId: ann.id, sourceSystem: 'web-analytics', sourceEventId: `evt-${n}`, channel: 'WEB', type: 'CONFIGURATOR_SESSION', modelLine: 'CAYENNE', variant: 'Cayenne Turbo', occurredAt: '2026-11-20T18:00:00Z', ...overrides });
  const interests = async () => (await api.call(`query($id: ID!) { customer(id: $id) { interests { modelLine topic count } interactions { edges { node { sourceEventId } } } } }`, { id: ann.id }, api.bearer('admin'))).data?.customer;

  it('refuses a batch of more than 100 events whole', async () => {
    const res = await record(Array.from({ length: 101 }, (_, i) => event(1_000 + i)));
    expect(res.data?.recordInteractions).toMatchObject({ accepted: 0, results: [], userErrors: [{ field: ['input', 'events'], code: 'TOO_MANY' }] });
    expect((await interests()).interactions.edges).toEqual([]);
  });

  it('stores the good events of a batch, says per event why the others were rejected, and ignores re-sent ones', async () => {
    const res = await record([event(1), event(2, { channel: 'PIGEON' }), event(3, { customerId: bob.id }), event(4, { occurredAt: '2026-12-24T00:00:00Z' }), event(5, { type: 'TEST_DRIVE', modelLine: 'TAYCAN', variant: null, topic: 'electric' })]);
    expect(res.data?.recordInteractions).toMatchObject({ accepted: 2, duplicates: 0, rejected: 3, userErrors: [] });
    expect(res.data?.recordInteractions.results).toEqual([
      { index: 0, outcome: 'ACCEPTED', userErrors: [] },
      { index: 1, outcome: 'REJECTED', userErrors: [{ field: ['input', 'events', '1', 'channel'], code: 'INVALID' }] },
      { index: 2, outcome: 'REJECTED', userErrors: [{ field: ['input', 'events', '2', 'customerId'], code: 'NOT_FOUND' }] },
      { index: 3, outcome: 'REJECTED', userErrors: [{ field: ['input', 'events', '3', 'occurredAt'], code: 'IN_FUTURE' }] },
      { index: 4, outcome: 'ACCEPTED', userErrors: [] },
    ]);
    const again = await record([event(1), event(5, { type: 'TEST_DRIVE', modelLine: 'TAYCAN', variant: null, topic: 'electric' })]);
    expect(again.data?.recordInteractions).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    const after = await interests();
    expect(after.interactions.edges).toHaveLength(2);
    expect(after.interests).toEqual(expect.arrayContaining([{ modelLine: 'CAYENNE', topic: 'Cayenne Turbo', count: 1 }, { modelLine: 'TAYCAN', topic: 'electric', count: 1 }]));
  });

  it('answers bad orders, finance contracts and surveys with codes and records nothing', async () => {
    const order = await api.call(
      `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { userErrors { field code } } }`,
      { input: { customerId: ann.id, channel: 'ONLINE', orderedAt: '2026-11-01T10:00:00Z', lines: [{ sku: 'WAP-01', description: 'Cap', quantity: 1, unitPrice: { amount: '-45', currency: 'EUR' } }] } },
      keyA,
    );
    expect(order.data?.recordOrder.userErrors).toEqual([{ field: ['input', 'lines', '0', 'unitPrice', 'amount'], code: 'NEGATIVE_AMOUNT' }]);
    const survey = await api.call(`mutation($id: ID!) { submitSurvey(input: { customerId: $id, kind: NPS, score: 11, touchpoint: SERVICE }) { userErrors { field code } } }`, { id: ann.id }, customerToken(ann.id));
    expect(survey.data?.submitSurvey.userErrors).toEqual([{ field: ['input', 'score'], code: 'OUT_OF_RANGE' }]);
    const unknown = await api.call(`mutation($id: ID!) { submitSurvey(input: { customerId: $id, kind: CSAT, score: 5, touchpoint: SERVICE }) { userErrors { field code } } }`, { id: bob.id }, keyA);
    expect(unknown.data?.submitSurvey.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_FOUND' }]);
    const finance = await api.call(
      `mutation($id: ID!) { recordFinanceContract(input: { customerId: $id, vin: "WP0ZZZ99ZTS999991", kind: LEASE, principal: { amount: "80000", currency: EUR }, termMonths: 36, monthlyPayment: { amount: "1200", currency: EUR }, startDate: "2026-01-01", endDate: "2029-01-01" }) { userErrors { field code } } }`,
      { id: ann.id },
      keyA,
    );
    expect(finance.data?.recordFinanceContract.userErrors).toEqual([{ field: ['input', 'vin'], code: 'NOT_FOUND' }]);
    const analyst = await api.call(`mutation($id: ID!) { submitSurvey(input: { customerId: $id, kind: NPS, score: 9, touchpoint: SERVICE }) { userErrors { code } } }`, { id: ann.id }, api.bearer('analyst'));
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('scores customers after the nightly job, lists them by CLV, and rolls up KPIs a dealer reads for itself only', async () => {
    // Prepare: facts for Ann
    const ok = (res: { data?: Record<string, any> }) => expect(Object.values(res.data ?? {})[0].userErrors).toEqual([]);
    ok(await api.call(`mutation($id: ID!) { submitSurvey(input: { customerId: $id, kind: NPS, score: 10, touchpoint: SALES, submittedAt: "2026-11-20T10:00:00Z" }) { userErrors { code } } }`, { id: ann.id }, customerToken(ann.id)));
    ok(await api.call(`mutation($id: ID!, $vin: String!) { recordFinanceContract(input: { customerId: $id, vin: $vin, kind: LEASE, principal: { amount: "80000", currency: EUR }, termMonths: 36, monthlyPayment: { amount: "1200", currency: EUR }, startDate: "2025-04-01", endDate: "2027-04-01" }) { userErrors { code } } }`, { id: ann.id, vin: annVin }, keyA));
    ok(await api.call(`mutation($id: ID!) { recordOrder(input: { customerId: $id, channel: ONLINE, orderedAt: "2026-11-02T10:00:00Z", lines: [{ sku: "WAP-0800", description: "Model car 1:18", quantity: 2, unitPrice: { amount: "149.00", currency: EUR } }] }) { userErrors { code } } }`, { id: ann.id }, keyA));
    // Act: the nightly run
    const stats = await runScoresLocally({ values: api.store.repos.values, logger: createLogger({}, { level: 'error', write: () => true }) }, scoresRunFor(new Date('2026-11-26T02:00:00Z'), 4));
    expect(stats.reduce((s, x) => s + x.customersRead, 0)).toBe(2);
    // Assess
    const value = await api.call(`query($id: ID!) { customer(id: $id) { value { clv { amount currency } components { vehicle { amount } merchandise { amount } finance { amount } } churnRisk upgradePropensity reasons { score factor } tier segment benefits { code } modelVersion } } }`, { id: ann.id }, keyA);
    const v = value.data?.customer.value;
    expect(v.clv.currency).toBe('EUR');
    expect(Number(v.components.merchandise.amount)).toBeGreaterThanOrEqual(298);
    expect(Number(v.components.finance.amount)).toBeGreaterThanOrEqual(4_000); // 5 % of 80,000
    expect(v.reasons.map((r: { factor: string }) => r.factor)).toContain('financeEndingSoon');
    const top = await api.call(`{ customers(first: 10, filter: { minClv: "0" }) { edges { node { firstName value { clv { amount } } } } } }`, {}, api.bearer('analyst'));
    const clvs = top.data?.customers.edges.map((e: { node: { value: { clv: { amount: string } } } }) => Number(e.node.value.clv.amount));
    expect(clvs).toEqual([...clvs].sort((a, b) => b - a));
    expect(clvs.length).toBe(2);
    const rich = await api.call(`{ customers(filter: { minClv: "1" }) { edges { node { firstName } } } }`, {}, api.bearer("analyst"));
    expect(rich.data?.customers.edges).toEqual([{ node: { firstName: "Ann" } }]);
    const tier = await api.call(`query($t: Tier!) { customers(filter: { tier: $t }) { edges { node { value { tier } } } } }`, { t: v.tier }, api.bearer('admin'));
    expect(tier.data?.customers.edges.every((e: { node: { value: { tier: string } } }) => e.node.value.tier === v.tier)).toBe(true);
    // KPIs: dealer A reads its own November, not B's, not the brand's
    const kpi = `query($scope: KpiScope!, $d: ID) { kpis(scope: $scope, dealerId: $d, period: "2026-11") { nps { value count } customersScored averageClv { amount } } }`;
    const own = await api.call(kpi, { scope: 'DEALER', d: dealerA.id }, keyA);
    expect(own.data?.kpis).toMatchObject({ customersScored: 1 });
    expect((await api.call(kpi, { scope: 'DEALER', d: dealerB.id }, keyA)).data?.kpis).toBeNull();
    expect((await api.call(kpi, { scope: 'BRAND' }, keyA)).data?.kpis).toBeNull();
    const brand = await api.call(kpi, { scope: 'BRAND' }, api.bearer('analyst'));
    expect(brand.data?.kpis).toMatchObject({ nps: { value: 100, count: 1 }, customersScored: 2 });
    // Dealer B cannot see Ann's value by any path
    expect((await api.call(`query($id: ID!) { customer(id: $id) { value { tier } } }`, { id: ann.id }, keyB)).data?.customer).toBeNull();
  });
});
