import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supersedes } from '../../src/customer/consent.js';
import { isUsable, newEmailChangeToken, parseEmailChangeToken, type PendingEmailChange } from '../../src/customer/email-change.js';
import { displayPrefix, generateApiKey, hashApiKey } from '../../src/auth/api-key.js';
import { newId } from '../../src/shared/ids.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey, registerVehicle } from '../support/fixtures.js';

/**
 * Hostile inputs around identities and consents (issue 8, items 5, 12 and 14):
 * - an older consent statement must never override a newer one, whatever the arrival order,
 *   and every statement stays in the history;
 * - "already exists" must not tell a caller about objects it cannot see (emails, VINs);
 * - a write scope must be usable on its own (it carries the read it needs).
 */

const keyOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

describe('Consent and email-change rules (pure)', () => {
  it('lets a statement become current only if it was not made before the current one', () => {
    const at = (recordedAt: string) => ({ recordedAt });
    expect(supersedes(undefined, at('2025-01-01T00:00:00.000Z'))).toBe(true);
    expect(supersedes(at('2026-11-21T09:00:00.000Z'), at('2025-01-01T00:00:00.000Z'))).toBe(false);
    expect(supersedes(at('2025-01-01T00:00:00.000Z'), at('2026-11-21T09:00:00.000Z'))).toBe(true);
    expect(supersedes(at('2026-11-21T09:00:00.000Z'), at('2026-11-21T09:00:00.000Z'))).toBe(true);
  });

  it('accepts only tokens of its own shape, and only unexpired with the right hash', () => {
    const customerId = newId();
    const { token, tokenHash } = newEmailChangeToken(customerId);
    expect(parseEmailChangeToken(token)).toEqual({ customerId, tokenHash });
    for (const bad of ['', 'x', `${customerId}.`, `${customerId}.short`, `not-an-id!.${token.split('.')[1]}`, `${token}.extra`, token + 'A', 'A'.repeat(5000)]) {
      expect(parseEmailChangeToken(bad)).toBeNull();
    }
    const pending: PendingEmailChange = { customerId, fromEmail: 'a@example.com', toEmail: 'b@example.com', tokenHash, requestedAt: '2026-11-21T10:00:00.000Z', expiresAt: '2026-11-22T10:00:00.000Z' };
    expect(isUsable(pending, tokenHash, new Date('2026-11-21T12:00:00Z'))).toBe(true);
    expect(isUsable(pending, tokenHash, new Date('2026-11-22T10:00:00Z'))).toBe(false);
    expect(isUsable(pending, newEmailChangeToken(customerId).tokenHash, new Date('2026-11-21T12:00:00Z'))).toBe(false);
  });
});

describe('Lambda handler: consents, "already exists" oracles and dealer key scopes', () => {
  let api: TestApi;
  let now = new Date('2026-11-21T10:00:00Z');
  let admin: Record<string, string>;
  let dealerA: { id: string }, dealerB: { id: string };
  let keyA: Record<string, string>, keyB: Record<string, string>;

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    admin = api.bearer('admin');
    dealerA = await createDealer(api, 'DE-ORC-A');
    dealerB = await createDealer(api, 'DE-ORC-B');
    keyA = { 'x-api-key': (await issueKey(api, dealerA.id)).secret };
    keyB = { 'x-api-key': (await issueKey(api, dealerB.id)).secret };
  });
  afterAll(() => api.close());

  /** Outbox events of a type, read straight from the table (what the stream would carry). */
  const outbox = async (eventType: string) => {
    const { Items = [] } = await api.store.doc.send(
      new ScanCommand({ TableName: api.store.tableName, FilterExpression: 'entityType = :e AND eventType = :t', ExpressionAttributeValues: { ':e': 'OutboxEvent', ':t': eventType }, ConsistentRead: true }),
    );
    return Items.map((i) => i.detail as Record<string, unknown>);
  };

  describe('consents (item 5)', () => {
    const setConsents = `mutation($input: SetConsentsInput!) { setConsents(input: $input) { customer { consents { channel granted source recordedAt } } results { channel outcome } userErrors { field code } } }`;
    const history = `query($id: ID!, $after: String) { customer(id: $id) { consentHistory(channel: EMAIL, first: 2, after: $after) { edges { node { granted source recordedAt receivedAt recordedBy { role id } } } pageInfo { hasNextPage endCursor } } } }`;

    it('keeps a newer refusal when an older grant arrives later, and records both in the history', async () => {
      // Prepare: the customer refused email an hour ago
      const c = await createCustomer(api, admin);
      const refused = await api.call(setConsents, { input: { customerId: c.id, consents: [{ channel: 'EMAIL', granted: false, source: 'owners-app', recordedAt: new Date(now.getTime() - 3600_000).toISOString() }] } }, admin);
      expect(refused.data?.setConsents.results).toEqual([{ channel: 'EMAIL', outcome: 'APPLIED' }]);
      // Act: a dealer's DMS syncs a paper form signed on 2025-01-01
      await api.call(`mutation($c: ID!, $d: ID!) { linkCustomerToDealer(input: { customerId: $c, dealerId: $d }) { userErrors { code } } }`, { c: c.id, d: dealerA.id }, admin);
      const late = await api.call(setConsents, { input: { customerId: c.id, consents: [{ channel: 'EMAIL', granted: true, source: 'dealer:DE-ORC-A', recordedAt: '2025-01-01T00:00:00Z' }, { channel: 'SMS', granted: true, source: 'dealer:DE-ORC-A', recordedAt: '2025-01-01T00:00:00Z' }] } }, keyA);
      // Assess: no user error, the caller is told the EMAIL statement is history only
      expect(late.data?.setConsents.userErrors).toEqual([]);
      expect(late.data?.setConsents.results).toEqual([
        { channel: 'EMAIL', outcome: 'SUPERSEDED' },
        { channel: 'SMS', outcome: 'APPLIED' },
      ]);
      expect(late.data?.setConsents.customer.consents).toEqual([
        { channel: 'EMAIL', granted: false, source: 'owners-app', recordedAt: '2026-11-21T09:00:00.000Z' },
        { channel: 'SMS', granted: true, source: 'dealer:DE-ORC-A', recordedAt: '2025-01-01T00:00:00.000Z' },
      ]);
      // The history, newest statement first, with who recorded it: the dealer sees its own id, not the admin's
      const asAdmin = await api.call(history, { id: c.id }, admin);
      expect(asAdmin.data?.customer.consentHistory.edges.map((e: { node: unknown }) => e.node)).toEqual([
        { granted: false, source: 'owners-app', recordedAt: '2026-11-21T09:00:00.000Z', receivedAt: now.toISOString(), recordedBy: { role: 'ADMIN', id: expect.any(String) } },
        { granted: true, source: 'dealer:DE-ORC-A', recordedAt: '2025-01-01T00:00:00.000Z', receivedAt: now.toISOString(), recordedBy: { role: 'DEALER', id: keyOf(dealerA.id) } },
      ]);
      const asDealer = await api.call(history, { id: c.id }, keyA);
      expect(asDealer.data?.customer.consentHistory.edges.map((e: { node: { recordedBy: unknown } }) => e.node.recordedBy)).toEqual([
        { role: 'ADMIN', id: null },
        { role: 'DEALER', id: keyOf(dealerA.id) },
      ]);
      // What the customer had agreed to on a date
      const at = async (instant: string) =>
        (await api.call(`query($id: ID!, $at: DateTime!) { customer(id: $id) { consentsAt(at: $at) { channel granted } } }`, { id: c.id, at: instant }, admin)).data?.customer.consentsAt;
      expect(await at('2024-12-31T23:59:59Z')).toEqual([]);
      expect(await at('2025-01-01T00:00:00Z')).toEqual([
        { channel: 'EMAIL', granted: true },
        { channel: 'SMS', granted: true },
      ]);
      expect(await at('2026-11-21T09:30:00Z')).toEqual([
        { channel: 'EMAIL', granted: false },
        { channel: 'SMS', granted: true },
      ]);
      const bad = await api.call(`query($id: ID!) { customer(id: $id) { consentsAt(at: "last tuesday") { channel } } }`, { id: c.id }, admin);
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('ends with the statement made last whatever the order of concurrent arrivals, and keeps every one', async () => {
      // Prepare: ten statements, alternating grant and refusal, sent at once in shuffled order
      const c = await createCustomer(api, admin);
      const times = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString());
      const order = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4];
      // Act
      const results = await Promise.all(
        order.map((i) => api.call(setConsents, { input: { customerId: c.id, consents: [{ channel: 'EMAIL', granted: i % 2 === 1, source: `form-${i}`, recordedAt: times[i] }] } }, admin)),
      );
      // Assess: the profile holds the latest statement; the history holds all ten, newest first
      for (const r of results) expect(r.data?.setConsents.userErrors).toEqual([]);
      const read = await api.call(`query($id: ID!) { customer(id: $id) { consents { source granted recordedAt } } }`, { id: c.id }, admin);
      expect(read.data?.customer.consents).toEqual([{ source: 'form-9', granted: true, recordedAt: times[9] }]);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: any = (await api.call(history, { id: c.id, after }, admin)).data?.customer.consentHistory;
        seen.push(...page.edges.map((e: { node: { recordedAt: string } }) => e.node.recordedAt));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(seen).toEqual([...times].reverse());
    });
  });

  describe('"already exists" answers to dealers (item 12)', () => {
    const create = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code message } } }`;

    it('answers a taken email the same whether the dealer can see that customer or not, and asks the customer to link', async () => {
      // Prepare: one customer only dealer B knows, one dealer A knows
      const hidden = await createCustomer(api, keyB);
      const visible = await createCustomer(api, keyA);
      // Act
      const onHidden = await api.call(create, { input: { firstName: 'X', lastName: 'Y', email: hidden.email.toUpperCase() } }, keyA);
      const onVisible = await api.call(create, { input: { firstName: 'X', lastName: 'Y', email: visible.email } }, keyA);
      // Assess: one answer, which routes to the link flow
      expect(onHidden.data?.createCustomer).toEqual(onVisible.data?.createCustomer);
      expect(onHidden.data?.createCustomer).toEqual({ customer: null, userErrors: [{ field: ['input', 'email'], code: 'ALREADY_REGISTERED', message: expect.stringContaining('link') }] });
      // A still cannot see B's customer; the customer is asked (once, however often A tries)
      expect((await api.call(`query($id: ID!) { customer(id: $id) { id } }`, { id: hidden.id }, keyA)).data?.customer).toBeNull();
      await api.call(create, { input: { firstName: 'X', lastName: 'Y', email: hidden.email } }, keyA);
      const requests = (await outbox('CustomerLinkRequested')).filter((d) => d.customerId === keyOf(hidden.id));
      expect(requests).toEqual([{ customerId: keyOf(hidden.id), dealerId: keyOf(dealerA.id) }]);
      // The customer approves: now A sees them
      const approve = await api.call(`mutation($c: ID!, $d: ID!) { linkCustomerToDealer(input: { customerId: $c, dealerId: $d }) { userErrors { code } } }`, { c: hidden.id, d: dealerA.id }, api.bearer('customer', keyOf(hidden.id)));
      expect(approve.data?.linkCustomerToDealer.userErrors).toEqual([]);
      expect((await api.call(`query($id: ID!) { customer(id: $id) { id } }`, { id: hidden.id }, keyA)).data?.customer).toEqual({ id: hidden.id });
      // Admins see every profile, so they are told plainly
      const asAdmin = await api.call(create, { input: { firstName: 'X', lastName: 'Y', email: visible.email } }, admin);
      expect(asAdmin.data?.createCustomer.userErrors.map((e: { code: string }) => e.code)).toEqual(['ALREADY_EXISTS']);
    });

    it('answers a registered VIN the same whether the dealer can see that car or not', async () => {
      // Prepare: one car only dealer B knows, one dealer A sold
      const ownerA = await createCustomer(api, keyA);
      const ownerB = await createCustomer(api, keyB);
      const hiddenCar = await registerVehicle(api, keyB, { ownerId: ownerB.id });
      const visibleCar = await registerVehicle(api, keyA, { ownerId: ownerA.id });
      const register = (vin: string, headers: Record<string, string>, sellingDealerId?: string) =>
        api.call(
          `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { vin } userErrors { field code message } } }`,
          { input: { vin, ownerId: ownerA.id, sellingDealerId, modelLine: 'MACAN', variant: 'Macan 4', powertrain: 'ELECTRIC', modelYear: 2025, purchaseDate: '2025-05-01', purchasePrice: { amount: '90000', currency: 'EUR' }, odometerKm: 5 } },
          headers,
        );
      // Act
      const onHidden = await register(hiddenCar.vin, keyA);
      const onVisible = await register(visibleCar.vin, keyA);
      // Assess
      expect(onHidden.data?.registerVehicle).toEqual(onVisible.data?.registerVehicle);
      expect(onHidden.data?.registerVehicle.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([['input.vin', 'ALREADY_REGISTERED']]);
      const asAdmin = await register(hiddenCar.vin, admin, dealerA.id);
      expect(asAdmin.data?.registerVehicle.userErrors.map((e: { code: string }) => e.code)).toEqual(['ALREADY_EXISTS']);
    });
  });

  describe('email changes confirmed out of band (item 12)', () => {
    const update = `mutation($id: ID!, $version: Int!, $email: EmailAddress, $firstName: String) { updateCustomer(input: { id: $id, version: $version, email: $email, firstName: $firstName }) { customer { email firstName version } emailChange { email expiresAt } userErrors { field code } } }`;
    const confirm = `mutation($token: String!) { confirmEmailChange(input: { token: $token }) { customer { email version } userErrors { field code } } }`;
    const tokenFor = async (customerId: string, email: string) => {
      const events = (await outbox('CustomerEmailChangeRequested')).filter((d) => d.customerId === keyOf(customerId) && d.email === email);
      return events.at(-1)?.token as string;
    };

    it('never says whether the new address belongs to someone else; the new mailbox confirms', async () => {
      // Prepare: a customer, and another person's profile (hidden from the first)
      const me = await createCustomer(api, admin);
      const other = await createCustomer(api, admin);
      const meToken = api.bearer('customer', keyOf(me.id));
      const free = `free.${Date.now()}@example.com`;
      // Act: ask for the taken address (another name change applies at once) and, on a twin profile, for a free one
      const taken = await api.call(update, { id: me.id, version: 1, email: other.email, firstName: 'Mia' }, meToken);
      const twin = await createCustomer(api, admin);
      const onFree = await api.call(update, { id: twin.id, version: 1, email: free, firstName: 'Mia' }, api.bearer('customer', keyOf(twin.id)));
      // Assess: identical answers apart from the address itself
      const strip = (payload: any) => ({ ...payload, customer: { ...payload.customer, email: '…' }, emailChange: { ...payload.emailChange, email: '…' } });
      expect(strip(taken.data?.updateCustomer)).toEqual(strip(onFree.data?.updateCustomer));
      expect(taken.data?.updateCustomer).toEqual({
        customer: { email: me.email, firstName: 'Mia', version: 2 },
        emailChange: { email: other.email, expiresAt: new Date(now.getTime() + 24 * 3600_000).toISOString() },
        userErrors: [],
      });
      // Confirming: the free address applies, once; the taken one is refused only to the mailbox holder
      const freeToken = await tokenFor(twin.id, free);
      expect((await api.call(confirm, { token: freeToken }, meToken)).data?.confirmEmailChange.userErrors).toEqual([{ field: ['input', 'token'], code: 'INVALID' }]);
      expect((await api.call(confirm, { token: freeToken }, api.bearer('customer', keyOf(twin.id)))).data?.confirmEmailChange).toEqual({ customer: { email: free, version: 3 }, userErrors: [] });
      expect((await api.call(confirm, { token: freeToken }, api.bearer('customer', keyOf(twin.id)))).data?.confirmEmailChange.userErrors).toEqual([{ field: ['input', 'token'], code: 'INVALID' }]);
      const takenToken = await tokenFor(me.id, other.email);
      expect((await api.call(confirm, { token: takenToken }, meToken)).data?.confirmEmailChange.userErrors).toEqual([{ field: ['input', 'token'], code: 'ALREADY_EXISTS' }]);
      expect((await api.call(`query($id: ID!) { customer(id: $id) { email } }`, { id: me.id }, admin)).data?.customer.email).toBe(me.email);
    });

    it('makes dealers go through confirmation too, refuses expired links, and mails a customer at most once a minute', async () => {
      // Prepare
      const c = await createCustomer(api, keyA);
      const target = `dealer.typed.${Date.now()}@example.com`;
      // Act: the dealer asks; a second request right away is refused
      const asked = await api.call(update, { id: c.id, version: 1, email: target }, keyA);
      const again = await api.call(update, { id: c.id, version: 1, email: `second.${target}` }, keyA);
      // Assess
      expect(asked.data?.updateCustomer).toMatchObject({ customer: { email: c.email, version: 1 }, emailChange: { email: target }, userErrors: [] });
      expect(again.data?.updateCustomer.userErrors).toEqual([{ field: ['input', 'email'], code: 'TOO_MANY' }]);
      // A dealer key cannot confirm; after 24 hours nobody can
      const token = await tokenFor(c.id, target);
      expect((await api.call(confirm, { token }, keyA)).data?.confirmEmailChange.userErrors).toEqual([{ field: ['input', 'token'], code: 'INVALID' }]);
      const saved = now;
      now = new Date(saved.getTime() + 24 * 3600_000 + 1);
      try {
        expect((await api.call(confirm, { token }, api.bearer('customer', keyOf(c.id)))).data?.confirmEmailChange.userErrors).toEqual([{ field: ['input', 'token'], code: 'INVALID' }]);
      } finally {
        now = saved;
      }
      // Admins keep the direct path
      const direct = await api.call(update, { id: c.id, version: 1, email: target }, admin);
      expect(direct.data?.updateCustomer).toMatchObject({ customer: { email: target }, emailChange: null, userErrors: [] });
    });
  });

  describe('dealer key scopes (item 14)', () => {
    it('lets a key with only CUSTOMERS_WRITE update its customer, and lists the read it includes', async () => {
      // Prepare
      const c = await createCustomer(api, keyA);
      const writeOnly = await api.call(
        `mutation($d: ID!) { issueDealerApiKey(input: { dealerId: $d, name: "write only", scopes: [CUSTOMERS_WRITE] }) { secret apiKey { scopes } } }`,
        { d: dealerA.id },
        admin,
      );
      expect(writeOnly.data?.issueDealerApiKey.apiKey.scopes).toEqual(['CUSTOMERS_READ', 'CUSTOMERS_WRITE']);
      // Act
      const res = await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, lastName: "Neu" }) { customer { lastName } userErrors { code } } }`, { id: c.id }, { 'x-api-key': writeOnly.data?.issueDealerApiKey.secret });
      // Assess
      expect(res.data?.updateCustomer).toEqual({ customer: { lastName: 'Neu' }, userErrors: [] });
    });

    it('lets a key with only SERVICE_WRITE record a visit, also a key stored before writes implied reads', async () => {
      // Prepare: a car dealer A sold; a key issued the new way and one stored the old way (scopes as given)
      const owner = await createCustomer(api, keyA);
      const car = await registerVehicle(api, keyA, { ownerId: owner.id });
      const issued = await issueKey(api, dealerA.id, ['SERVICE_WRITE']);
      const legacySecret = generateApiKey();
      await api.store.repos.dealers.issueApiKey({ id: newId(), dealerId: keyOf(dealerA.id), name: 'legacy', prefix: displayPrefix(legacySecret), keyHash: hashApiKey(legacySecret), scopes: ['service:write'], createdAt: now.toISOString() });
      const visit = (headers: Record<string, string>, performedAt: string, odometerKm: number) =>
        api.call(
          `mutation($input: RecordServiceVisitInput!) { recordServiceVisit(input: $input) { serviceVisit { kind } userErrors { field code } } }`,
          {
            input: {
              vin: car.vin,
              performedAt,
              odometerKm,
              kind: 'INSPECTION',
              items: [{ code: 'OIL_SERVICE', parts: [], labour: [{ description: 'Check', quantity: 1, amount: { amount: '100.00', currency: 'EUR' } }] }],
              totalAmount: { amount: '100.00', currency: 'EUR' },
              waitTimeMinutes: 30,
              firstTimeFix: true,
            },
          },
          headers,
        );
      // Act
      const withNew = await visit({ 'x-api-key': issued.secret }, '2026-06-01T10:00:00Z', 5_000);
      const withLegacy = await visit({ 'x-api-key': legacySecret }, '2026-07-01T10:00:00Z', 6_000);
      // Assess
      expect(withNew.errors).toBeUndefined();
      expect(withNew.data?.recordServiceVisit).toEqual({ serviceVisit: { kind: 'INSPECTION' }, userErrors: [] });
      expect(withLegacy.data?.recordServiceVisit).toEqual({ serviceVisit: { kind: 'INSPECTION' }, userErrors: [] });
      const viewer = await api.call(`{ me { scopes } }`, {}, { 'x-api-key': legacySecret });
      expect(viewer.data?.me.scopes).toEqual(['VEHICLES_READ', 'SERVICE_WRITE']);
    });
  });
});
