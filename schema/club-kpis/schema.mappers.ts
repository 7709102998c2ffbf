// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { ClubKpiView, ClubRate } from '../../src/club-kpis/club-kpis.js';

export type ClubKpisMapper = ClubKpiView;
export type ClubRateMapper = ClubRate;
