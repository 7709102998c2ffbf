/**
 * The owners' club's rules as data, versioned like the value model: status levels and
 * their thresholds, what earns how many points, how long points stay pending and when
 * they expire, and what a point is worth to finance. Code reads these; it never spells
 * a threshold or a rate of its own, so changing the programme is a change here (and a
 * new `version`, which every entry records).
 */

export const CLUB_LEVELS = ['MEMBER', 'SILVER', 'GOLD', 'PLATINUM'] as const;
export type ClubLevel = (typeof CLUB_LEVELS)[number];

/** What a member earns points on: each source document earns at most once. */
export const ACCRUAL_SOURCES = ['SERVICE_VISIT', 'ORDER', 'VEHICLE_PURCHASE', 'FINANCE_CONTRACT', 'EVENT_CHECK_IN'] as const;
export type AccrualSource = (typeof ACCRUAL_SOURCES)[number];

export interface LevelRule {
  level: ClubLevel;
  /** Qualifying points earned in the rolling window needed to hold the level. */
  qualifyingPoints: number;
  /** Points earned are multiplied by this (rounded down). */
  multiplier: number;
  /**
   * How far below zero the available balance may go when points already spent are
   * reversed (a refund after a redemption); beyond it the rest is shown as debt. Either
   * way later accruals settle it first.
   */
  overdraftCap: number;
}

export interface EarningRule {
  /** Points per whole euro of the document's value (before the level's multiplier). */
  pointsPerEur: number;
  /** Whether these points count towards status (a car purchase does; an event check-in too). */
  qualifying: boolean;
}

export interface ClubRules {
  version: string;
  /** Ascending by threshold; the first has threshold 0 (every member holds it). */
  levels: readonly LevelRule[];
  /** How many months of qualifying points a level rests on (rolling, by calendar month). */
  qualifyingWindowMonths: number;
  earning: Readonly<Record<AccrualSource, EarningRule>>;
  /** New points are pending (not yet spendable) for this return window. */
  pendingDays: number;
  /** A lot earned in month M expires at the end of month M + `expiryMonths`. */
  expiryMonths: number;
  /** `PointsExpiring` is published this many days before a lot's expiry, once per lot. */
  expiryWarningDays: number;
  /** What one point costs the brand when spent, in euro cents (points liability = outstanding × this). */
  pointValueEurMinor: number;
  /** How long a freed event seat is held for the next member on the waitlist. */
  waitlistHoldHours: number;
  /**
   * Check-in points a dealer key may set on the events it hosts, per attendee: points are
   * money the brand pays (and qualifying points), so more takes the brand (an admin).
   */
  dealerEventCheckInPointsCap: number;
}

export const CLUB_RULES: ClubRules = {
  version: 'club-2026.1',
  levels: [
    { level: 'MEMBER', qualifyingPoints: 0, multiplier: 1, overdraftCap: 0 },
    { level: 'SILVER', qualifyingPoints: 5_000, multiplier: 1.25, overdraftCap: 500 },
    { level: 'GOLD', qualifyingPoints: 15_000, multiplier: 1.5, overdraftCap: 1_500 },
    { level: 'PLATINUM', qualifyingPoints: 40_000, multiplier: 2, overdraftCap: 5_000 },
  ],
  qualifyingWindowMonths: 12,
  earning: {
    SERVICE_VISIT: { pointsPerEur: 1, qualifying: true },
    ORDER: { pointsPerEur: 2, qualifying: true },
    // A 120,000 EUR car earns 12,000 points: Silver on its own, not Gold.
    VEHICLE_PURCHASE: { pointsPerEur: 0.1, qualifying: true },
    FINANCE_CONTRACT: { pointsPerEur: 0.05, qualifying: true },
    // Check-in points are the event's own (`pointsOnCheckIn`); the rate applies to none.
    EVENT_CHECK_IN: { pointsPerEur: 0, qualifying: true },
  },
  pendingDays: 14,
  expiryMonths: 24,
  expiryWarningDays: 30,
  pointValueEurMinor: 1,
  waitlistHoldHours: 48,
  dealerEventCheckInPointsCap: 1_000,
};

/** The rule of a level. */
export function levelRule(level: ClubLevel, rules: ClubRules = CLUB_RULES): LevelRule {
  return rules.levels.find((l) => l.level === level) ?? rules.levels[0]!;
}
