/**
 * The brand's model lines and powertrains: product data, not a domain. Customers count
 * their cars per line, vehicles and forecasts are typed by it, scores weigh interest in
 * it, so it lives below every domain (`catalogue/` imports no domain). GraphQL enum names cannot start with a digit,
 * so the 911 and 718 are spelled out.
 */
export const MODEL_LINES = ['NINE_ELEVEN', 'SEVEN_EIGHTEEN', 'TAYCAN', 'PANAMERA', 'MACAN', 'CAYENNE'] as const;
export type ModelLine = (typeof MODEL_LINES)[number];

export const POWERTRAINS = ['PETROL', 'HYBRID', 'ELECTRIC'] as const;
export type Powertrain = (typeof POWERTRAINS)[number];
