import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { uncertainItem } from '../support/predictions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/service/calendar.js';
import { FORECAST_LOOKAHEAD_DAYS, FORECAST_LOOKBACK_DAYS, visitDayProbabilities } from '../../src/service/forecast.js';
import { dealerForecast } from '../../src/service/forecast-service.js';
import type { ItemPrediction } from '../../src/service/prediction.js';
import { newId } from '../../src/shared/ids.js';
import { makeVehicle, vehicleEntity, type VehicleRecord } from '../../src/vehicle/vehicle.js';
import { adminServiceContext } from '../support/service-context.js';
import { createTestStore, type TestStore } from '../support/store.js';

/**
 * The dealer forecast over DynamoDB Local: which cars the ByParent read brings in now that a
 * car keyed on its likely date may fall due anywhere in its window.
 */
describe('Function: dealerForecast (DynamoDB Local)', () => {
  let store: TestStore;
  const dealerId = newId();
  const otherDealerId = newId();
  const today = '2026-12-01';
  const to = addDays(today, 29);
  let serial = 700_000;

  const window = uncertainItem;
  const fixed = (code: string, date: string): ItemPrediction => window(code, date, date, date);
  /** Written as the vehicle repository writes it, index keys included (derived from the plan). */
  async function serviced(items: ItemPrediction[], servicingDealerId = dealerId): Promise<VehicleRecord> {
    const vehicle = makeVehicle({ vin: `WP0ZZZ99ZTS${serial++}`, servicingDealerId, servicePlan: { rate: { kmPerYear: 15_000, source: 'COHORT', quality: 0 }, items } });
    await store.doc.send(new PutCommand({ TableName: store.tableName, Item: vehicleEntity.toItem(vehicle) }));
    return vehicle;
  }
  const mass = (v: VehicleRecord) => [...visitDayProbabilities(v.servicePlan!.items, today, to).values()].reduce((s, p) => s + p, 0);

  let certain: VehicleRecord, passedButReaching: VehicleRecord, earlyComer: VehicleRecord, gone: VehicleRecord, beyondReach: VehicleRecord;
  beforeAll(async () => {
    store = await createTestStore();
    // Likely on 12-10 and certain.
    certain = await serviced([fixed('BRAKE_FLUID', '2026-12-10')]);
    // Likely 100 days ago (overdue), but its window reaches 20 days into the period.
    passedButReaching = await serviced([window('OIL_SERVICE', '2026-07-01', addDays(today, -100), addDays(today, 20))]);
    // Likely 150 days after the period, but a fast driver could need it within it.
    earlyComer = await serviced([window('INSPECTION', addDays(today, 10), addDays(to, 150), addDays(to, 200))]);
    // Overdue with its whole window before the period.
    gone = await serviced([window('OIL_SERVICE', '2026-05-01', '2026-06-01', '2026-07-01')]);
    // Likely further ahead than the read reaches: left out, though its window starts in the period.
    beyondReach = await serviced([window('INSPECTION', addDays(today, 20), addDays(to, FORECAST_LOOKAHEAD_DAYS + 30), addDays(to, 400))]);
    // Another dealer's certain car on 12-10: never read.
    await serviced([fixed('BRAKE_FLUID', '2026-12-10')], otherDealerId);
  });
  afterAll(() => store.drop());

  it('reads the cars whose window reaches into the period, counts each with its probability there, and lists them on their likely day', async () => {
    // Act
    const forecast = await dealerForecast(adminServiceContext(store, new Date(`${today}T08:00:00Z`)), dealerId, 30);

    // Assess
    expect(forecast).not.toBeNull();
    expect(mass(passedButReaching)).toBeGreaterThan(0.02);
    expect(mass(earlyComer)).toBeGreaterThan(0.01);
    expect(mass(gone)).toBeLessThan(1e-3);
    expect(mass(beyondReach)).toBeGreaterThan(0);
    const read = 1 + mass(passedButReaching) + mass(earlyComer) + mass(gone);
    expect(forecast!.expectedVisits).toBeCloseTo(read, 2);
    expect(forecast!.overdueVehicles).toBe(2);
    expect(forecast!.days.flatMap((d) => d.vehicles.map((v) => [d.date, v.vin]))).toEqual([['2026-12-10', certain.vin]]);
    expect(forecast!.low).toBeGreaterThanOrEqual(1);
    expect(forecast!.low).toBeLessThanOrEqual(forecast!.expectedVisits);
    expect(forecast!.high).toBeGreaterThanOrEqual(forecast!.expectedVisits);
    expect(forecast!.high).toBeLessThanOrEqual(4);
    const weeks = forecast!.weeks.reduce((sum, w) => sum + w.expectedVisits, 0);
    expect(weeks).toBeCloseTo(forecast!.expectedVisits, 1);
  });

  it(`reads the index ${FORECAST_LOOKBACK_DAYS} days before the period and ${FORECAST_LOOKAHEAD_DAYS} after it`, async () => {
    // A car keyed just inside each end is read; one just outside is not.
    const dealer = newId();
    const inside = [addDays(today, -FORECAST_LOOKBACK_DAYS), addDays(to, FORECAST_LOOKAHEAD_DAYS)];
    const outside = [addDays(today, -FORECAST_LOOKBACK_DAYS - 1), addDays(to, FORECAST_LOOKAHEAD_DAYS + 1)];
    // Windows wide enough to reach the period from either end.
    const reaching = (likely: string) => window('OIL_SERVICE', likely < today ? addDays(likely, -30) : addDays(today, 5), likely, likely < today ? addDays(today, 25) : addDays(likely, 30));
    for (const likely of [...inside, ...outside]) await serviced([reaching(likely)], dealer);
    const forecast = await dealerForecast(adminServiceContext(store, new Date(`${today}T08:00:00Z`)), dealer, 30);
    const byLikely = (likely: string) => mass(makeVehicle({ servicePlan: { rate: { kmPerYear: 1, source: 'COHORT', quality: 0 }, items: [reaching(likely)] } }));
    expect(forecast!.expectedVisits).toBeCloseTo(inside.map(byLikely).reduce((s, p) => s + p, 0), 2);
    expect(outside.map(byLikely).every((p) => p > 0.01)).toBe(true);
  });
});
