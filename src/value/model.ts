import type { Currency } from '../shared/money.js';
import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';

/**
 * The customer-value model: every parameter and rule in one versioned module, so the
 * brand can tune it and every score says which model produced it. Bump
 * `VALUE_MODEL_VERSION` with any change here; the scores job rewrites scores that differ.
 */
export const VALUE_MODEL_VERSION = 'value-2026.1';

export const VALUE_PARAMS = {
  /** Years of future value counted in CLV. */
  horizonYears: 5,
  /** Annual discount rate of future value. */
  discountRate: 0.08,
  /** A loyal owner replaces a car about this often: the future vehicle revenue is price ÷ cycle per year. */
  replacementCycleYears: 4,
  /** Price uplift when the replacement is an upgrade. */
  upgradeUplift: 1.15,
  /** The brand's finance income, as a share of the principal. */
  financeMargin: { LOAN: 0.03, LEASE: 0.05 } as Record<'LOAN' | 'LEASE', number>,
  /** Annual service revenue assumed for a car without service history yet (minor units, EUR). */
  defaultAnnualServiceMinor: 60_000,
  /** Run-rates (service, merchandise) are measured over this window. */
  runRateWindowDays: 730,
  /** Reporting currency and fixed conversion rates of the model. */
  reportingCurrency: 'EUR' as Currency,
  fxToEur: { EUR: 1, CHF: 1.05, GBP: 1.17, USD: 0.92, JPY: 0.0062, CNY: 0.13 } as Record<Currency, number>,
};

/** How the model lines rank, entry to top: an upgrade buys a higher rank (or a higher variant of the same line). */
export const MODEL_RANK: Record<ModelLine, number> = { MACAN: 1, SEVEN_EIGHTEEN: 2, CAYENNE: 3, TAYCAN: 3, PANAMERA: 4, NINE_ELEVEN: 5 };
/** Variant words that rank a car above its line's base model. */
export const VARIANT_RANK_BONUS: [RegExp, number][] = [
  [/turbo s|gt2|gt3|gt4 rs/i, 0.6],
  [/turbo|gts/i, 0.4],
  [/\bs\b|4s/i, 0.2],
];
/** Entry price of each line (minor units, EUR): the budget signal compares past spending with the next rank up. */
export const ENTRY_PRICE_MINOR: Record<ModelLine, number> = {
  MACAN: 7_400_000,
  SEVEN_EIGHTEEN: 6_800_000,
  CAYENNE: 9_500_000,
  TAYCAN: 10_100_000,
  PANAMERA: 11_400_000,
  NINE_ELEVEN: 12_600_000,
};

/** A logistic score's intercept and per-factor weights. Factors are described for advisors. */
export interface LogisticModel {
  intercept: number;
  factors: Record<string, { weight: number; description: string }>;
}

export const CHURN_MODEL: LogisticModel = {
  intercept: -2.2,
  factors: {
    monthsSinceContact: { weight: 0.08, description: 'Months since the last purchase, visit, order or interaction' },
    serviceGap: { weight: 1.2, description: 'Fewer service visits than expected in the last two years' },
    financeEndingSoon: { weight: 0.8, description: 'A finance contract ends within six months' },
    detractor: { weight: 1.0, description: 'Latest NPS answer was 0–6' },
    promoter: { weight: -0.7, description: 'Latest NPS answer was 9–10' },
    recentInteraction: { weight: -0.6, description: 'Interacted with the brand in the last 90 days' },
    tenureYears: { weight: -0.05, description: 'Years since the first purchase' },
  },
};

export const UPGRADE_MODEL: LogisticModel = {
  intercept: -2.6,
  factors: {
    higherModelInterest: { weight: 0.35, description: 'Interactions with higher models in the last 180 days' },
    electricInterest: { weight: 0.8, description: 'A combustion owner interested in an electric model' },
    financeEndingSoon: { weight: 0.9, description: 'A finance contract ends within twelve months' },
    carAgeYears: { weight: 0.15, description: 'Age of the newest car, from three years' },
    budgetSignal: { weight: 0.6, description: 'Has spent at least the entry price of the next model up' },
  },
};

export const TIERS = ['PLATINUM', 'GOLD', 'SILVER', 'CLASSIC'] as const;
export type Tier = (typeof TIERS)[number];

/** Tier by CLV (minor units, EUR), best first; the first threshold met wins. */
export const TIER_THRESHOLDS: { tier: Tier; minClvMinor: number }[] = [
  { tier: 'PLATINUM', minClvMinor: 50_000_000 },
  { tier: 'GOLD', minClvMinor: 25_000_000 },
  { tier: 'SILVER', minClvMinor: 10_000_000 },
  { tier: 'CLASSIC', minClvMinor: 0 },
];

/** Cars that put their owner in a tier whatever the CLV, e.g. a 911 Turbo S owner is top tier. */
export const TIER_BY_CAR: { variant: RegExp; tier: Tier }[] = [{ variant: /911 (Turbo S|GT2|GT3)/, tier: 'PLATINUM' }];

export const SEGMENTS = ['DIGITAL_FIRST', 'PERFORMANCE_ENTHUSIAST', 'ELECTRIC_PIONEER', 'FAMILY_SUV', 'CLASSIC_OWNER'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Segment rules as data, tried in order; the first that matches is the primary segment. */
export interface SegmentRule {
  segment: Segment;
  description: string;
  /** Younger than this many years. */
  ageBelow?: number;
  /** Share of interactions through the app, web or social, at least. */
  digitalShareAtLeast?: number;
  ownsModelLine?: ModelLine[];
  ownsPowertrain?: Powertrain[];
  interestTopic?: string[];
}

export const SEGMENT_RULES: SegmentRule[] = [
  { segment: 'DIGITAL_FIRST', description: 'Younger owners who live in the app', ageBelow: 40, digitalShareAtLeast: 0.5 },
  { segment: 'DIGITAL_FIRST', description: 'Young Macan owners', ageBelow: 35, ownsModelLine: ['MACAN'] },
  { segment: 'ELECTRIC_PIONEER', description: 'Owners of an electric car', ownsPowertrain: ['ELECTRIC'] },
  { segment: 'PERFORMANCE_ENTHUSIAST', description: 'Sports-car owners and track-day fans', ownsModelLine: ['NINE_ELEVEN', 'SEVEN_EIGHTEEN'] },
  { segment: 'PERFORMANCE_ENTHUSIAST', description: 'Track-day fans', interestTopic: ['track'] },
  { segment: 'FAMILY_SUV', description: 'SUV owners', ownsModelLine: ['CAYENNE', 'MACAN'] },
  { segment: 'CLASSIC_OWNER', description: 'Everyone else' },
];

export interface Benefit {
  code: string;
  name: string;
  description: string;
  tiers?: Tier[];
  segments?: Segment[];
}

/** Benefits by tier or segment, as data. */
export const BENEFITS: Benefit[] = [
  { code: 'EXCLUSIVE_SERVICE_PACKAGE', name: 'Exclusive service package', description: 'Lifetime roadside assistance and a dedicated technician', tiers: ['PLATINUM'] },
  { code: 'PRIORITY_BOOKING', name: 'Priority booking', description: 'Workshop appointments within 48 hours', tiers: ['PLATINUM', 'GOLD'] },
  { code: 'DIGITAL_SERVICES_PACKAGE', name: 'Digital services package', description: 'Remote functions and over-the-air updates', segments: ['DIGITAL_FIRST'] },
  { code: 'TRACK_DAY_INVITATION', name: 'Track-day invitation', description: 'Priority places at brand track days', segments: ['PERFORMANCE_ENTHUSIAST'] },
  { code: 'HOME_CHARGING_PACKAGE', name: 'Home charging package', description: 'Wallbox installation and charging tariff', segments: ['ELECTRIC_PIONEER'] },
];

export const DIGITAL_CHANNELS = ['APP', 'WEB', 'SOCIAL'];
