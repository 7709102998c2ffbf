import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';

/**
 * The brand's maintenance catalogue: scheduled items with their calendar and distance
 * intervals and the approved products, per model line and powertrain, plus the codes of
 * unscheduled work a workshop may record. Data only — the brand changes intervals here
 * and every prediction, reminder and forecast follows. Bump `CATALOGUE_VERSION` when it changes.
 *
 * Values follow the brand's published service plans in spirit (e.g. oil every 1 year /
 * 15,000 km, inspection every 2 years / 30,000 km, brake fluid every 2 years).
 */
export const CATALOGUE_VERSION = '2026.1';

export interface RecommendedProduct {
  name: string;
  /** The approved specification, e.g. the engine oil release "Porsche A40". */
  specification?: string;
}

export interface MaintenanceItem {
  code: string;
  name: string;
  description: string;
  intervalMonths: number;
  /** Absent for items due by time only (brake fluid, coolant). */
  intervalKm?: number;
  powertrains: readonly Powertrain[];
  /** Absent: every model line. */
  modelLines?: readonly ModelLine[];
  products: (modelLine: ModelLine, powertrain: Powertrain) => RecommendedProduct[];
}

const COMBUSTION: readonly Powertrain[] = ['PETROL', 'HYBRID'];
const ALL: readonly Powertrain[] = ['PETROL', 'HYBRID', 'ELECTRIC'];
const HIGH_VOLTAGE: readonly Powertrain[] = ['HYBRID', 'ELECTRIC'];

/** Sports cars run the A40 release; the others the low-viscosity C20 where approved. */
function engineOil(modelLine: ModelLine): RecommendedProduct[] {
  return modelLine === 'NINE_ELEVEN' || modelLine === 'SEVEN_EIGHTEEN'
    ? [{ name: 'Mobil 1 ESP X3 0W-40', specification: 'Porsche A40' }, { name: 'Genuine oil filter' }]
    : [{ name: 'Mobil 1 ESP X2 0W-20', specification: 'Porsche C20' }, { name: 'Genuine oil filter' }];
}

export const MAINTENANCE_ITEMS: readonly MaintenanceItem[] = [
  {
    code: 'OIL_SERVICE',
    name: 'Oil service',
    description: 'Engine oil and filter change',
    intervalMonths: 12,
    intervalKm: 15_000,
    powertrains: COMBUSTION,
    products: (line) => engineOil(line),
  },
  {
    code: 'INSPECTION',
    name: 'Inspection',
    description: 'Scheduled inspection of chassis, brakes, lights, fluids and diagnostics',
    intervalMonths: 24,
    intervalKm: 30_000,
    powertrains: ALL,
    products: () => [],
  },
  {
    code: 'BRAKE_FLUID',
    name: 'Brake fluid change',
    description: 'Brake fluid replacement (absorbs moisture over time, whatever the distance)',
    intervalMonths: 24,
    powertrains: ALL,
    products: () => [{ name: 'Porsche Super DOT 4 brake fluid', specification: 'DOT 4 Class 6' }],
  },
  {
    code: 'CABIN_FILTER',
    name: 'Cabin air filter',
    description: 'Particle and activated-carbon cabin filter replacement',
    intervalMonths: 24,
    intervalKm: 30_000,
    powertrains: ALL,
    products: () => [{ name: 'Genuine cabin filter with activated carbon' }],
  },
  {
    code: 'SPARK_PLUGS',
    name: 'Spark plugs',
    description: 'Spark plug replacement',
    intervalMonths: 48,
    intervalKm: 60_000,
    powertrains: COMBUSTION,
    products: (line) => [{ name: line === 'NINE_ELEVEN' || line === 'SEVEN_EIGHTEEN' ? 'Genuine spark plugs (6/4-cylinder boxer set)' : 'Genuine spark plugs (V6/V8 set)' }],
  },
  {
    code: 'AIR_FILTER',
    name: 'Engine air filter',
    description: 'Engine air filter element replacement',
    intervalMonths: 48,
    intervalKm: 60_000,
    powertrains: COMBUSTION,
    products: () => [{ name: 'Genuine air filter element' }],
  },
  {
    code: 'PDK_OIL',
    name: 'PDK transmission oil',
    description: 'Dual-clutch (PDK) transmission oil and filter change',
    intervalMonths: 72,
    intervalKm: 120_000,
    powertrains: COMBUSTION,
    products: () => [{ name: 'Porsche PDK transmission fluid', specification: 'FFL-3' }],
  },
  {
    code: 'HV_BATTERY_CHECK',
    name: 'High-voltage battery check',
    description: 'High-voltage battery and charging system check, cell balance and insulation test',
    intervalMonths: 24,
    intervalKm: 30_000,
    powertrains: HIGH_VOLTAGE,
    products: () => [],
  },
  {
    code: 'EV_COOLANT',
    name: 'Battery coolant',
    description: 'High-voltage battery coolant replacement',
    intervalMonths: 48,
    powertrains: ['ELECTRIC'],
    products: () => [{ name: 'Porsche battery coolant', specification: 'G12evo' }],
  },
];

/** Work a workshop may record that no schedule predicts (repairs, recalls, tyres). */
export const UNSCHEDULED_ITEMS: Readonly<Record<string, string>> = {
  TYRE_CHANGE: 'Tyre change',
  WHEEL_ALIGNMENT: 'Wheel alignment',
  BRAKE_PADS: 'Brake pads',
  BRAKE_DISCS: 'Brake discs',
  BATTERY_12V: '12 V battery',
  WIPER_BLADES: 'Wiper blades',
  SOFTWARE_UPDATE: 'Software update',
  RECALL_CAMPAIGN: 'Recall campaign',
  DIAGNOSIS: 'Diagnosis',
  GENERAL_REPAIR: 'General repair',
  BODY_REPAIR: 'Body repair',
};

const BY_CODE = new Map(MAINTENANCE_ITEMS.map((item) => [item.code, item]));

export function maintenanceItem(code: string): MaintenanceItem | undefined {
  return BY_CODE.get(code);
}

/**
 * The catalogue item for a code, or — for an item the brand has since retired from the
 * catalogue but that old reminders still name — a placeholder with its code.
 */
export function describeItem(code: string): MaintenanceItem {
  return BY_CODE.get(code) ?? { code, name: serviceItemName(code), description: serviceItemName(code), intervalMonths: 0, powertrains: [], products: () => [] };
}

export function isKnownServiceItem(code: string): boolean {
  return BY_CODE.has(code) || code in UNSCHEDULED_ITEMS;
}

export function serviceItemName(code: string): string {
  return BY_CODE.get(code)?.name ?? UNSCHEDULED_ITEMS[code] ?? code;
}

/** The scheduled items that apply to a car. */
export function scheduleFor(modelLine: ModelLine, powertrain: Powertrain): MaintenanceItem[] {
  return MAINTENANCE_ITEMS.filter((item) => item.powertrains.includes(powertrain) && (!item.modelLines || item.modelLines.includes(modelLine)));
}
