import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { offerKeys, statsEntity, type OfferStatsRecord } from '../offers/offer-records.js';
import type { Store } from '../store/store.js';

/**
 * What the offers' KPIs read, by the offers' own keys (as the club's KPIs read the club's
 * and the events' items): the statistics items of one scope (the brand, or one dealer) for
 * a range of months — one Query on the scope's partition, whose sort keys start with the
 * month (`<YYYY-MM>#<code>#<shard>`), paginated. The catalogue (names, values) comes from
 * the offers' own repository (`allOffers`).
 */
export class OfferKpiRepository {
  constructor(private readonly store: Store) {}

  /** Every statistics item of `scope` from month `from` to month `to` (both included), in key order. */
  async statsOf(scope: string, from: string, to: string): Promise<OfferStatsRecord[]> {
    const records: OfferStatsRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          // `YYYY-MM` sorts before every key of its month; `YYYY-MM#\uffff` after them all.
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': offerKeys.statsPartition(scope), ':from': from, ':to': `${to}#\uffff` },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []).map((item) => statsEntity.fromItem(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
