import { describe, expect, it } from 'vitest';
import type { ModelLine, Powertrain } from '../../src/catalogue/model-lines.js';
import { learnFleetRates, quantile, robustLogSpread, sameRates } from '../../src/fleet-rates/fleet-learning.js';
import type { FleetCar } from '../../src/fleet-rates/fleet-reader.js';
import { fromStored, toStored } from '../../src/fleet-rates/fleet-rates-records.js';
import { cohortFor, DEFAULT_KM_PER_YEAR, MIN_COHORT_CARS, sohTrendFor, type FleetRates } from '../../src/fleet-rates/fleet-rates.js';

const DEALERS = { 'dealer-de-1': 'DE', 'dealer-de-2': 'DE', 'dealer-fr': 'FR' };

const car = (kmPerYear: number, overrides: Partial<FleetCar> & { quality?: number; source?: 'HISTORY' | 'COHORT' | 'FLEET_DEFAULT' } = {}): FleetCar => {
  const { quality = 0.9, source = 'HISTORY', ...rest } = overrides;
  return { modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: 'dealer-de-1', rate: { kmPerYear, source, quality }, ...rest };
};
const learn = (cars: FleetCar[], minCars = MIN_COHORT_CARS): FleetRates => ({ ...learnFleetRates(cars, DEALERS, '2026-12-01T01:00:00.000Z', minCars), version: 1 });

describe('Function: learnFleetRates', () => {
  it('takes the median rate and 1.4826 × the MAD of the log rates as the spread', () => {
    // Prepare: 21 cars at 10,000 × e^(0.1·k), k = −10 … 10: logs spaced 0.1 around ln 10,000
    const cars = Array.from({ length: 21 }, (_, i) => car(10_000 * Math.exp(0.1 * (i - 10))));

    // Act
    const rates = learn(cars);

    // Assess: absolute deviations 0, 0.1, 0.1, 0.2, 0.2 … 1.0, 1.0 → their median (the 11th) is 0.5
    expect(rates.cohorts['MACAN#PETROL#DE']).toEqual({ cohort: 'MACAN#PETROL#DE', cars: 21, kmPerYear: 10_000, logSpread: 0.741 });
    expect(rates.cohorts['MACAN#PETROL#*']).toMatchObject({ cars: 21, kmPerYear: 10_000, logSpread: 0.741 });
  });

  it('averages the middle two of an even count, and floors the spread of identical cars at 0.1', () => {
    expect(learn([8_000, 9_000, 11_000, 12_000].map((km) => car(km)), 1).cohorts['MACAN#PETROL#DE']!.kmPerYear).toBe(10_000);
    expect(learn(Array.from({ length: 5 }, () => car(9_000)), 1).cohorts['MACAN#PETROL#DE']!.logSpread).toBe(0.1);
  });

  it('is not moved by a few extreme cars (a taxi, a garage queen)', () => {
    // Prepare: 20 cars from 8,000 to 11,800, one at 90,000, one at 500
    const usual = Array.from({ length: 20 }, (_, i) => car(8_000 + i * 200));

    // Act
    const cohort = learn([...usual, car(90_000), car(500)]).cohorts['MACAN#PETROL#DE']!;

    // Assess: the median of 22 is between the 11th and 12th (9,800 and 10,000); the spread barely moves
    expect(cohort.kmPerYear).toBe(9_900);
    expect(cohort.logSpread).toBeGreaterThan(0.1);
    expect(cohort.logSpread).toBeLessThan(learn(usual).cohorts['MACAN#PETROL#DE']!.logSpread * 1.2);
    expect(robustLogSpread([8_000, 10_000, 12_500])).toBe(0.331);
  });

  it('learns only from cars whose own readings dominate their rate (HISTORY, quality ≥ 0.5) and that move', () => {
    // Prepare
    const cars = [
      car(10_000),
      car(20_000, { quality: 0.5 }),
      car(99_000, { quality: 0.49 }),
      car(99_000, { source: 'COHORT', quality: 0 }),
      car(99_000, { source: 'FLEET_DEFAULT', quality: 0 }),
      car(0, { quality: 1 }),
      { modelLine: 'MACAN' as ModelLine, powertrain: 'PETROL' as Powertrain, servicingDealerId: 'dealer-de-1' },
    ];

    // Act
    const cohort = learn(cars, 1).cohorts['MACAN#PETROL#DE']!;

    // Assess
    expect(cohort).toMatchObject({ cars: 2, kmPerYear: 15_000 });
  });

  it('keeps country cohorts and the all-countries one, each with at least minCars cars; a car of a dealer without a known country teaches only the latter', () => {
    // Prepare: 24 German cars at 10,000–12,300, 6 French ones at 30,000, 1 of an unknown dealer
    const german = Array.from({ length: 24 }, (_, i) => car(10_000 + i * 100, { servicingDealerId: i % 2 ? 'dealer-de-1' : 'dealer-de-2' }));
    const french = Array.from({ length: 6 }, () => car(30_000, { servicingDealerId: 'dealer-fr' }));

    // Act
    const rates = learn([...german, ...french, car(50_000, { servicingDealerId: 'dealer-gone' })]);

    // Assess: France's 6 cars are too few for a cohort of its own (they count in all countries)
    expect(Object.keys(rates.cohorts)).toEqual(['MACAN#PETROL#*', 'MACAN#PETROL#DE']);
    expect(rates.cohorts['MACAN#PETROL#DE']).toMatchObject({ cars: 24, kmPerYear: 11_150 });
    expect(learn(french, 6).cohorts['MACAN#PETROL#FR']).toMatchObject({ cars: 6, kmPerYear: 30_000, logSpread: 0.1 });
    // 31 cars: the 16th smallest is the 16th German one (11,500)
    expect(rates.cohorts['MACAN#PETROL#*']).toMatchObject({ cars: 31, kmPerYear: 11_500 });
    expect(rates.dealerCountries).toEqual(DEALERS);
  });

  it('serves a car its own country cohort when it is large enough, else the all-countries one, else the table (cohortFor)', () => {
    // Prepare: as above, Germany has ≥ 20 cars, France 6
    const rates = learn([...Array.from({ length: 24 }, (_, i) => car(10_000 + i * 100)), ...Array.from({ length: 6 }, () => car(30_000, { servicingDealerId: 'dealer-fr' }))]);

    // Act + Assess
    expect(cohortFor(rates, 'MACAN', 'PETROL', 'DE')).toMatchObject({ cohort: 'MACAN#PETROL#DE', kmPerYear: 11_150 });
    expect(cohortFor(rates, 'MACAN', 'PETROL', 'FR')).toMatchObject({ cohort: 'MACAN#PETROL#*', cars: 30 });
    expect(cohortFor(rates, 'MACAN', 'PETROL', undefined)).toMatchObject({ cohort: 'MACAN#PETROL#*' });
    expect(cohortFor(rates, 'CAYENNE', 'PETROL', 'DE')).toMatchObject({ cohort: 'CAYENNE#PETROL#DEFAULT', cars: 0, kmPerYear: DEFAULT_KM_PER_YEAR.CAYENNE });
    // The table again when the whole line × powertrain has too few cars
    const few = learn(Array.from({ length: MIN_COHORT_CARS - 1 }, () => car(30_000)));
    expect(cohortFor(few, 'MACAN', 'PETROL', 'DE').cohort).toBe('MACAN#PETROL#DEFAULT');
  });

  it('learns the battery-trend distribution of hybrids and EVs with a trend: 21 quantiles, p10/p50/p90 among them', () => {
    // Prepare: 21 German Taycans losing 0 … 4 %/year (−0.2 steps), 20 French ones of which 5 with a trend, a petrol car with a (meaningless) trend
    const taycan = (trend: number | null, dealer = 'dealer-de-1'): FleetCar => ({ ...car(15_000, { servicingDealerId: dealer }), modelLine: 'TAYCAN', powertrain: 'ELECTRIC', sohTrendPctPerYear: trend });
    const cars = [...Array.from({ length: 21 }, (_, i) => taycan(-0.2 * i)), ...Array.from({ length: 20 }, (_, i) => taycan(i < 5 ? -3 : null, 'dealer-fr')), car(10_000, { sohTrendPctPerYear: -9 })];

    // Act
    const rates = learn(cars);

    // Assess: quantile i/20 of 21 evenly spaced values is the i-th smallest
    const de = rates.cohorts['TAYCAN#ELECTRIC#DE']!.sohTrend!;
    expect(de.cars).toBe(21);
    expect(de.quantiles).toEqual(Array.from({ length: 21 }, (_, i) => Math.round((-4 + 0.2 * i) * 100) / 100));
    expect([de.p10, de.p50, de.p90]).toEqual([-3.6, -2, -0.4]);
    // Too few French trends for quantiles: France's cohort has none of its own, and falls back to all countries
    expect(rates.cohorts['TAYCAN#ELECTRIC#FR']).toMatchObject({ cars: 20 });
    expect(rates.cohorts['TAYCAN#ELECTRIC#FR']!.sohTrend).toBeUndefined();
    expect(sohTrendFor(rates, 'TAYCAN', 'ELECTRIC', 'FR')).toMatchObject({ cars: 26 });
    expect(sohTrendFor(rates, 'TAYCAN', 'ELECTRIC', 'DE')).toBe(de);
    // A petrol car's trend is not a battery's (with minCars 1 it would show)
    expect(learn(cars, 1).cohorts['MACAN#PETROL#DE']!.sohTrend).toBeUndefined();
  });

  it('interpolates quantiles between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3);
    expect(quantile([7], 0.9)).toBe(7);
  });
});

describe('Function: toStored / fromStored', () => {
  it('keeps every cohort through the gzipped item body', () => {
    const rates = learn([...Array.from({ length: 21 }, (_, i) => car(10_000 + i * 100)), ...Array.from({ length: 21 }, (_, i) => ({ ...car(15_000), modelLine: 'TAYCAN' as const, powertrain: 'ELECTRIC' as const, sohTrendPctPerYear: -i / 10 }))]);
    const stored = toStored(rates);
    expect(stored).toMatchObject({ version: 1, computedAt: rates.computedAt, minCars: MIN_COHORT_CARS, cohortCount: 4 });
    expect(fromStored(stored)).toEqual(rates);
  });
});

describe('Function: sameRates', () => {
  it('is true for the same fleet learned at another time, false once a car’s rate moved the median or a dealer was added', () => {
    // Prepare
    const cars = Array.from({ length: 21 }, (_, i) => car(10_000 + i * 250));
    const first = learnFleetRates(cars, DEALERS, '2026-12-01T01:00:00.000Z', MIN_COHORT_CARS);

    // Act + Assess
    expect(sameRates(learnFleetRates([...cars].reverse(), { ...DEALERS }, '2026-12-02T01:00:00.000Z', MIN_COHORT_CARS), first)).toBe(true);
    expect(sameRates(learnFleetRates([...cars.slice(1), car(20_000)], DEALERS, '2026-12-02T01:00:00.000Z', MIN_COHORT_CARS), first)).toBe(false);
    expect(sameRates(learnFleetRates(cars, { ...DEALERS, 'dealer-at': 'AT' }, '2026-12-02T01:00:00.000Z', MIN_COHORT_CARS), first)).toBe(false);
    expect(sameRates(first, null)).toBe(false);
  });
});
