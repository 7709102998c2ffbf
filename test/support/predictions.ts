import type { ItemPrediction } from '../../src/service/prediction.js';

/** A distance item with a window (the reminder aims at its earliest date): what forecast tests spread over days. */
export const uncertainItem = (code: string, earliest: string, likely: string, latest: string): ItemPrediction => ({
  code,
  dueDate: likely,
  dueOdometerKm: 30_000,
  basis: 'MILEAGE',
  confidence: 0.8,
  dueWindow: { earliest, likely, latest },
  earlyDue: earliest,
});
