import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey, nextVin, registerVehicle } from '../support/fixtures.js';

/** Mutations end to end: bad input answers userErrors and writes nothing; good input is kept. */
describe('Lambda handler: mutations', () => {
  let api: TestApi;
  let admin: Record<string, string>;
  let dealer: { id: string };
  let dealerKey: Record<string, string>;
  const now = new Date('2026-11-21T10:00:00Z');

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    admin = api.bearer('admin');
    dealer = await createDealer(api, 'DE-MUT-01');
    dealerKey = { 'x-api-key': (await issueKey(api, dealer.id)).secret };
  });
  afterAll(() => api.close());

  const countCustomers = async () => (await api.call(`{ customers(first: 100) { edges { node { id } } } }`, {}, admin)).data?.customers.edges.length as number;

  describe('createCustomer', () => {
    const create = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id email } userErrors { field code message } } }`;

    it('answers every problem of the input at once, with field paths and codes, and writes nothing', async () => {
      // Prepare
      const before = await countCustomers();
      // Act
      const res = await api.call(
        create,
        { input: { firstName: ' ', lastName: 'x'.repeat(101), email: 'not-an-email', phone: '0711 1234', birthDate: '2030-01-01', preferredLanguage: 'German', address: { city: 'Stuttgart', country: 'Germany' } } },
        admin,
      );
      // Assess
      expect(res.data?.createCustomer.customer).toBeNull();
      expect(res.data?.createCustomer.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([
        ['input.firstName', 'REQUIRED'],
        ['input.lastName', 'TOO_LONG'],
        ['input.email', 'INVALID_EMAIL'],
        ['input.phone', 'INVALID_PHONE'],
        ['input.birthDate', 'IN_FUTURE'],
        ['input.preferredLanguage', 'INVALID'],
        ['input.address.country', 'INVALID'],
      ]);
      expect(await countCustomers()).toBe(before);
    });

    it('keeps one profile per email, whatever its case', async () => {
      const first = await api.call(create, { input: { firstName: 'Ida', lastName: 'Huber', email: 'Ida.Huber@Example.com' } }, admin);
      expect(first.data?.createCustomer.customer.email).toBe('ida.huber@example.com');
      const before = await countCustomers();
      const again = await api.call(create, { input: { firstName: 'Ida', lastName: 'Huber', email: 'IDA.HUBER@example.com' } }, dealerKey);
      // A dealer key is told ALREADY_REGISTERED (the same whether it could see that profile or not); admins ALREADY_EXISTS.
      expect(again.data?.createCustomer.userErrors).toEqual([{ field: ['input', 'email'], code: 'ALREADY_REGISTERED', message: expect.any(String) }]);
      const asAdmin = await api.call(create, { input: { firstName: 'Ida', lastName: 'Huber', email: 'ida.HUBER@example.com' } }, admin);
      expect(asAdmin.data?.createCustomer.userErrors).toEqual([{ field: ['input', 'email'], code: 'ALREADY_EXISTS', message: expect.any(String) }]);
      expect(await countCustomers()).toBe(before);
    });
  });

  describe('updateCustomer', () => {
    it('applies changes at the version read and bumps the version', async () => {
      const c = await createCustomer(api, admin);
      const res = await api.call(
        `mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, lastName: "Porsche", phone: "+4971112345678" }) { customer { lastName phone version } userErrors { code } } }`,
        { id: c.id },
        admin,
      );
      expect(res.data?.updateCustomer).toEqual({ customer: { lastName: 'Porsche', phone: '+4971112345678', version: 2 }, userErrors: [] });
    });

    it('refuses a stale version and writes nothing', async () => {
      const c = await createCustomer(api, admin);
      await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, firstName: "First" }) { userErrors { code } } }`, { id: c.id }, admin);
      const stale = await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, firstName: "Second" }) { customer { id } userErrors { field code } } }`, { id: c.id }, admin);
      expect(stale.data?.updateCustomer).toEqual({ customer: null, userErrors: [{ field: ['input', 'version'], code: 'STALE_VERSION' }] });
      const read = await api.call(`query($id: ID!) { customer(id: $id) { firstName version } }`, { id: c.id }, admin);
      expect(read.data?.customer).toEqual({ firstName: 'First', version: 2 });
    });

    it('lets exactly one of many concurrent updates with the same version win', async () => {
      // Prepare
      const c = await createCustomer(api, admin);
      // Act: eight editors, all holding version 1, save at the same time (half also change the email)
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          api.call(
            `mutation($id: ID!, $name: String!, $email: EmailAddress) { updateCustomer(input: { id: $id, version: 1, firstName: $name, email: $email }) { customer { firstName } userErrors { code } } }`,
            { id: c.id, name: `Editor${i}`, email: i % 2 ? `editor${i}.${Date.now()}@example.com` : null },
            admin,
          ),
        ),
      );
      // Assess
      const winners = results.filter((r) => r.data?.updateCustomer.customer);
      const losers = results.filter((r) => r.data?.updateCustomer.userErrors[0]?.code === 'STALE_VERSION');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(7);
      const read = await api.call(`query($id: ID!) { customer(id: $id) { firstName version } }`, { id: c.id }, admin);
      expect(read.data?.customer).toEqual({ firstName: winners[0]!.data?.updateCustomer.customer.firstName, version: 2 });
    });

    it('moves the email claim with an email change, so the old address is free and the new one taken', async () => {
      const a = await createCustomer(api, admin, { email: 'move.from@example.com' });
      const b = await createCustomer(api, admin, { email: 'taken.by.b@example.com' });
      const clash = await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, email: "taken.by.b@example.com" }) { userErrors { code } } }`, { id: a.id }, admin);
      expect(clash.data?.updateCustomer.userErrors).toEqual([{ code: 'ALREADY_EXISTS' }]);
      const move = await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, email: "move.to@example.com" }) { userErrors { code } } }`, { id: a.id }, admin);
      expect(move.data?.updateCustomer.userErrors).toEqual([]);
      await createCustomer(api, admin, { email: 'move.from@example.com' });
      expect(b.id).toBeTruthy();
    });
  });

  describe('setConsents', () => {
    it('records per-channel consents with source and time, and refuses duplicates and future times', async () => {
      const c = await createCustomer(api, admin);
      const set = `mutation($input: SetConsentsInput!) { setConsents(input: $input) { customer { consents { channel granted source recordedAt } version } userErrors { field code } } }`;
      const bad = await api.call(set, { input: { customerId: c.id, consents: [{ channel: 'EMAIL', granted: true, source: 'app' }, { channel: 'EMAIL', granted: false, source: 'app' }, { channel: 'SMS', granted: true, source: 'app', recordedAt: '2027-01-01T00:00:00Z' }] } }, admin);
      expect(bad.data?.setConsents.userErrors).toEqual([
        { field: ['input', 'consents', '1', 'channel'], code: 'INVALID' },
        { field: ['input', 'consents', '2', 'recordedAt'], code: 'IN_FUTURE' },
      ]);
      const ok = await api.call(set, { input: { customerId: c.id, consents: [{ channel: 'EMAIL', granted: true, source: 'owners-app', recordedAt: '2026-11-01T08:00:00+01:00' }, { channel: 'POST', granted: false, source: 'crm-console' }] } }, admin);
      expect(ok.data?.setConsents.customer).toEqual({
        consents: [
          { channel: 'EMAIL', granted: true, source: 'owners-app', recordedAt: '2026-11-01T07:00:00.000Z' },
          { channel: 'POST', granted: false, source: 'crm-console', recordedAt: now.toISOString() },
        ],
        version: 2,
      });
    });
  });

  describe('registerVehicle', () => {
    const register = `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { vin modelLine purchasePrice { amount currency } odometer { km } sellingDealer { id } owner { id } } userErrors { field code } } }`;
    const valid = (ownerId: string, vin = nextVin()) => ({
      vin,
      ownerId,
      modelLine: 'TAYCAN',
      variant: 'Taycan 4S',
      powertrain: 'ELECTRIC',
      modelYear: 2026,
      purchaseDate: '2026-05-02',
      purchasePrice: { amount: '122000.50', currency: 'EUR' },
      odometerKm: 12,
      odometerReadAt: '2026-05-02T09:00:00Z',
    });

    it('registers a car for a dealer, linking the owner to that dealer', async () => {
      const c = await createCustomer(api, dealerKey);
      const res = await api.call(register, { input: valid(c.id) }, dealerKey);
      expect(res.data?.registerVehicle.userErrors).toEqual([]);
      expect(res.data?.registerVehicle.vehicle).toMatchObject({ modelLine: 'TAYCAN', purchasePrice: { amount: '122000.50', currency: 'EUR' }, odometer: { km: 12 }, sellingDealer: { id: dealer.id }, owner: { id: c.id } });
      const owner = await api.call(`query($id: ID!) { customer(id: $id) { dealers { id } vehicles { edges { node { vin } } } } }`, { id: c.id }, dealerKey);
      expect(owner.data?.customer.dealers).toEqual([{ id: dealer.id }]);
      expect(owner.data?.customer.vehicles.edges).toHaveLength(1);
    });

    it('answers each bad field with its code and registers nothing', async () => {
      const c = await createCustomer(api, dealerKey);
      const cases: [Record<string, unknown>, string, string][] = [
        [{ vin: 'WP0ZZZ99ZTS39212' }, 'input.vin', 'INVALID_VIN'],
        [{ vin: 'WP0ZZZ99ZTS3921O4' }, 'input.vin', 'INVALID_VIN'],
        [{ vin: '1M8GDM9A1KP042788' }, 'input.vin', 'VIN_CHECK_DIGIT_MISMATCH'],
        [{ purchaseDate: '2026-12-24' }, 'input.purchaseDate', 'IN_FUTURE'],
        [{ purchaseDate: '2026-02-30' }, 'input.purchaseDate', 'INVALID_DATE'],
        [{ purchasePrice: { amount: '-1.00', currency: 'EUR' } }, 'input.purchasePrice.amount', 'NEGATIVE_AMOUNT'],
        [{ purchasePrice: { amount: '1.001', currency: 'EUR' } }, 'input.purchasePrice.amount', 'INVALID'],
        [{ modelYear: 1900 }, 'input.modelYear', 'OUT_OF_RANGE'],
        [{ odometerKm: -5 }, 'input.odometerKm', 'OUT_OF_RANGE'],
        [{ odometerReadAt: '2027-01-01T00:00:00Z' }, 'input.odometerReadAt', 'IN_FUTURE'],
        [{ variant: '' }, 'input.variant', 'REQUIRED'],
        [{ ownerId: 'bm9wZQ' }, 'input.ownerId', 'NOT_FOUND'],
      ];
      for (const [override, field, code] of cases) {
        const input = { ...valid(c.id), ...override };
        const res = await api.call(register, { input }, dealerKey);
        expect(res.data?.registerVehicle.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]), JSON.stringify(override)).toEqual([[field, code]]);
        const stored = await api.call(`query($vin: String!) { vehicle(vin: $vin) { vin } }`, { vin: String(input.vin) }, admin);
        expect(stored.data?.vehicle ?? null).toBeNull();
      }
    });

    it('refuses an enum value outside the schema with a validation error', async () => {
      const c = await createCustomer(api, admin);
      const res = await api.call(register, { input: { ...valid(c.id), modelLine: 'CARRERA_GT' } }, admin);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('requires an admin to name the selling dealer', async () => {
      const c = await createCustomer(api, admin);
      const res = await api.call(register, { input: valid(c.id) }, admin);
      expect(res.data?.registerVehicle.userErrors).toEqual([{ field: ['input', 'sellingDealerId'], code: 'REQUIRED' }]);
      const named = await api.call(register, { input: { ...valid(c.id), sellingDealerId: dealer.id } }, admin);
      expect(named.data?.registerVehicle.vehicle.sellingDealer).toEqual({ id: dealer.id });
    });

    it('registers a VIN once', async () => {
      const c = await createCustomer(api, dealerKey);
      const vin = nextVin();
      const [a, b] = await Promise.all([api.call(register, { input: valid(c.id, vin) }, dealerKey), api.call(register, { input: valid(c.id, vin) }, dealerKey)]);
      const codes = [a, b].map((r) => r.data?.registerVehicle.userErrors[0]?.code ?? 'OK').sort();
      expect(codes).toEqual(['ALREADY_REGISTERED', 'OK']);
      const owner = await api.call(`query($id: ID!) { customer(id: $id) { vehicles { edges { node { vin } } } } }`, { id: c.id }, admin);
      expect(owner.data?.customer.vehicles.edges).toEqual([{ node: { vin } }]);
    });
  });

  describe('recordOdometerReading', () => {
    const record = `mutation($vin: String!, $km: Int!, $at: DateTime!) { recordOdometerReading(input: { vin: $vin, km: $km, readAt: $at }) { vehicle { odometer { km readAt } } userErrors { field code } } }`;

    it('accepts history uploads in any order but never a reading that goes backwards', async () => {
      // Prepare: a car registered at 10 km on 2025-04-01
      const c = await createCustomer(api, dealerKey);
      const { vin } = await registerVehicle(api, dealerKey, { ownerId: c.id });
      // Act + Assess
      expect((await api.call(record, { vin, km: 15000, at: '2026-04-01T10:00:00Z' }, dealerKey)).data?.recordOdometerReading.vehicle.odometer).toEqual({ km: 15000, readAt: '2026-04-01T10:00:00.000Z' });
      const past = await api.call(record, { vin, km: 8000, at: '2025-10-01T10:00:00Z' }, dealerKey);
      expect(past.data?.recordOdometerReading.vehicle.odometer).toEqual({ km: 15000, readAt: '2026-04-01T10:00:00.000Z' });
      expect((await api.call(record, { vin, km: 14000, at: '2026-06-01T10:00:00Z' }, dealerKey)).data?.recordOdometerReading.userErrors).toEqual([{ field: ['input', 'km'], code: 'ODOMETER_DECREASE' }]);
      expect((await api.call(record, { vin, km: 16000, at: '2026-01-01T10:00:00Z' }, dealerKey)).data?.recordOdometerReading.userErrors).toEqual([{ field: ['input', 'km'], code: 'ODOMETER_DECREASE' }]);
      expect((await api.call(record, { vin, km: 20000, at: '2026-12-01T10:00:00Z' }, dealerKey)).data?.recordOdometerReading.userErrors).toEqual([{ field: ['input', 'readAt'], code: 'IN_FUTURE' }]);
      const history = await api.call(`query($vin: String!) { vehicle(vin: $vin) { odometerHistory(first: 10) { edges { node { km } } } } }`, { vin }, dealerKey);
      expect(history.data?.vehicle.odometerHistory.edges.map((e: { node: { km: number } }) => e.node.km)).toEqual([15000, 8000, 10]);
    });
  });

  describe('transferVehicle', () => {
    it('moves the car to the new owner and keeps the owner history with dates', async () => {
      const seller = await createCustomer(api, dealerKey);
      const buyer = await createCustomer(api, dealerKey);
      const { vin } = await registerVehicle(api, dealerKey, { ownerId: seller.id, modelLine: 'CAYENNE' });
      const transfer = `mutation($vin: String!, $to: ID!, $date: Date!) { transferVehicle(input: { vin: $vin, newOwnerId: $to, transferDate: $date }) { vehicle { owner { id } ownerHistory { from to customer { id } } } userErrors { field code } } }`;
      expect((await api.call(transfer, { vin, to: buyer.id, date: '2025-01-01' }, dealerKey)).data?.transferVehicle.userErrors).toEqual([{ field: ['input', 'transferDate'], code: 'INVALID_DATE' }]);
      expect((await api.call(transfer, { vin, to: seller.id, date: '2026-01-01' }, dealerKey)).data?.transferVehicle.userErrors).toEqual([{ field: ['input', 'newOwnerId'], code: 'INVALID' }]);
      const res = await api.call(transfer, { vin, to: buyer.id, date: '2026-08-15' }, dealerKey);
      expect(res.data?.transferVehicle.vehicle).toEqual({
        owner: { id: buyer.id },
        ownerHistory: [
          { from: '2025-04-01', to: '2026-08-15', customer: { id: seller.id } },
          { from: '2026-08-15', to: null, customer: { id: buyer.id } },
        ],
      });
      const owners = await api.call(
        `query($s: ID!, $b: ID!) { s: customer(id: $s) { vehicles { edges { node { vin } } } } b: customer(id: $b) { vehicles { edges { node { vin } } } } cayenne: customers(first: 100, filter: { modelLine: CAYENNE }) { edges { node { id } } } }`,
        { s: seller.id, b: buyer.id },
        admin,
      );
      expect(owners.data?.s.vehicles.edges).toEqual([]);
      expect(owners.data?.b.vehicles.edges).toEqual([{ node: { vin } }]);
      expect(owners.data?.cayenne.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([buyer.id]);
    });
  });

  describe('pagination', () => {
    it('walks every customer exactly once across pages, and refuses page sizes outside 1–100 and forged cursors', async () => {
      for (let i = 0; i < 7; i++) await createCustomer(api, admin, { lastName: `Pager${String(i).padStart(2, '0')}` });
      const page = `query($after: String) { customers(first: 3, after: $after, filter: { search: "pager" }) { edges { cursor node { lastName } } pageInfo { hasNextPage endCursor } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      for (let n = 0; n < 5; n++) {
        const res: { data?: Record<string, any> } = await api.call(page, { after }, admin);
        const conn: any = res.data?.customers;
        seen.push(...conn.edges.map((e: { node: { lastName: string } }) => e.node.lastName));
        after = conn.pageInfo.endCursor;
        if (!conn.pageInfo.hasNextPage) break;
      }
      expect(seen).toEqual(['Pager00', 'Pager01', 'Pager02', 'Pager03', 'Pager04', 'Pager05', 'Pager06']);
      const tooMany = await api.call(`{ customers(first: 101) { edges { cursor } } }`, {}, admin);
      expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const zero = await api.call(`{ customers(first: 0) { edges { cursor } } }`, {}, admin);
      expect(zero.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const forged = Buffer.from(JSON.stringify({ PK: 'DEALER#x', SK: 'PROFILE', GSI2PK: 'DEALERS', GSI2SK: 'a' })).toString('base64url');
      const bad = await api.call(`query($after: String) { customers(after: $after) { edges { cursor } } }`, { after: forged }, admin);
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(bad.status).toBe(200);
    });
  });
});
