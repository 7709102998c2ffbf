import { describe, expect, it } from 'vitest';
import { buildForecast, MAX_VEHICLES_PER_DAY } from '../../src/service/forecast.js';
import { makeVehicle } from '../../src/vehicle/vehicle.js';

describe('Function: buildForecast', () => {
  it(`lists at most ${MAX_VEHICLES_PER_DAY} cars a day by VIN, and still counts every car`, () => {
    // Prepare: more cars due on one day than the list holds
    const due = MAX_VEHICLES_PER_DAY + 10;
    const vehicles = Array.from({ length: due }, (_, i) =>
      makeVehicle({
        vin: `WP0ZZZ99ZTS${String(900_000 - i)}`,
        servicePlan: { rate: { kmPerYear: 10_000, source: 'HISTORY', quality: 1 } as never, items: [{ code: 'OIL_SERVICE', dueDate: '2026-12-03', basis: 'CALENDAR', confidence: 1 }] },
      }),
    );

    // Act
    const forecast = buildForecast(vehicles, '2026-12-01', 7, 0);

    // Assess
    const day = forecast.days.find((d) => d.date === '2026-12-03')!;
    expect(day.expectedVisits).toBe(due);
    expect(forecast.expectedVisits).toBe(due);
    expect(day.vehicles).toHaveLength(MAX_VEHICLES_PER_DAY);
    expect(day.vehicles.map((v) => v.vin)).toEqual(vehicles.map((v) => v.vin).sort().slice(0, MAX_VEHICLES_PER_DAY));
  });
});
