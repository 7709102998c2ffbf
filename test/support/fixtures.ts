import { expect } from 'vitest';
import type { TestApi } from './api.js';

/**
 * Builds a small brand through the API itself, as an admin would: dealers, keys,
 * customers and cars. Each helper asserts that its mutation succeeded.
 */
export async function createDealer(api: TestApi, code: string, name = `Porsche Zentrum ${code}`) {
  const res = await api.call(
    `mutation($input: CreateDealerInput!) { createDealer(input: $input) { dealer { id code name } userErrors { field code message } } }`,
    { input: { code, name, city: 'Stuttgart', country: 'DE' } },
    api.bearer('admin'),
  );
  expect(res.data?.createDealer.userErrors).toEqual([]);
  return res.data!.createDealer.dealer as { id: string; code: string; name: string };
}

export const ALL_SCOPES = ['CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'VEHICLES_READ', 'VEHICLES_WRITE'];

export async function issueKey(api: TestApi, dealerId: string, scopes = ALL_SCOPES, expiresAt?: string) {
  const res = await api.call(
    `mutation($input: IssueDealerApiKeyInput!) { issueDealerApiKey(input: $input) { secret apiKey { id prefix scopes } userErrors { field code } } }`,
    { input: { dealerId, name: 'DMS', scopes, expiresAt } },
    api.bearer('admin'),
  );
  expect(res.data?.issueDealerApiKey.userErrors).toEqual([]);
  return { secret: res.data!.issueDealerApiKey.secret as string, id: res.data!.issueDealerApiKey.apiKey.id as string };
}

let emailCounter = 0;

export async function createCustomer(api: TestApi, headers: Record<string, string>, overrides: Record<string, unknown> = {}) {
  emailCounter++;
  const res = await api.call(
    `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id version email } userErrors { field code message } } }`,
    { input: { firstName: 'Anna', lastName: `Keller${emailCounter}`, email: `anna.keller.${emailCounter}.${Date.now()}@example.com`, ...overrides } },
    headers,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data?.createCustomer.userErrors).toEqual([]);
  return res.data!.createCustomer.customer as { id: string; version: number; email: string };
}

let vinSerial = 100_000;

/** A fresh, valid European VIN (filler Z at position 9). */
export function nextVin(): string {
  vinSerial++;
  return `WP0ZZZ99ZTS${vinSerial}`;
}

export async function registerVehicle(api: TestApi, headers: Record<string, string>, input: { ownerId: string; sellingDealerId?: string; vin?: string; modelLine?: string; odometerKm?: number }) {
  const vin = input.vin ?? nextVin();
  const res = await api.call(
    `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { id vin version } userErrors { field code message } } }`,
    {
      input: {
        vin,
        ownerId: input.ownerId,
        sellingDealerId: input.sellingDealerId,
        modelLine: input.modelLine ?? 'NINE_ELEVEN',
        variant: '911 Carrera S',
        powertrain: 'PETROL',
        modelYear: 2025,
        purchaseDate: '2025-04-01',
        purchasePrice: { amount: '146000.00', currency: 'EUR' },
        odometerKm: input.odometerKm ?? 10,
        odometerReadAt: '2025-04-01T10:00:00Z',
      },
    },
    headers,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data?.registerVehicle.userErrors).toEqual([]);
  return res.data!.registerVehicle.vehicle as { id: string; vin: string; version: number };
}
