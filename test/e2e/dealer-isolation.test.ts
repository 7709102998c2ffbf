import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/shared/ids.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey, nextVin, registerVehicle } from '../support/fixtures.js';

/**
 * Tenant isolation: a dealer key, a customer token and an analyst token against every
 * query and mutation. What the caller may not see answers exactly like "not found";
 * what it may not change stays unchanged.
 */
describe('Lambda handler: isolation of dealers, customers and analysts', () => {
  let api: TestApi;
  let dealerA: { id: string }, dealerB: { id: string };
  let keyA: Record<string, string>, keyB: Record<string, string>, readOnlyA: Record<string, string>;
  let keyBId: string;
  let customerA: { id: string; version: number }, customerB: { id: string; version: number };
  let vehicleA: { vin: string }, vehicleB: { vin: string };
  const missingCustomerId = toGlobalId('Customer', '01JNOSUCHCUSTOMER000000000');

  beforeAll(async () => {
    api = await createTestApi();
    dealerA = await createDealer(api, 'DE-ISO-A');
    dealerB = await createDealer(api, 'DE-ISO-B');
    keyA = { 'x-api-key': (await issueKey(api, dealerA.id)).secret };
    const b = await issueKey(api, dealerB.id);
    keyB = { 'x-api-key': b.secret };
    keyBId = b.id;
    readOnlyA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_READ', 'VEHICLES_READ'])).secret };
    customerA = await createCustomer(api, keyA, { firstName: 'Alma' });
    customerB = await createCustomer(api, keyB, { firstName: 'Bruno' });
    vehicleA = await registerVehicle(api, keyA, { ownerId: customerA.id });
    vehicleB = await registerVehicle(api, keyB, { ownerId: customerB.id });
  });
  afterAll(() => api.close());

  const customerTokenA = () => api.bearer('customer', keyOf(customerA.id));
  const keyOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

  describe('reads by a dealer key', () => {
    it('sees its own customer and vehicle', async () => {
      const res = await api.call(`query($id: ID!, $vin: String!) { customer(id: $id) { firstName } vehicle(vin: $vin) { vin owner { firstName } } }`, { id: customerA.id, vin: vehicleA.vin }, keyA);
      expect(res.data).toEqual({ customer: { firstName: 'Alma' }, vehicle: { vin: vehicleA.vin, owner: { firstName: 'Alma' } } });
    });

    it("answers another dealer's customer exactly like a customer that does not exist", async () => {
      const query = `query($id: ID!) { customer(id: $id) { id firstName } node(id: $id) { id } }`;
      const foreign = await api.call(query, { id: customerB.id }, keyA);
      const missing = await api.call(query, { id: missingCustomerId }, keyA);
      expect(foreign.data).toEqual({ customer: null, node: null });
      expect(foreign.raw.body).toBe(missing.raw.body);
      expect(foreign.status).toBe(missing.status);
    });

    it("does not reveal another dealer's vehicle, dealer or API key, by any path", async () => {
      const res = await api.call(
        `query($vin: String!, $ids: [ID!]!, $dealer: ID!) { vehicle(vin: $vin) { vin } nodes(ids: $ids) { id } dealer(id: $dealer) { name } }`,
        { vin: vehicleB.vin, ids: [customerB.id, toGlobalId('Vehicle', vehicleB.vin), dealerB.id, keyBId], dealer: dealerB.id },
        keyA,
      );
      expect(res.data).toEqual({ vehicle: null, nodes: [null, null, null, null], dealer: null });
    });

    it('lists only its own customers and itself among dealers, whatever the filter says', async () => {
      const res = await api.call(
        `query($b: ID!) { all: customers(first: 100) { edges { node { id } } } other: customers(filter: { dealerId: $b }) { edges { node { id } } } dealers { edges { node { id } } } }`,
        { b: dealerB.id },
        keyA,
      );
      expect(res.data?.all.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([customerA.id]);
      expect(res.data?.other.edges).toEqual([]);
      expect(res.data?.dealers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([dealerA.id]);
    });

    it("sees neither another dealer's customers through Dealer.customers nor the other dealer through Customer.dealers", async () => {
      // Prepare: the customer of A also becomes a customer of B
      const link = await api.call(`mutation($c: ID!, $d: ID!) { linkCustomerToDealer(input: { customerId: $c, dealerId: $d }) { userErrors { code } } }`, { c: customerA.id, d: dealerB.id }, api.bearer('admin'));
      expect(link.data?.linkCustomerToDealer.userErrors).toEqual([]);
      // Act
      const res = await api.call(`query($id: ID!) { customer(id: $id) { dealers { id } } }`, { id: customerA.id }, keyA);
      const asAdmin = await api.call(`query($id: ID!) { customer(id: $id) { dealers { id } } }`, { id: customerA.id }, api.bearer('admin'));
      // Assess
      expect(res.data?.customer.dealers).toEqual([{ id: dealerA.id }]);
      expect(asAdmin.data?.customer.dealers).toHaveLength(2);
    });

    it('sees a car it sold after a transfer, but not the new owner who is not its customer', async () => {
      // Prepare: the brand transfers A's car to B's customer
      const car = await registerVehicle(api, keyA, { ownerId: customerA.id });
      const transfer = await api.call(
        `mutation($vin: String!, $to: ID!) { transferVehicle(input: { vin: $vin, newOwnerId: $to, transferDate: "2026-01-10" }) { userErrors { code } } }`,
        { vin: car.vin, to: customerB.id },
        api.bearer('admin'),
      );
      expect(transfer.data?.transferVehicle.userErrors).toEqual([]);
      // Act
      const res = await api.call(`query($vin: String!) { vehicle(vin: $vin) { vin owner { id } ownerHistory { from to customer { id } } } }`, { vin: car.vin }, keyA);
      // Assess
      expect(res.data?.vehicle.owner).toBeNull();
      expect(res.data?.vehicle.ownerHistory).toEqual([
        { from: '2025-04-01', to: '2026-01-10', customer: { id: customerA.id } },
        { from: '2026-01-10', to: null, customer: null },
      ]);
    });
  });

  describe('writes by a dealer key', () => {
    const readCustomerAsAdmin = async (id: string) => (await api.call(`query($id: ID!) { customer(id: $id) { firstName version consents { channel } } }`, { id }, api.bearer('admin'))).data?.customer;

    it("cannot change another dealer's customer, and gets NOT_FOUND like for an unknown id", async () => {
      const before = await readCustomerAsAdmin(customerB.id);
      const update = `mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, firstName: "Hijacked" }) { customer { id } userErrors { field code } } }`;
      const foreign = await api.call(update, { id: customerB.id }, keyA);
      const missing = await api.call(update, { id: missingCustomerId }, keyA);
      expect(foreign.data?.updateCustomer).toEqual({ customer: null, userErrors: [{ field: ['input', 'id'], code: 'NOT_FOUND' }] });
      expect(foreign.raw.body).toBe(missing.raw.body);
      const consents = await api.call(
        `mutation($id: ID!) { setConsents(input: { customerId: $id, consents: [{ channel: EMAIL, granted: true, source: "dms" }] }) { userErrors { field code } } }`,
        { id: customerB.id },
        keyA,
      );
      expect(consents.data?.setConsents.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_FOUND' }]);
      expect(await readCustomerAsAdmin(customerB.id)).toEqual(before);
    });

    it("cannot register a car for another dealer's customer or in another dealer's name", async () => {
      const register = `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { vin } userErrors { field code } } }`;
      const base = { variant: '911 Turbo S', modelLine: 'NINE_ELEVEN', powertrain: 'PETROL', modelYear: 2026, purchaseDate: '2026-02-01', purchasePrice: { amount: '245000', currency: 'EUR' }, odometerKm: 5 };
      const vin1 = nextVin();
      const foreignOwner = await api.call(register, { input: { ...base, vin: vin1, ownerId: customerB.id } }, keyA);
      expect(foreignOwner.data?.registerVehicle.userErrors).toEqual([{ field: ['input', 'ownerId'], code: 'NOT_FOUND' }]);
      const vin2 = nextVin();
      const foreignDealer = await api.call(register, { input: { ...base, vin: vin2, ownerId: customerA.id, sellingDealerId: dealerB.id } }, keyA);
      expect(foreignDealer.data?.registerVehicle.userErrors).toEqual([{ field: ['input', 'sellingDealerId'], code: 'NOT_FOUND' }]);
      for (const vin of [vin1, vin2]) {
        expect((await api.call(`query($vin: String!) { vehicle(vin: $vin) { vin } }`, { vin }, api.bearer('admin'))).data?.vehicle).toBeNull();
      }
    });

    it("cannot record a reading on or transfer another dealer's car, nor give its own car to another dealer's customer", async () => {
      const reading = await api.call(
        `mutation($vin: String!) { recordOdometerReading(input: { vin: $vin, km: 99999, readAt: "2026-06-01T10:00:00Z" }) { userErrors { field code } } }`,
        { vin: vehicleB.vin },
        keyA,
      );
      expect(reading.data?.recordOdometerReading.userErrors).toEqual([{ field: ['input', 'vin'], code: 'NOT_FOUND' }]);
      const transfer = `mutation($vin: String!, $to: ID!) { transferVehicle(input: { vin: $vin, newOwnerId: $to, transferDate: "2026-03-01" }) { userErrors { field code } } }`;
      expect((await api.call(transfer, { vin: vehicleB.vin, to: customerA.id }, keyA)).data?.transferVehicle.userErrors).toEqual([{ field: ['input', 'vin'], code: 'NOT_FOUND' }]);
      expect((await api.call(transfer, { vin: vehicleA.vin, to: customerB.id }, keyA)).data?.transferVehicle.userErrors).toEqual([{ field: ['input', 'newOwnerId'], code: 'NOT_FOUND' }]);
      const b = await api.call(`query($vin: String!) { vehicle(vin: $vin) { odometer { km } owner { id } } }`, { vin: vehicleB.vin }, api.bearer('admin'));
      expect(b.data?.vehicle).toEqual({ odometer: { km: 10 }, owner: { id: customerB.id } });
    });

    it('may not administer dealers, keys or links', async () => {
      const ops: [string, Record<string, unknown>][] = [
        [`mutation { createDealer(input: { code: "XX-NEW-01", name: "x", city: "x", country: "DE" }) { dealer { id } } }`, {}],
        [`mutation($d: ID!) { issueDealerApiKey(input: { dealerId: $d, name: "mine", scopes: [CUSTOMERS_READ] }) { secret } }`, { d: dealerA.id }],
        [`mutation($id: ID!) { revokeDealerApiKey(input: { id: $id }) { apiKey { id } } }`, { id: keyBId }],
        [`mutation($c: ID!, $d: ID!) { linkCustomerToDealer(input: { customerId: $c, dealerId: $d }) { userErrors { code } } }`, { c: customerB.id, d: dealerA.id }],
      ];
      for (const [query, variables] of ops) {
        const res = await api.call(query, variables, keyA);
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        // The payload is non-null, so the refusal nulls the whole answer: nothing is returned.
        expect(res.data).toBeNull();
      }
      // B's key still works: nothing was revoked.
      expect((await api.call('{ me { role } }', {}, keyB)).status).toBe(200);
    });

    it('needs the write scope to write, and is told so', async () => {
      const res = await api.call(`mutation { createCustomer(input: { firstName: "R", lastName: "O", email: "ro@example.com" }) { customer { id } } }`, {}, readOnlyA);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const update = await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, firstName: "X" }) { customer { id } } }`, { id: customerA.id }, readOnlyA);
      expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('a customer token', () => {
    it('sees only its own profile and cars', async () => {
      const res = await api.call(
        `query($b: ID!, $vinB: String!) { me { customer { id } } mine: customers { edges { node { id } } } other: customer(id: $b) { id } otherCar: vehicle(vin: $vinB) { vin } }`,
        { b: customerB.id, vinB: vehicleB.vin },
        customerTokenA(),
      );
      expect(res.data).toEqual({ me: { customer: { id: customerA.id } }, mine: { edges: [{ node: { id: customerA.id } }] }, other: null, otherCar: null });
    });

    it('may edit itself but nobody else, and may not register cars', async () => {
      const other = await api.call(`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, firstName: "X" }) { userErrors { code } } }`, { id: customerB.id }, customerTokenA());
      expect(other.data?.updateCustomer.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
      const register = await api.call(
        `mutation($o: ID!) { registerVehicle(input: { vin: "WP0ZZZ99ZTS999999", ownerId: $o, modelLine: MACAN, variant: "Macan", powertrain: PETROL, modelYear: 2025, purchaseDate: "2025-01-01", purchasePrice: { amount: "1", currency: EUR }, odometerKm: 1 }) { userErrors { code } } }`,
        { o: customerA.id },
        customerTokenA(),
      );
      expect(register.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('an analyst token', () => {
    it('reads everything', async () => {
      const res = await api.call(`query($a: ID!, $b: ID!) { a: customer(id: $a) { id } b: customer(id: $b) { id } customers(first: 100) { edges { node { id } } } }`, { a: customerA.id, b: customerB.id }, api.bearer('analyst'));
      expect(res.data?.a.id).toBe(customerA.id);
      expect(res.data?.b.id).toBe(customerB.id);
      expect(res.data?.customers.edges.length).toBeGreaterThanOrEqual(2);
    });

    it('changes nothing', async () => {
      const before = await api.call(`query($id: ID!) { customer(id: $id) { firstName version } }`, { id: customerA.id }, api.bearer('admin'));
      const mutations: [string, Record<string, unknown>][] = [
        [`mutation { createCustomer(input: { firstName: "A", lastName: "N", email: "analyst.made@example.com" }) { customer { id } } }`, {}],
        [`mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, firstName: "Analysed" }) { customer { id } } }`, { id: customerA.id }],
        [`mutation($id: ID!) { setConsents(input: { customerId: $id, consents: [{ channel: SMS, granted: true, source: "x" }] }) { customer { id } } }`, { id: customerA.id }],
        [`mutation($vin: String!) { recordOdometerReading(input: { vin: $vin, km: 5000, readAt: "2026-01-01T00:00:00Z" }) { vehicle { vin } } }`, { vin: vehicleA.vin }],
        [`mutation($vin: String!, $to: ID!) { transferVehicle(input: { vin: $vin, newOwnerId: $to, transferDate: "2026-01-01" }) { vehicle { vin } } }`, { vin: vehicleA.vin, to: customerB.id }],
        [`mutation { createDealer(input: { code: "XX-ANA-01", name: "x", city: "x", country: "DE" }) { dealer { id } } }`, {}],
      ];
      for (const [query, variables] of mutations) {
        const res = await api.call(query, variables, api.bearer('analyst'));
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      const after = await api.call(`query($id: ID!) { customer(id: $id) { firstName version } }`, { id: customerA.id }, api.bearer('admin'));
      expect(after.data).toEqual(before.data);
    });
  });
});
