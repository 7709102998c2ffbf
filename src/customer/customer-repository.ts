import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { getRecords } from '../store/entity.js';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { outboxItem } from '../store/outbox.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { normaliseEmail } from '../shared/validation.js';
import type { ModelLine } from '../catalogue/model-lines.js';
import { dealerKeys } from '../dealer/dealer.js';
import {
  customerEntity,
  customerKeys,
  customerNameIndex,
  dealerLinkItem,
  emailClaimItem,
  searchTextOf,
  CONSENT_CHANNELS,
  type Consent,
  type CustomerRecord,
} from './customer.js';
import { consentKeys, consentOf, consentStatementEntity, supersedes, type ConsentOutcome, type ConsentStatement } from './consent.js';
import { EMAIL_CHANGE_COOLDOWN_MS, emailChangeKeys, pendingEmailChangeEntity, type CustomerEmailChangeRequested, type PendingEmailChange } from './email-change.js';
import { linkRequestItem } from './link-request.js';

/** Attempts at recording consents when newer statements keep arriving in between (each attempt re-reads). */
const CONSENT_ATTEMPTS = 3;

export type CustomerChanges = Partial<Pick<CustomerRecord, 'firstName' | 'lastName' | 'email' | 'phone' | 'birthDate' | 'preferredLanguage' | 'address'>>;

export interface CustomerListFilter {
  search?: string;
  modelLine?: ModelLine;
}

/** Customers, their email claims and their dealer links. */
export class CustomerRepository {
  constructor(private readonly store: Store) {}

  /** `consistentRead` for a write that decides on what it reads (as `get` does), in one BatchGetItem per 100. */
  getMany(ids: readonly string[], options: { consistentRead?: boolean } = {}): Promise<Map<string, CustomerRecord>> {
    return getRecords(this.store, customerEntity, customerKeys.profile, ids, options);
  }

  async get(id: string): Promise<CustomerRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: customerKeys.profile(id), ConsistentRead: true }));
    return Item ? customerEntity.fromItem(Item) : null;
  }

  /**
   * Creates the profile, claims its normalised email (one profile per email) and, when
   * a dealer creates the customer, links them — all or nothing.
   */
  async create(input: CustomerRecord, linkDealerId?: string): Promise<'CREATED' | 'EMAIL_TAKEN' | 'DEALER_NOT_FOUND'> {
    const { tableName } = this.store;
    const customer = linkDealerId ? { ...input, dealerIds: [...new Set([...input.dealerIds, linkDealerId])] } : input;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: emailClaimItem(normaliseEmail(customer.email), customer.id), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: customerEntity.toItem(customer), ConditionExpression: 'attribute_not_exists(PK)' } },
      ...(linkDealerId
        ? [
            { ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(linkDealerId), ConditionExpression: 'attribute_exists(PK)' } },
            { Put: { TableName: tableName, Item: dealerLinkItem(customer.id, linkDealerId, customer.createdAt) } },
          ]
        : []),
    ]);
    if (result.ok) return 'CREATED';
    return result.failedConditions.includes(0) ? 'EMAIL_TAKEN' : 'DEALER_NOT_FOUND';
  }

  /** The profile update for `changes` at `expectedVersion` (shared by direct updates and confirmed email changes). */
  private profileUpdate(current: CustomerRecord, expectedVersion: number, changes: CustomerChanges, now: string) {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as CustomerChanges;
    const merged = { ...current, ...defined };
    const sets: string[] = ['#version = #version + :one', '#updatedAt = :now', '#searchText = :searchText'];
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt', '#searchText': 'searchText' };
    const values: Record<string, unknown> = {
      ':one': 1,
      ':now': now,
      ':expected': expectedVersion,
      ':searchText': searchTextOf(merged),
    };
    // The all-customers list sorts by name: its index keys follow a rename.
    Object.entries(customerNameIndex(merged)).forEach(([attribute, value], i) => {
      names[`#ix${i}`] = attribute;
      values[`:ix${i}`] = value;
      sets.push(`#ix${i} = :ix${i}`);
    });
    for (const [field, value] of Object.entries(defined)) {
      names[`#f_${field}`] = field;
      values[`:f_${field}`] = value;
      sets.push(`#f_${field} = :f_${field}`);
    }
    return {
      TableName: this.store.tableName,
      Key: customerKeys.profile(current.id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * Applies changes if the profile is still at `expectedVersion` (optimistic concurrency:
   * two editors with the same version, exactly one wins). An email change moves the
   * email claim in the same transaction, with `extra` items (a confirmed change's
   * pending item) all or nothing.
   */
  async update(current: CustomerRecord, expectedVersion: number, changes: CustomerChanges, now: string, extra: TransactItem[] = []): Promise<'UPDATED' | 'STALE_VERSION' | 'EMAIL_TAKEN'> {
    const { tableName } = this.store;
    const updateProfile = this.profileUpdate(current, expectedVersion, changes, now);
    const oldEmail = normaliseEmail(current.email);
    const newEmail = changes.email === undefined ? oldEmail : normaliseEmail(changes.email);
    if (newEmail === oldEmail && extra.length === 0) {
      try {
        await this.store.doc.send(new UpdateCommand(updateProfile));
        return 'UPDATED';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'STALE_VERSION';
        throw error;
      }
    }
    const claimMove: TransactItem[] =
      newEmail === oldEmail
        ? []
        : [
            { Put: { TableName: tableName, Item: emailClaimItem(newEmail, current.id), ConditionExpression: 'attribute_not_exists(PK)' } },
            { Delete: { TableName: tableName, Key: customerKeys.emailClaim(oldEmail), ConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': current.id } } },
          ];
    const result = await transactWrite(this.store.doc, [{ Update: updateProfile }, ...claimMove, ...extra]);
    if (result.ok) return 'UPDATED';
    return claimMove.length && result.failedConditions.includes(1) && !result.failedConditions.includes(0) ? 'EMAIL_TAKEN' : 'STALE_VERSION';
  }

  /**
   * Records an email change to confirm, with any other changes, at `expectedVersion`, and
   * the event that makes the mailer send the token — all or nothing. A request less than
   * the cooldown after the previous one is refused (`TOO_SOON`).
   */
  async requestEmailChange(
    current: CustomerRecord,
    expectedVersion: number,
    changes: CustomerChanges,
    pending: PendingEmailChange,
    event: CustomerEmailChangeRequested,
    now: Date,
  ): Promise<'REQUESTED' | 'STALE_VERSION' | 'TOO_SOON'> {
    const { tableName } = this.store;
    const others = Object.values(changes).some((value) => value !== undefined);
    const profile: TransactItem = others
      ? { Update: this.profileUpdate(current, expectedVersion, changes, now.toISOString()) }
      : {
          ConditionCheck: {
            TableName: tableName,
            Key: customerKeys.profile(current.id),
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        };
    const result = await transactWrite(this.store.doc, [
      profile,
      {
        Put: {
          TableName: tableName,
          Item: pendingEmailChangeEntity.toItem(pending),
          ConditionExpression: 'attribute_not_exists(PK) OR #requestedAt <= :cutoff',
          ExpressionAttributeNames: { '#requestedAt': 'requestedAt' },
          ExpressionAttributeValues: { ':cutoff': new Date(now.getTime() - EMAIL_CHANGE_COOLDOWN_MS).toISOString() },
        },
      },
      { Put: { TableName: tableName, Item: outboxItem('CustomerEmailChangeRequested', event, now) } },
    ]);
    if (result.ok) return 'REQUESTED';
    return result.failedConditions.includes(0) ? 'STALE_VERSION' : 'TOO_SOON';
  }

  async pendingEmailChange(customerId: string): Promise<PendingEmailChange | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: emailChangeKeys.pending(customerId), ConsistentRead: true }));
    return Item ? pendingEmailChangeEntity.fromItem(Item) : null;
  }

  /**
   * Applies a confirmed email change: the profile at the version read, the claim moved, the
   * pending change consumed (only if it is still the one confirmed: a token works once).
   */
  async confirmEmailChange(current: CustomerRecord, pending: PendingEmailChange, now: string): Promise<'UPDATED' | 'STALE_VERSION' | 'EMAIL_TAKEN'> {
    return this.update(current, current.version, { email: pending.toEmail }, now, [
      {
        Delete: {
          TableName: this.store.tableName,
          Key: emailChangeKeys.pending(current.id),
          ConditionExpression: '#tokenHash = :hash',
          ExpressionAttributeNames: { '#tokenHash': 'tokenHash' },
          ExpressionAttributeValues: { ':hash': pending.tokenHash },
        },
      },
    ]);
  }

  /** The customer holding an email address (by its claim), if any. */
  async customerIdByEmail(email: string): Promise<string | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: customerKeys.emailClaim(normaliseEmail(email)), ConsistentRead: true }));
    return Item ? (Item.customerId as string) : null;
  }

  /**
   * Records a dealer's request to be linked to a customer and the event that tells the
   * customer, once per dealer and customer (a repeated request changes nothing).
   */
  async requestDealerLink(customerId: string, dealerId: string, now: Date): Promise<'REQUESTED' | 'ALREADY_REQUESTED'> {
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: linkRequestItem(customerId, dealerId, now), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: outboxItem('CustomerLinkRequested', { customerId, dealerId }, now) } },
    ]);
    return result.ok ? 'REQUESTED' : 'ALREADY_REQUESTED';
  }

  /**
   * Records consent statements: each is appended to the history, and becomes the current
   * consent of its channel only if no statement made later is current. The profile update
   * is conditioned on the stored statements' `recordedAt` (not on what was read), so two
   * writers cannot make an older statement win; when a newer one arrives in between, the
   * transaction is cancelled and the decision is made again on a fresh read.
   */
  async recordConsents(
    current: CustomerRecord,
    statements: readonly ConsentStatement[],
    now: string,
  ): Promise<{ kind: 'RECORDED'; outcomes: ConsentOutcome[] } | { kind: 'NOT_FOUND' } | { kind: 'CONTENDED' }> {
    const { tableName } = this.store;
    let profile: CustomerRecord | null = current;
    for (let attempt = 0; attempt < CONSENT_ATTEMPTS && profile; attempt++) {
      const consents: CustomerRecord['consents'] = profile.consents;
      const outcomes = statements.map((s): ConsentOutcome => (supersedes(consents[s.channel], s) ? 'APPLIED' : 'SUPERSEDED'));
      const applied = statements.filter((_, i) => outcomes[i] === 'APPLIED');
      const names: Record<string, string> = { '#consents': 'consents', '#recordedAt': 'recordedAt', '#version': 'version', '#updatedAt': 'updatedAt' };
      const values: Record<string, unknown> = { ':one': 1, ':now': now };
      const sets = ['#version = #version + :one', '#updatedAt = :now'];
      const conditions = ['attribute_exists(PK)'];
      applied.forEach((s, i) => {
        names[`#c${i}`] = s.channel;
        values[`:c${i}`] = consentOf(s);
        values[`:at${i}`] = s.recordedAt;
        sets.push(`#consents.#c${i} = :c${i}`);
        conditions.push(`(attribute_not_exists(#consents.#c${i}) OR #consents.#c${i}.#recordedAt <= :at${i})`);
      });
      const profileItem: TransactItem = applied.length
        ? { Update: { TableName: tableName, Key: customerKeys.profile(profile.id), UpdateExpression: `SET ${sets.join(', ')}`, ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } }
        : { ConditionCheck: { TableName: tableName, Key: customerKeys.profile(profile.id), ConditionExpression: 'attribute_exists(PK)' } };
      const result = await transactWrite(this.store.doc, [
        profileItem,
        ...statements.map((s): TransactItem => ({ Put: { TableName: tableName, Item: consentStatementEntity.toItem(s), ConditionExpression: 'attribute_not_exists(PK)' } })),
      ]);
      if (result.ok) return { kind: 'RECORDED', outcomes };
      profile = await this.get(profile.id);
    }
    return profile ? { kind: 'CONTENDED' } : { kind: 'NOT_FOUND' };
  }

  /** A channel's statements, newest (by `recordedAt`) first, one page at a time. */
  async consentHistory(customerId: string, channel: Consent['channel'], first: number, after?: string | null): Promise<Page<ConsentStatement>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      partition: customerKeys.profile(customerId).PK,
      sortKeyPrefix: consentKeys.channelPrefix(channel),
      first,
      after,
      newestFirst: true,
    });
    return { ...page, items: page.items.map(consentStatementEntity.fromItem) };
  }

  /** The consent in force per channel at `at`: one single-item query per channel, in parallel. */
  async consentsAt(customerId: string, at: string): Promise<Consent[]> {
    const latest = await Promise.all(
      CONSENT_CHANNELS.map(async (channel) => {
        const { Items = [] } = await this.store.doc.send(
          new QueryCommand({
            TableName: this.store.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
            ExpressionAttributeValues: { ':pk': customerKeys.profile(customerId).PK, ':from': consentKeys.channelPrefix(channel), ':to': consentKeys.channelUpTo(channel, at) },
            ScanIndexForward: false,
            Limit: 1,
          }),
        );
        return Items[0] ? consentOf(consentStatementEntity.fromItem(Items[0])) : null;
      }),
    );
    return latest.filter((c) => c !== null);
  }

  /** All customers by name (the admin console's list), optionally filtered. */
  async list(first: number, after: string | null | undefined, filter: CustomerListFilter): Promise<Page<CustomerRecord>> {
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (filter.search) {
      conditions.push('contains(#searchText, :search)');
      names['#searchText'] = 'searchText';
      values[':search'] = filter.search.trim().toLowerCase();
    }
    if (filter.modelLine) {
      conditions.push('#vc.#ml > :zero');
      names['#vc'] = 'vehicleCounts';
      names['#ml'] = filter.modelLine;
      values[':zero'] = 0;
    }
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byCollection',
      partition: customerKeys.collection,
      first,
      after,
      filter: conditions.length ? { expression: conditions.join(' AND '), names, values } : undefined,
    });
    return { ...page, items: page.items.map(customerEntity.fromItem) };
  }

  /** Ids of a dealer's customers, one page at a time (the ByParent index under the dealer). */
  async customerIdsOfDealer(dealerId: string, first: number, after?: string | null): Promise<Page<string>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byParent',
      partition: dealerKeys.parent(dealerId),
      sortKeyPrefix: customerKeys.linkUnderDealerPrefix,
      first,
      after,
    });
    return { ...page, items: page.items.map((item) => item.customerId as string) };
  }

  /** Links a customer to a dealer; linking twice keeps the first `linkedAt`. */
  async linkToDealer(customerId: string, dealerId: string, now: string): Promise<'LINKED' | 'CUSTOMER_NOT_FOUND' | 'DEALER_NOT_FOUND'> {
    const { tableName } = this.store;
    const link = dealerLinkItem(customerId, dealerId, now);
    const result = await transactWrite(this.store.doc, [
      {
        Update: {
          TableName: tableName,
          Key: customerKeys.profile(customerId),
          UpdateExpression: 'ADD #dealerIds :dealer',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#dealerIds': 'dealerIds' },
          ExpressionAttributeValues: { ':dealer': new Set([dealerId]) },
        },
      },
      { ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(dealerId), ConditionExpression: 'attribute_exists(PK)' } },
      linkUpsert(tableName, link),
    ]);
    if (result.ok) return 'LINKED';
    return result.failedConditions.includes(0) ? 'CUSTOMER_NOT_FOUND' : 'DEALER_NOT_FOUND';
  }
}

/** A link written as an update so that re-linking keeps the original `linkedAt`. */
export function linkUpsert(tableName: string, link: ReturnType<typeof dealerLinkItem>): TransactItem {
  const { PK, SK, ...attributes } = link;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(attributes).map(([attribute, value], i) => {
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = value;
    return attribute === 'linkedAt' ? `#a${i} = if_not_exists(#a${i}, :a${i})` : `#a${i} = :a${i}`;
  });
  return { Update: { TableName: tableName, Key: { PK, SK }, UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}
