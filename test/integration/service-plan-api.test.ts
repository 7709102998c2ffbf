import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonths } from '../../src/service/calendar.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { ALL_SCOPES, createCustomer, createDealer, issueKey, nextVin } from '../support/fixtures.js';

interface Prediction {
  item: { code: string; intervalKm: number | null };
  dueDate: string;
  dueWindow: { earliest: string; likely: string; latest: string };
  confidence: number;
  remindFrom: string;
  basis: string;
}

/** A car's service plan through the API: due windows, their probability, the reminder day, and the rate behind them. */
describe('GraphQL: Vehicle.servicePlan with due windows', () => {
  let api: TestApi;
  const now = new Date('2026-06-15T09:00:00Z');
  let key: Record<string, string>;
  let ownerId: string;

  const register = async (vin: string, modelLine: string, purchaseDate: string) => {
    const res = await api.call(
      `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { userErrors { field code } } }`,
      {
        input: {
          vin,
          ownerId,
          modelLine,
          variant: modelLine,
          powertrain: 'PETROL',
          modelYear: Number(purchaseDate.slice(0, 4)),
          purchaseDate,
          purchasePrice: { amount: '100000', currency: 'EUR' },
          odometerKm: 10,
          odometerReadAt: `${purchaseDate}T10:00:00Z`,
        },
      },
      key,
    );
    expect(res.data?.registerVehicle.userErrors).toEqual([]);
  };
  const read = async (vin: string, km: number, day: string) => {
    const res = await api.call(`mutation($input: RecordOdometerReadingInput!) { recordOdometerReading(input: $input) { userErrors { code } } }`, { input: { vin, km, readAt: `${day}T09:00:00Z` } }, key);
    expect(res.data?.recordOdometerReading.userErrors, `${km} km on ${day}`).toEqual([]);
  };
  const plan = (vin: string) =>
    api.call(
      `query($vin: String!) { vehicle(vin: $vin) {
        nextService { dueDate dueWindow { earliest likely latest } remindFrom }
        servicePlan { item { code intervalKm } dueDate dueWindow { earliest likely latest } confidence remindFrom basis }
        mileageRate { source kmPerYear quality logSigma cohort seasonalFactors } } }`,
      { vin },
      key,
    );

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    const dealer = await createDealer(api, 'DE-PLAN-1');
    key = { 'x-api-key': (await issueKey(api, dealer.id, [...ALL_SCOPES, 'SERVICE_WRITE'])).secret };
    ownerId = (await createCustomer(api, key)).id;
  });
  afterAll(() => api.close());

  it('gives every item an ordered window, its probability and the day the owner hears about it', async () => {
    // Prepare: a Macan driven hard (about 16,000 km a year), read every four months.
    const vin = nextVin();
    await register(vin, 'MACAN', '2025-06-20');
    for (const [km, day] of [[4_000, '2025-09-20'], [9_500, '2026-01-20'], [15_200, '2026-05-20']] as const) await read(vin, km, day);

    // Act
    const res = await plan(vin);

    // Assess
    expect(res.errors).toBeUndefined();
    const vehicle = res.data?.vehicle;
    const items: Prediction[] = vehicle.servicePlan;
    expect(items.length).toBeGreaterThan(3);
    for (const p of items) {
      const { earliest, likely, latest } = p.dueWindow;
      expect(earliest <= likely && likely <= latest, `${p.item.code} ${earliest} ${likely} ${latest}`).toBe(true);
      expect(likely).toBe(p.dueDate);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      // The owner hears at least 14 days before the likely date, earlier when the window is wide.
      expect(p.remindFrom <= addDays(likely, -14), p.item.code).toBe(true);
      if (p.item.intervalKm === null) {
        // Time-only (brake fluid): certain, reminded 14 days ahead.
        expect(p).toMatchObject({ confidence: 1, dueWindow: { earliest: p.dueDate, latest: p.dueDate }, remindFrom: addDays(p.dueDate, -14) });
      }
    }
    // The inspection (30,000 km) lies about a year of driving ahead: a real window, stated with less than certainty.
    const inspection = items.find((p) => p.item.code === 'INSPECTION')!;
    expect(inspection.dueWindow.earliest < inspection.dueWindow.latest).toBe(true);
    expect(inspection.confidence).toBeLessThan(1);
    expect(inspection.remindFrom < addDays(inspection.dueDate, -14)).toBe(true);
    // The oil service (15,000 km) is already passed: a fixed date, reminded at once.
    expect(items.find((p) => p.item.code === 'OIL_SERVICE')).toMatchObject({ basis: 'MILEAGE', confidence: 1 });
    expect(vehicle.nextService).toEqual({ dueDate: items[0]!.dueDate, dueWindow: items[0]!.dueWindow, remindFrom: items[0]!.remindFrom });
    // The rate: the car's own readings against the table's prior (no fleet rates learned yet).
    expect(vehicle.mileageRate).toMatchObject({ source: 'HISTORY', cohort: 'MACAN#PETROL#DEFAULT', seasonalFactors: null });
    expect(vehicle.mileageRate.logSigma).toBeGreaterThan(0);
    expect(vehicle.mileageRate.logSigma).toBeLessThan(0.5);
    expect(vehicle.mileageRate.quality).toBeGreaterThan(0);
  });

  it('shows a car without readings beyond registration with the prior’s spread and wider windows', async () => {
    const vin = nextVin();
    await register(vin, 'MACAN', '2026-03-01');
    const vehicle = (await plan(vin)).data?.vehicle;
    expect(vehicle.mileageRate).toEqual({ source: 'FLEET_DEFAULT', kmPerYear: expect.any(Number), quality: 0, logSigma: 0.5, cohort: 'MACAN#PETROL#DEFAULT', seasonalFactors: null });
    const oil: Prediction = vehicle.servicePlan.find((p: Prediction) => p.item.code === 'OIL_SERVICE');
    // A year by the calendar unless the car drives 15,000 km first, which it may.
    expect(oil.dueWindow.latest).toBe('2027-03-01');
    expect(oil.dueWindow.earliest < '2027-01-01').toBe(true);
    expect(oil.remindFrom < addDays(oil.dueWindow.earliest, 0)).toBe(true);
  });

  it('shows the monthly factors of a car whose readings repeat a seasonal pattern', async () => {
    // Prepare: a 911 driven in summer (2,000 km a month May–September) and barely in winter (200 km), read monthly for 29 months.
    const vin = nextVin();
    await register(vin, 'NINE_ELEVEN', '2024-01-05');
    let km = 10;
    for (let month = 1; month <= 29; month++) {
      const day = addMonths('2024-01-05', month);
      const driven = Number(addMonths('2024-01-05', month - 1).slice(5, 7));
      km += driven >= 5 && driven <= 9 ? 2_000 : 200;
      await read(vin, km, day);
    }

    // Act
    const rate = (await plan(vin)).data?.vehicle.mileageRate;

    // Assess
    expect(rate.seasonalFactors).toHaveLength(12);
    const [january, , , , , , july] = rate.seasonalFactors as number[];
    expect(july).toBeGreaterThan(2 * january!);
    expect((rate.seasonalFactors as number[]).reduce((s, f) => s + f, 0) / 12).toBeCloseTo(1, 1);
  });
});
