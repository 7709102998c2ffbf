import { batchGetItems, itemMapKey } from '../store/batch.js';
import { getRecords } from '../store/entity.js';
import { newestItems } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import type { TransactItem } from '../store/transactions.js';
import { sohReadingEntity, telemetryKeys, telemetryMarkerEntity, type SohReading, type TelemetryMarker } from './telemetry-records.js';
import { vehicleEntity, vehicleKeys, type VehicleRecord } from './vehicle.js';

/**
 * The newest state-of-health readings a trend is computed from: a year of daily readings
 * and more, ≈ 30 KB (8 read units) per car and call. Older ones still count in the total.
 */
export const SOH_HISTORY = 200;

/** Telemetry's items in a car's partition (see `telemetry-records.ts`). Written only inside the car's transaction. */
export class TelemetryRepository {
  constructor(private readonly store: Store) {}

  /** Many cars in as few BatchGetItem calls as possible, strongly consistent: what a batch of writes starts from. */
  vehiclesForWrite(vins: readonly string[]): Promise<Map<string, VehicleRecord>> {
    return getRecords(this.store, vehicleEntity, vehicleKeys.vehicle, vins, { consistentRead: true });
  }

  /** Which of these platform readings are stored already (strongly consistent), as {@link markerKey}s. */
  async storedMarkers(readings: readonly { vin: string; sourceReadingId: string }[], source: string): Promise<Set<string>> {
    const keys = readings.map((r) => telemetryKeys.marker(r.vin, source, r.sourceReadingId));
    const found = await batchGetItems(this.store.doc, this.store.tableName, keys, { consistentRead: true });
    return new Set(keys.map(itemMapKey).filter((k) => found.has(k)));
  }

  markerKey(vin: string, source: string, sourceReadingId: string): string {
    return itemMapKey(telemetryKeys.marker(vin, source, sourceReadingId));
  }

  /** A car's newest state-of-health readings (at most {@link SOH_HISTORY}), newest first, strongly consistent. */
  async sohHistory(vin: string): Promise<SohReading[]> {
    const items = await newestItems(this.store.doc, this.store.tableName, vehicleKeys.partition(vin), telemetryKeys.sohPrefix, SOH_HISTORY);
    return items.map((item) => sohReadingEntity.fromItem(item));
  }

  /** A platform reading's marker: its condition fails when the reading is stored already (a concurrent re-send). */
  marker(marker: TelemetryMarker): TransactItem {
    return { Put: { TableName: this.store.tableName, Item: telemetryMarkerEntity.toItem(marker), ConditionExpression: 'attribute_not_exists(PK)' } };
  }

  /** A state-of-health reading's item (its id is fresh: no condition needed). */
  soh(reading: SohReading): TransactItem {
    return { Put: { TableName: this.store.tableName, Item: sohReadingEntity.toItem(reading) } };
  }
}
