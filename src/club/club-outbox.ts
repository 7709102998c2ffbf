import type { ClubLevel } from './rules.js';

/**
 * The club's outbox events (see `store/outbox.ts`), declared beside the ledger that writes
 * them in the same transaction as the change they describe — not in `module.ts`, which the
 * jobs do not load.
 */

/** A member's status level changed: on an accrual, a reversal, or the review when old months leave the window. */
export interface ClubStatusChanged {
  customerId: string;
  number: string;
  previousLevel: ClubLevel;
  level: ClubLevel;
  /** Qualifying points in the rolling window the new level rests on. */
  qualifyingPoints: number;
  cause: 'ACCRUAL' | 'REVERSAL' | 'REVIEW' | 'JOIN';
  at: string;
}

/** A lot's points will expire (`expiryWarningDays` ahead), published once per lot. */
export interface PointsExpiring {
  customerId: string;
  lotId: string;
  points: number;
  /** The last day they can be spent. */
  expiresOn: string;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    ClubStatusChanged: ClubStatusChanged;
    PointsExpiring: PointsExpiring;
  }
}
