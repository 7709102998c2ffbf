// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { PerformedItem, ServiceVisitRecord } from '../../src/service/service-visit.js';
import type { MaintenanceItem } from '../../src/service/maintenance-catalogue.js';
import type { PredictionView } from '../../src/service/prediction-view.js';
import type { MileageEstimate } from '../../src/service/prediction.js';
import type { ForecastDayView, ForecastView, ForecastWeekView, ItemCountView } from '../../src/service/forecast.js';

export type ServiceVisitMapper = ServiceVisitRecord;
export type PerformedServiceItemMapper = PerformedItem;
export type MaintenanceItemMapper = MaintenanceItem;
export type ServicePredictionMapper = PredictionView;
export type ForecastDayMapper = ForecastDayView;
export type ForecastWeekMapper = ForecastWeekView;
export type ForecastItemCountMapper = ItemCountView;
export type ServiceForecastMapper = ForecastView;
export type MileageEstimateMapper = MileageEstimate;
