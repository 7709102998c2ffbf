import { addDays } from '../../src/service/calendar.js';
import { dueByProbability, type ItemPrediction } from '../../src/service/prediction.js';

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

/** P(the item falls due on exactly this day), from its due-by probability. */
export const dayMass = (item: ItemPrediction, day: string) => dueByProbability(item, day) - dueByProbability(item, addDays(day, -1));
