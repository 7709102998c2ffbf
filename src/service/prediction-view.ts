import type { VehicleRecord } from '../vehicle/vehicle.js';
import { addDays } from './calendar.js';
import { maintenanceItem, type MaintenanceItem, type RecommendedProduct } from './maintenance-catalogue.js';
import { dueWindowOf, reminderAnchor, REMINDER_LEAD_DAYS, type DueWindow, type ItemPrediction } from './prediction.js';

/** A prediction as the API shows it: with its catalogue item, products and last service. */
export interface PredictionView extends ItemPrediction {
  item: MaintenanceItem;
  recommendedProducts: RecommendedProduct[];
  lastPerformedAt?: string;
  /** Always present: plans stored before due windows show a point (`dueWindowOf`). */
  dueWindow: DueWindow;
  /** The day the item's reminder goes out: {@link REMINDER_LEAD_DAYS} before the date it aims at. */
  remindFrom: string;
}

export function predictionViews(vehicle: VehicleRecord): PredictionView[] {
  return (vehicle.servicePlan?.items ?? []).flatMap((prediction) => {
    const item = maintenanceItem(prediction.code);
    // An item dropped from the catalogue since the plan was stored is not shown.
    if (!item) return [];
    return [
      {
        ...prediction,
        item,
        recommendedProducts: item.products(vehicle.modelLine, vehicle.powertrain),
        lastPerformedAt: vehicle.lastServiced[prediction.code]?.date,
        dueWindow: dueWindowOf(prediction),
        remindFrom: addDays(reminderAnchor(prediction), -REMINDER_LEAD_DAYS),
      },
    ];
  });
}
