// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { InteractionRecord } from '../../src/value/fact-repository.js';
import type { Components, CustomerValue, Reason } from '../../src/value/scoring.js';
import type { Benefit } from '../../src/value/model.js';
import type { KpiFigure, KpiView } from '../../src/value/kpis.js';

export type InteractionMapper = InteractionRecord;
export type CustomerValueMapper = CustomerValue;
export type ValueComponentsMapper = Components;
export type ScoreReasonMapper = Reason;
export type BenefitMapper = Benefit;
export type KpiReportMapper = KpiView;
export type KpiFigureMapper = KpiFigure;
