// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { ArmView, OfferDrivenRate, OfferKpiView, OfferUpliftView } from '../../src/offer-kpis/offer-kpis.js';

export type OfferKpisMapper = OfferKpiView;
export type OfferUpliftReportMapper = OfferUpliftView;
export type OfferArmMapper = ArmView;
export type OfferDrivenRateMapper = OfferDrivenRate;
