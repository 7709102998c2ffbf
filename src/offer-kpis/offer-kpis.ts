import type { OfferDefinition } from '../offers/catalogue.js';
import type { OfferStatsRecord } from '../offers/offer-records.js';
import { upliftOf, type ArmCounts, type Uplift } from '../offers/uplift.js';
import type { KpiSums } from '../value/kpis.js';

/**
 * The offers' KPIs, pure: the statistics items of one scope (sums only ever ADDed in the
 * transactions of what they count, see `offers/offer-records.ts`) read as
 *
 * - per offer, over the decisions made in the months reported (their cohorts): decided and
 *   converted in treatment (delivered) and control (the holdout: decided, never
 *   delivered), the conversion rates, the uplift (treatment − control) with its 95 %
 *   interval, the incremental conversions (uplift × treatment decided) and their value
 *   (× the offer's value to the brand) — `offers/uplift.ts`;
 * - the value KPIs upgrade conversion (upgrades ÷ repeat purchases) and finance penetration
 *   (financed purchases ÷ purchases) of the 12 months to the report's last month, from the
 *   scores job's roll-up of that month, split into offer-driven — Σ `offerUpgrades`
 *   (resp. `offerFinanced`, treatment conversions by a registration resp. a contract)
 *   over the same 12 months ÷ the same denominator — and organic, the rest.
 *
 * The offer-driven count is capped at the total: the offers count a converting
 * registration or contract, the value KPIs judge an upgrade by the cars' ranks and a
 * financed purchase by a contract on a car bought within the 12 months, so a rare
 * conversion the value KPIs do not count (a finance renewal on an older car) must not
 * make the organic share negative.
 */

/** Offers a report lists at most (the catalogue is curated by the brand: tens of offers). */
export const MAX_REPORTED_OFFERS = 100;
/** Months one report spans at most (its statistics are read in one query). */
export const MAX_REPORT_MONTHS = 24;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const isMonth = (s: string) => MONTH.test(s);

/** The month `n` months after `month` (negative: before). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

/** Months from `from` to `to`, both included (0 when `to` is before `from`). */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return Math.max(0, (ty - fy) * 12 + (tm - fm) + 1);
}

/** The first month of the 12 months to `to` (the value KPIs' window). */
export const twelveMonthsTo = (to: string) => addMonths(to, -11);

export interface ArmView {
  decided: number;
  converted: number;
  /** converted ÷ decided; null without decisions. */
  rate: number | null;
  convertedValueEurMinor: number;
}

export interface OfferUpliftView {
  offerCode: string;
  name: string;
  valueEur: number;
  treatment: ArmView;
  control: ArmView;
  uplift: Uplift;
}

export interface OfferDrivenRate {
  /** The value-KPI month it rests on. */
  period: string;
  whole: number;
  part: number;
  offerDrivenPart: number;
  value: number | null;
  offerDriven: number | null;
  organic: number | null;
}

export interface OfferKpiView {
  scope: 'BRAND' | 'DEALER';
  dealerId?: string;
  from: string;
  to: string;
  offers: OfferUpliftView[];
  /** Σ of the offers' incremental value, EUR cents (offers whose uplift is unknown add nothing). */
  incrementalValueEurMinor: number;
  /** Null before a scores run rolled up the month `to`. */
  upgradeConversion: OfferDrivenRate | null;
  financePenetration: OfferDrivenRate | null;
}

const rate = (part: number, whole: number, digits = 4): number | null => (whole > 0 ? Math.round((part / whole) * 10 ** digits) / 10 ** digits : null);

function arm(counts: ArmCounts): ArmView {
  return { decided: counts.decided, converted: counts.converted, rate: rate(counts.converted, counts.decided), convertedValueEurMinor: counts.valueEurMinor };
}

function split(period: string, total: number, offerDriven: number, whole: number): OfferDrivenRate {
  const driven = Math.min(offerDriven, total);
  return { period, whole, part: total, offerDrivenPart: driven, value: rate(total, whole, 3), offerDriven: rate(driven, whole, 3), organic: rate(total - driven, whole, 3) };
}

/**
 * The report of one scope over the cohort months [from, to]: `stats` are its statistics
 * items of at least the months [min(from, to − 11), to], `offers` the catalogue (names and
 * values by code), `valueSums` the value KPIs' roll-up of `to` for the same scope.
 */
export function offerKpiView(input: {
  scope: 'BRAND' | 'DEALER';
  dealerId?: string;
  from: string;
  to: string;
  stats: readonly OfferStatsRecord[];
  offers: ReadonlyMap<string, Pick<OfferDefinition, 'name' | 'valueEur'>>;
  valueSums: KpiSums | null;
}): OfferKpiView {
  const { from, to } = input;
  const byOffer = new Map<string, { treatment: ArmCounts; control: ArmCounts }>();
  let offerUpgrades = 0;
  let offerFinanced = 0;
  const yearFrom = twelveMonthsTo(to);
  for (const s of input.stats) {
    if (s.month >= from && s.month <= to) {
      const o = byOffer.get(s.offerCode) ?? { treatment: { decided: 0, converted: 0, valueEurMinor: 0 }, control: { decided: 0, converted: 0, valueEurMinor: 0 } };
      o.treatment.decided += s.decidedT;
      o.treatment.converted += s.convertedT;
      o.treatment.valueEurMinor += s.convertedValueT;
      o.control.decided += s.decidedC;
      o.control.converted += s.convertedC;
      o.control.valueEurMinor += s.convertedValueC;
      byOffer.set(s.offerCode, o);
    }
    if (s.month >= yearFrom && s.month <= to) {
      offerUpgrades += s.offerUpgrades;
      offerFinanced += s.offerFinanced;
    }
  }
  const offers = [...byOffer.entries()]
    .filter(([, o]) => o.treatment.decided + o.control.decided > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, MAX_REPORTED_OFFERS)
    .map(([code, o]): OfferUpliftView => {
      const offer = input.offers.get(code);
      const valueEur = offer?.valueEur ?? 0;
      return { offerCode: code, name: offer?.name ?? code, valueEur, treatment: arm(o.treatment), control: arm(o.control), uplift: upliftOf(o.treatment, o.control, valueEur) };
    });
  const v = input.valueSums;
  return {
    scope: input.scope,
    ...(input.dealerId ? { dealerId: input.dealerId } : {}),
    from,
    to,
    offers,
    incrementalValueEurMinor: offers.reduce((sum, o) => sum + Math.round((o.uplift.incrementalValueEur ?? 0) * 100), 0),
    upgradeConversion: v ? split(to, v.upgrades12, offerUpgrades, v.repeatPurchases12) : null,
    financePenetration: v ? split(to, v.financed12, offerFinanced, v.purchases12) : null,
  };
}
