// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { ConversionRule, EligibilityRules, InterestRule, OfferDefinition } from '../../src/offers/catalogue.js';
import type { DecisionConversion, DecisionResponse, OfferDecisionRecord } from '../../src/offers/offer-records.js';

export type OfferMapper = OfferDecisionRecord;
export type OfferResponseMapper = DecisionResponse;
export type OfferConversionMapper = DecisionConversion;
export type OfferDefinitionMapper = OfferDefinition;
export type OfferEligibilityMapper = EligibilityRules;
export type OfferInterestRuleMapper = InterestRule;
export type OfferConversionRuleMapper = ConversionRule;
