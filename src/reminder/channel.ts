import type { ConsentChannel, CustomerRecord } from '../customer/customer.js';

/**
 * The brand's order of preference for a maintenance reminder: the app first (free,
 * actionable: "book now"), then email, text, letter, and a call last.
 */
export const REMINDER_CHANNEL_PREFERENCE: readonly ConsentChannel[] = ['PUSH', 'EMAIL', 'SMS', 'POST', 'PHONE'];

/**
 * The first channel the owner has granted; `null` when they granted none — then the
 * reminder is still created (the dealer sees it) but marked not deliverable.
 *
 * @example
 * reminderChannel({ EMAIL: { granted: true, … }, PUSH: { granted: false, … } }) // 'EMAIL'
 */
export function reminderChannel(consents: CustomerRecord['consents']): ConsentChannel | null {
  return REMINDER_CHANNEL_PREFERENCE.find((channel) => consents[channel]?.granted === true) ?? null;
}
