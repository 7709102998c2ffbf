import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';

/**
 * The demo brand's catalogue: dealers, the variants people actually buy with plausible
 * list prices (EUR), and names per market. Data only; `seed.ts` turns it into items.
 */
export const DEMO_DEALERS = [
  { code: 'DE-STR-01', name: 'Porsche Zentrum Stuttgart', city: 'Stuttgart', country: 'DE', phone: '+49711', lang: 'de-DE' },
  { code: 'DE-MUC-01', name: 'Porsche Zentrum München', city: 'München', country: 'DE', phone: '+4989', lang: 'de-DE' },
  { code: 'GB-LON-02', name: 'Porsche Centre London West', city: 'London', country: 'GB', phone: '+4420', lang: 'en-GB' },
  { code: 'CH-ZRH-01', name: 'Porsche Zentrum Zürich', city: 'Zürich', country: 'CH', phone: '+4144', lang: 'de-CH' },
  { code: 'IT-MIL-01', name: 'Centro Porsche Milano', city: 'Milano', country: 'IT', phone: '+3902', lang: 'it-IT' },
] as const;

export interface DemoVariant {
  modelLine: ModelLine;
  variant: string;
  powertrain: Powertrain;
  priceEur: number;
  /** Two characters of the VIN's vehicle descriptor section. */
  vinCode: string;
  /** Relative popularity. */
  weight: number;
}

export const DEMO_VARIANTS: DemoVariant[] = [
  { modelLine: 'NINE_ELEVEN', variant: '911 Carrera', powertrain: 'PETROL', priceEur: 126_000, vinCode: '99', weight: 6 },
  { modelLine: 'NINE_ELEVEN', variant: '911 Carrera S', powertrain: 'PETROL', priceEur: 146_000, vinCode: '99', weight: 5 },
  { modelLine: 'NINE_ELEVEN', variant: '911 Carrera 4 GTS', powertrain: 'HYBRID', priceEur: 177_000, vinCode: '99', weight: 3 },
  { modelLine: 'NINE_ELEVEN', variant: '911 GT3', powertrain: 'PETROL', priceEur: 196_000, vinCode: '99', weight: 2 },
  { modelLine: 'NINE_ELEVEN', variant: '911 Turbo S', powertrain: 'PETROL', priceEur: 245_000, vinCode: '99', weight: 2 },
  { modelLine: 'SEVEN_EIGHTEEN', variant: '718 Cayman', powertrain: 'PETROL', priceEur: 68_000, vinCode: '98', weight: 4 },
  { modelLine: 'SEVEN_EIGHTEEN', variant: '718 Boxster GTS 4.0', powertrain: 'PETROL', priceEur: 102_000, vinCode: '98', weight: 3 },
  { modelLine: 'SEVEN_EIGHTEEN', variant: '718 Cayman GT4 RS', powertrain: 'PETROL', priceEur: 160_000, vinCode: '98', weight: 1 },
  { modelLine: 'TAYCAN', variant: 'Taycan', powertrain: 'ELECTRIC', priceEur: 101_000, vinCode: 'Y1', weight: 4 },
  { modelLine: 'TAYCAN', variant: 'Taycan 4S', powertrain: 'ELECTRIC', priceEur: 122_000, vinCode: 'Y1', weight: 4 },
  { modelLine: 'TAYCAN', variant: 'Taycan 4 Cross Turismo', powertrain: 'ELECTRIC', priceEur: 113_000, vinCode: 'Y1', weight: 2 },
  { modelLine: 'TAYCAN', variant: 'Taycan Turbo S', powertrain: 'ELECTRIC', priceEur: 209_000, vinCode: 'Y1', weight: 2 },
  { modelLine: 'PANAMERA', variant: 'Panamera 4', powertrain: 'PETROL', priceEur: 114_000, vinCode: 'YA', weight: 3 },
  { modelLine: 'PANAMERA', variant: 'Panamera 4 E-Hybrid', powertrain: 'HYBRID', priceEur: 124_000, vinCode: 'YA', weight: 3 },
  { modelLine: 'PANAMERA', variant: 'Panamera Turbo E-Hybrid', powertrain: 'HYBRID', priceEur: 197_000, vinCode: 'YA', weight: 1 },
  { modelLine: 'MACAN', variant: 'Macan', powertrain: 'PETROL', priceEur: 74_000, vinCode: '95', weight: 6 },
  { modelLine: 'MACAN', variant: 'Macan 4 Electric', powertrain: 'ELECTRIC', priceEur: 84_000, vinCode: 'XA', weight: 5 },
  { modelLine: 'MACAN', variant: 'Macan Turbo Electric', powertrain: 'ELECTRIC', priceEur: 115_000, vinCode: 'XA', weight: 2 },
  { modelLine: 'CAYENNE', variant: 'Cayenne', powertrain: 'PETROL', priceEur: 95_000, vinCode: '9Y', weight: 5 },
  { modelLine: 'CAYENNE', variant: 'Cayenne E-Hybrid', powertrain: 'HYBRID', priceEur: 104_000, vinCode: '9Y', weight: 4 },
  { modelLine: 'CAYENNE', variant: 'Cayenne S', powertrain: 'PETROL', priceEur: 118_000, vinCode: '9Y', weight: 3 },
  { modelLine: 'CAYENNE', variant: 'Cayenne Turbo GT', powertrain: 'PETROL', priceEur: 205_000, vinCode: '9Y', weight: 1 },
];

export const DEMO_NAMES: Record<string, { first: string[]; last: string[] }> = {
  DE: {
    first: ['Anna', 'Lukas', 'Sophie', 'Maximilian', 'Marie', 'Felix', 'Lena', 'Jonas', 'Clara', 'Tobias', 'Katharina', 'Moritz', 'Johanna', 'Florian', 'Helene'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Schäfer', 'Koch', 'Richter', 'Keller', 'Wolf', 'Neumann', 'Braun'],
  },
  CH: {
    first: ['Noah', 'Mia', 'Luca', 'Lea', 'Elias', 'Laura', 'Nico', 'Anja', 'Reto', 'Corinne'],
    last: ['Meier', 'Huber', 'Gerber', 'Brunner', 'Baumann', 'Frei', 'Zimmermann', 'Moser', 'Steiner', 'Graf'],
  },
  GB: {
    first: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Emily', 'Charlotte', 'James', 'Alice', 'William'],
    last: ['Smith', 'Jones', 'Taylor', 'Brown', 'Davies', 'Evans', 'Thomas', 'Roberts', 'Walker', 'Wright'],
  },
  IT: {
    first: ['Giulia', 'Alessandro', 'Francesca', 'Lorenzo', 'Chiara', 'Matteo', 'Martina', 'Andrea', 'Sara', 'Davide'],
    last: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'],
  },
};

/** ISO 3779 model-year codes (position 10). */
export const MODEL_YEAR_CODE: Record<number, string> = {
  2016: 'G', 2017: 'H', 2018: 'J', 2019: 'K', 2020: 'L', 2021: 'M', 2022: 'N', 2023: 'P', 2024: 'R', 2025: 'S', 2026: 'T', 2027: 'V',
};
