import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';
import { vehicleKeys } from './vehicle.js';

/**
 * What connected-car telemetry stores in a car's partition (`VEH#<vin>`), besides the
 * odometer readings it adds through the odometer repository:
 * - one marker per platform reading, `TLM#<source>#<sourceReadingId>`: written under
 *   `attribute_not_exists` in the reading's transaction, so a re-sent reading is stored
 *   once. It keeps the reading as received (the state of charge lives only here);
 * - battery state-of-health readings, `SOH#<readAt>#<id>`, sorted by time: the history the
 *   battery's trend is computed from (`battery-health.ts`).
 */
const TELEMETRY = 'TLM';
const STATE_OF_HEALTH = 'SOH';

/** A platform's reading as received, kept as its idempotency marker. */
export interface TelemetryMarker {
  vin: string;
  source: string;
  sourceReadingId: string;
  readAt: string;
  odometerKm?: number;
  stateOfHealthPct?: number;
  stateOfChargePct?: number;
  recordedAt: string;
}

/** A battery state-of-health reading. */
export interface SohReading {
  vin: string;
  id: string;
  pct: number;
  readAt: string;
  /** `telemetry:<platform>`, as on the odometer readings. */
  source: string;
  recordedAt: string;
}

export const telemetryKeys = {
  marker: (vin: string, source: string, sourceReadingId: string): Key => ({ PK: vehicleKeys.partition(vin), SK: joinKey(TELEMETRY, source, sourceReadingId) }),
  soh: (vin: string, readAt: string, id: string): Key => ({ PK: vehicleKeys.partition(vin), SK: joinKey(STATE_OF_HEALTH, readAt, id) }),
  sohPrefix: `${STATE_OF_HEALTH}#`,
};

const AT = '2026-03-01T09:30:00.000Z';

export const telemetryMarkerEntity = defineEntity<TelemetryMarker>({
  name: 'TelemetryMarker',
  key: (m) => telemetryKeys.marker(m.vin, m.source, m.sourceReadingId),
  example: () => ({ vin: 'WP0ZZZ99ZTS392124', source: 'porsche-connect', sourceReadingId: 'r-1', readAt: AT, odometerKm: 12_345, stateOfHealthPct: 97.5, stateOfChargePct: 80, recordedAt: AT }),
  fields: {
    vin: field.string,
    source: field.string,
    sourceReadingId: field.string,
    readAt: field.string,
    odometerKm: field.optional(field.number),
    stateOfHealthPct: field.optional(field.number),
    stateOfChargePct: field.optional(field.number),
    recordedAt: field.string,
  },
});

export const sohReadingEntity = defineEntity<SohReading>({
  name: 'BatteryHealthReading',
  key: (r) => telemetryKeys.soh(r.vin, r.readAt, r.id),
  example: () => ({ vin: 'WP0ZZZ99ZTS392124', id: '01JSOHREADING0000000000000', pct: 97.5, readAt: AT, source: 'telemetry:porsche-connect', recordedAt: AT }),
  fields: { vin: field.string, id: field.string, pct: field.number, readAt: field.string, source: field.string, recordedAt: field.string },
});
