import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../store/cursor.js';
import { getRecords } from '../store/entity.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { rewardCodeClaimItem, rewardEntity, rewardKeys, type RewardRecord } from './reward-records.js';

/** The fields of a reward `updateReward` may change (never its code, never its stock). */
export type RewardChanges = Partial<Pick<RewardRecord, 'name' | 'description' | 'category' | 'pointsPrice' | 'minLevel' | 'status' | 'voucher'>>;

/**
 * The rewards catalogue. A reward's stock is a counter that redemptions take from and
 * cancellations give back to, each under a condition in its own transaction; catalogue
 * edits are versioned and never write the stock, so neither can undo the other.
 */
export class RewardRepository {
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<RewardRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: rewardKeys.reward(id), ConsistentRead: true }));
    return Item ? rewardEntity.fromItem(Item) : null;
  }

  /** Many rewards by id, in one BatchGetItem per 100 (for a page of vouchers). */
  getMany(ids: readonly string[]): Promise<Map<string, RewardRecord>> {
    return getRecords(this.store, rewardEntity, rewardKeys.reward, ids);
  }

  /** The catalogue, oldest first; with `activeOnly`, retired rewards are filtered out. */
  async list(first: number, after: string | null | undefined, activeOnly: boolean): Promise<Page<RewardRecord>> {
    const filter = activeOnly ? { expression: '#status = :active', names: { '#status': 'status' }, values: { ':active': 'ACTIVE' } } : undefined;
    const page = await queryPage(this.store.doc, this.store.tableName, { index: 'byCollection', partition: rewardKeys.collection, first, after, filter });
    return { ...page, items: page.items.map(rewardEntity.fromItem) };
  }

  /** A new reward with its code claim; `CODE_TAKEN` when another reward has the code. */
  async create(reward: RewardRecord): Promise<'CREATED' | 'CODE_TAKEN'> {
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: rewardCodeClaimItem(reward.code, reward.id), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: rewardEntity.toItem(reward), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
    return result.ok ? 'CREATED' : 'CODE_TAKEN';
  }

  /** Applies catalogue changes at the version read; null when someone saved first. */
  async update(current: RewardRecord, expectedVersion: number, changes: RewardChanges, now: string): Promise<RewardRecord | null> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1, ':now': now };
    const sets = ['#version = #version + :one', '#updatedAt = :now'];
    Object.entries(changes).forEach(([field, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    try {
      const { Attributes } = await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: rewardKeys.reward(current.id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK) AND #version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return rewardEntity.fromItem(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  /** Adds units to a reward with a stock; null when the reward is unlimited (or gone). */
  async restock(id: string, quantity: number, now: string): Promise<RewardRecord | null> {
    try {
      const { Attributes } = await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: rewardKeys.reward(id),
          UpdateExpression: 'ADD #stock :q SET #updatedAt = :now',
          // ADD on an absent attribute would create a stock and turn an unlimited reward into a limited one.
          ConditionExpression: 'attribute_exists(#stock)',
          ExpressionAttributeNames: { '#stock': 'stock', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':q': quantity, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return rewardEntity.fromItem(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  /**
   * The reward's part of a redemption: still active, at the price the member saw, and
   * (with a stock) `quantity` units taken only if that many are left — never oversold,
   * whatever runs concurrently. An unlimited reward is only checked.
   */
  takeStock(reward: RewardRecord, quantity: number): TransactItem {
    const common = {
      TableName: this.store.tableName,
      Key: rewardKeys.reward(reward.id),
      ExpressionAttributeNames: { '#status': 'status', '#price': 'pointsPrice', '#stock': 'stock' },
    };
    if (reward.stock === undefined) {
      return {
        ConditionCheck: {
          ...common,
          ConditionExpression: '#status = :active AND #price = :price AND attribute_not_exists(#stock)',
          ExpressionAttributeValues: { ':active': 'ACTIVE', ':price': reward.pointsPrice },
        },
      };
    }
    return {
      Update: {
        ...common,
        UpdateExpression: 'SET #stock = #stock - :q',
        ConditionExpression: '#status = :active AND #price = :price AND #stock >= :q',
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':price': reward.pointsPrice, ':q': quantity },
      },
    };
  }

  /** A cancelled voucher's unit back on the shelf (only for a reward with a stock). */
  returnStock(reward: RewardRecord, quantity: number): TransactItem[] {
    if (reward.stock === undefined) return [];
    return [
      {
        Update: {
          TableName: this.store.tableName,
          Key: rewardKeys.reward(reward.id),
          UpdateExpression: 'ADD #stock :q',
          ConditionExpression: 'attribute_exists(#stock)',
          ExpressionAttributeNames: { '#stock': 'stock' },
          ExpressionAttributeValues: { ':q': quantity },
        },
      },
    ];
  }
}
