import type { ConsentChannel } from '../customer/customer.js';
import type { ConversionKind, OfferKind } from './catalogue.js';

/**
 * The offers' outbox events (see `store/outbox.ts`), written in the same transaction as the
 * decision, withdrawal or conversion they describe. Holdout decisions publish nothing:
 * the marketing channels never hear of them, which is what makes them a control group.
 */

/** A decision the marketing channels should deliver (treatment only). */
export interface OfferDecided {
  decisionId: string;
  customerId: string;
  offerCode: string;
  offerVersion: number;
  kind: OfferKind;
  name: string;
  /** The consented channel to deliver it through. */
  channel: ConsentChannel;
  rank: number;
  validUntil: string;
  /** The dealer asked to follow it up, if any. */
  dealerId?: string;
  decidedAt: string;
}

/** A delivered decision that must no longer be shown: consent withdrawn, offer retired, no longer eligible. */
export interface OfferWithdrawn {
  decisionId: string;
  customerId: string;
  offerCode: string;
  reason: string;
  at: string;
}

/** A fact converted a decision (treatment or holdout; the control group's conversions are the baseline). */
export interface OfferConverted {
  decisionId: string;
  customerId: string;
  offerCode: string;
  holdout: boolean;
  conversionKind: ConversionKind;
  factId: string;
  at: string;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    OfferDecided: OfferDecided;
    OfferWithdrawn: OfferWithdrawn;
    OfferConverted: OfferConverted;
  }
}
