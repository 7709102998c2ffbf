import { describe, expect, it } from 'vitest';
import { explainFailures, mergeContributions, updateClauses, writtenPaths, type Contribution } from '../../src/store/fact-hooks.js';
import type { TransactItem } from '../../src/store/transactions.js';

const profile = { PK: 'CUST#1', SK: 'PROFILE' };
const update = (UpdateExpression: string, ConditionExpression: string | undefined, names: Record<string, string>, values: Record<string, unknown>, Key = profile): TransactItem => ({
  Update: { TableName: 't', Key, UpdateExpression, ...(ConditionExpression ? { ConditionExpression } : {}), ExpressionAttributeNames: names, ExpressionAttributeValues: values },
});

describe('Function: writtenPaths', () => {
  it('lists the paths each action writes, through functions and with names resolved', () => {
    expect(writtenPaths('SET #a.#b = list_append(if_not_exists(#a.#b, :e), :f), #c = :c ADD #d :one REMOVE #e, #f[0]', { '#a': 'aggregates', '#b': 'visits', '#c': 'version', '#d': 'count', '#e': 'gone', '#f': 'list' })).toEqual([
      'aggregates.visits',
      'version',
      'count',
      'gone',
      'list.[0]',
    ]);
  });
});

describe('Function: updateClauses', () => {
  it('splits an update expression by action, leaving placeholders named like actions alone', () => {
    expect(updateClauses('SET #a = :set, #b = :b ADD #add :delete DELETE #vins :vin REMOVE #gone')).toEqual({ SET: '#a = :set, #b = :b', ADD: '#add :delete', DELETE: '#vins :vin', REMOVE: '#gone' });
  });
});

describe('Function: mergeContributions', () => {
  it('leaves contributions on different items as they are, in order', () => {
    const a = { item: update('SET #a = :a', undefined, { '#a': 'a' }, { ':a': 1 }) };
    const b = { item: update('SET #a = :a', undefined, { '#a': 'a' }, { ':a': 1 }, { PK: 'CUST#2', SK: 'PROFILE' }) };
    expect(mergeContributions([a, b])).toEqual([
      { item: a.item, sources: [a] },
      { item: b.item, sources: [b] },
    ]);
  });

  it('merges updates of one item: clauses by action, conditions ANDed, placeholders prefixed per contribution', () => {
    // Prepare: both use #vc and :delta, for different attributes.
    const counts = { item: update('SET #vc.#ml = #vc.#ml + :delta ADD #vins :vin', 'attribute_exists(PK)', { '#vc': 'vehicleCounts', '#ml': 'MACAN', '#vins': 'vehicleVins' }, { ':delta': 1, ':vin': 'V' }) };
    const points = { item: update('ADD #vc :delta', 'attribute_exists(PK) AND #vc < :max', { '#vc': 'clubPoints' }, { ':delta': 500, ':max': 1000 }) };
    const check = { item: { ConditionCheck: { TableName: 't', Key: profile, ConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'ACTIVE' } } } };

    // Act
    const merged = mergeContributions([counts, points, check]);

    // Assess
    expect(merged).toHaveLength(1);
    expect(merged[0]!.sources).toEqual([counts, points, check]);
    expect(merged[0]!.item).toEqual({
      Update: {
        TableName: 't',
        Key: profile,
        UpdateExpression: 'SET #c0_vc.#c0_ml = #c0_vc.#c0_ml + :c0_delta ADD #c0_vins :c0_vin, #c1_vc :c1_delta',
        ConditionExpression: '(attribute_exists(PK)) AND (attribute_exists(PK) AND #c1_vc < :c1_max) AND (#c2_s = :c2_s)',
        ExpressionAttributeNames: { '#c0_vc': 'vehicleCounts', '#c0_ml': 'MACAN', '#c0_vins': 'vehicleVins', '#c1_vc': 'clubPoints', '#c2_s': 'status' },
        ExpressionAttributeValues: { ':c0_delta': 1, ':c0_vin': 'V', ':c1_delta': 500, ':c1_max': 1000, ':c2_s': 'ACTIVE' },
      },
    });
  });

  it('keeps only condition checks on one item a condition check', () => {
    const exists = { item: { ConditionCheck: { TableName: 't', Key: profile, ConditionExpression: 'attribute_exists(PK)' } } };
    const again = { item: { ConditionCheck: { TableName: 't', Key: profile, ConditionExpression: 'attribute_exists(PK)' } } };
    expect(mergeContributions([exists, again])[0]!.item).toEqual({ ConditionCheck: { TableName: 't', Key: profile, ConditionExpression: '(attribute_exists(PK))' } });
  });

  it('refuses to merge a Put with anything on the same item', () => {
    const put = { item: { Put: { TableName: 't', Item: { ...profile, a: 1 } } } };
    const change = { item: update('SET #a = :a', undefined, { '#a': 'a' }, { ':a': 1 }) };
    expect(() => mergeContributions([put, change])).toThrow(/Put or Delete/);
  });

  it('refuses to merge two contributions writing overlapping paths, naming the path (DynamoDB would refuse the update)', () => {
    const visits = { item: update('SET #agg.#l = list_append(if_not_exists(#agg.#l, :e), :f)', undefined, { '#agg': 'aggregates', '#l': 'visits' }, { ':e': [], ':f': [1] }) };
    const wipe = { item: update('REMOVE #agg', undefined, { '#agg': 'aggregates' }, {}) };
    const sameAttribute = { item: update('SET #t = :now', undefined, { '#t': 'touchedAt' }, { ':now': 1 }) };
    expect(() => mergeContributions([visits, wipe])).toThrow(/both write aggregates/);
    expect(() => mergeContributions([sameAttribute, { item: update('SET #u = :later', undefined, { '#u': 'touchedAt' }, { ':later': 2 }) }])).toThrow(/both write touchedAt/);
    // Neighbouring paths are fine: aggregates.visits and aggregates.orders do not overlap.
    const orders = { item: update('SET #agg.#l = :o', undefined, { '#agg': 'aggregates', '#l': 'orders' }, { ':o': [] }) };
    expect(mergeContributions([visits, orders])).toHaveLength(1);
  });

  it('treats the same key in another table as another item', () => {
    const here = { item: update('SET #a = :a', undefined, { '#a': 'a' }, { ':a': 1 }) };
    const there: Contribution = { item: { Update: { ...here.item.Update!, TableName: 'other' } } };
    expect(mergeContributions([here, there])).toHaveLength(2);
  });
});

describe('Function: explainFailures', () => {
  it("asks the failed contributions in order and answers the first refusal", async () => {
    const silent: Contribution = { item: {}, explainFailure: async () => null };
    const full: Contribution = { item: {}, explainFailure: async () => ({ code: 'LIMIT_REACHED', message: 'full' }) };
    const gone: Contribution = { item: {}, explainFailure: async () => ({ code: 'NOT_FOUND', message: 'gone' }) };
    expect(await explainFailures([{ item: {} }, silent, full, gone])).toEqual({ code: 'LIMIT_REACHED', message: 'full' });
    expect(await explainFailures([silent])).toBeNull();
  });
});
