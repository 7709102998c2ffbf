import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Author } from '../auth/policies.js';
import type { Money } from '../shared/money.js';
import type { Page } from '../store/cursor.js';
import { getRecords } from '../store/entity.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import type { TransactItem } from '../store/transactions.js';
import { rewardKeys, voucherEntity, type VisitRef, type VoucherRecord } from './reward-records.js';

/**
 * Vouchers, one item per code. Every change is a conditional item of a transaction the
 * caller composes (the redemption that issues them, the visit that uses one, the return
 * of points that cancels one), so a voucher is issued, used or cancelled exactly once.
 */
export class VoucherRepository {
  constructor(private readonly store: Store) {}

  /** By its canonical code (see `canonicalVoucherCode`), read consistently. */
  async get(code: string): Promise<VoucherRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: rewardKeys.voucher(code), ConsistentRead: true }));
    return Item ? voucherEntity.fromItem(Item) : null;
  }

  /** Many vouchers by canonical code, in one BatchGetItem per 100 (the vouchers of a page of visits). */
  getMany(codes: readonly string[]): Promise<Map<string, VoucherRecord>> {
    return getRecords(this.store, voucherEntity, rewardKeys.voucher, codes);
  }

  /** A member's vouchers, newest first. */
  async ofCustomer(customerId: string, first: number, after?: string | null): Promise<Page<VoucherRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byParent',
      partition: rewardKeys.voucherParent(customerId),
      sortKeyPrefix: rewardKeys.voucherPrefix,
      first,
      after,
      newestFirst: true,
    });
    return { ...page, items: page.items.map(voucherEntity.fromItem) };
  }

  /** A new voucher; its code must be new (the uniqueness of codes). */
  issue(voucher: VoucherRecord): TransactItem {
    return { Put: { TableName: this.store.tableName, Item: voucherEntity.toItem(voucher), ConditionExpression: 'attribute_not_exists(PK)' } };
  }

  /**
   * Marks a voucher used on a visit, with the discount it gave. It must still be issued,
   * a maintenance discount, the visit owner's, and not expired at the visit.
   */
  use(voucher: VoucherRecord, visit: VisitRef & { customerId: string }, discount: Money, at: string): TransactItem {
    return {
      Update: {
        TableName: this.store.tableName,
        Key: rewardKeys.voucher(voucher.code),
        UpdateExpression: 'SET #status = :used, #usedAt = :at, #visit = :visit, #applied = :discount',
        ConditionExpression: '#customer = :customer AND #status = :issued AND #kind = :kind AND #expiresAt >= :performedAt',
        ExpressionAttributeNames: { '#status': 'status', '#usedAt': 'usedAt', '#visit': 'usedOnVisit', '#applied': 'discountApplied', '#customer': 'customerId', '#kind': 'kind', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':used': 'USED',
          ':issued': 'ISSUED',
          ':kind': 'MAINTENANCE_DISCOUNT',
          ':at': at,
          ':visit': { vin: visit.vin, performedAt: visit.performedAt, id: visit.id },
          ':discount': discount,
          ':customer': visit.customerId,
          ':performedAt': visit.performedAt,
        },
      },
    };
  }

  /**
   * An item that fails, for a code that cannot be used: `exists` says whether an item is
   * behind the code (it is then left alone; otherwise nothing is created).
   */
  refuse(code: string, exists: boolean): TransactItem {
    return { ConditionCheck: { TableName: this.store.tableName, Key: rewardKeys.voucher(code), ConditionExpression: exists ? 'attribute_not_exists(PK)' : 'attribute_exists(PK)' } };
  }

  /** Cancels an issued, unused, unexpired voucher. */
  cancel(voucher: VoucherRecord, at: string, by: Author): TransactItem {
    return {
      Update: {
        TableName: this.store.tableName,
        Key: rewardKeys.voucher(voucher.code),
        UpdateExpression: 'SET #status = :cancelled, #cancelledAt = :at, #by = :by',
        ConditionExpression: '#status = :issued AND attribute_not_exists(#usedAt) AND #expiresAt >= :at',
        ExpressionAttributeNames: { '#status': 'status', '#cancelledAt': 'cancelledAt', '#by': 'cancelledBy', '#usedAt': 'usedAt', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':issued': 'ISSUED', ':at': at, ':by': by },
      },
    };
  }
}
