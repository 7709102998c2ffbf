import type { ConsentChannel } from '../customer/customer.js';
import { customerKeys } from '../customer/customer.js';
import { dealerKeys } from '../dealer/dealer.js';
import { isUlid, nodeKey } from '../shared/ids.js';
import { defineEntity, field, type IndexKeys } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Key } from '../store/table.js';
import { InvariantError } from '../shared/errors.js';
import { OFFER_KINDS, OFFER_STATUSES, type ConversionKind, type ConversionRule, type OfferDefinition, type OfferKind } from './catalogue.js';

/**
 * What personalised offers keep, and where.
 *
 * | item | PK | SK | index |
 * |---|---|---|---|
 * | offer, current version | `OFFER#<code>` | `CURRENT` | `ByCollection` `OFFERS` / code (the catalogue) |
 * | offer, every version | `OFFER#<code>` | `OFFERVERSION#<000001>` | — |
 * | decision | `CUST#<id>` | `OFFERDEC#<decisionId>` (ULID: time order) | `ByParent` `OFFERFOLLOWUP#<dealerId>` / `<rank key>` while a dealer must follow it up |
 * | offer book | `CUST#<id>` | `OFFERBOOK` | — |
 * | response receipt | `OFFERRESPONSE#<tenant>#<channel>#<event id>` | `OFFERRESPONSE` | — |
 * | statistics | `OFFERSTATS#<scope>` | `<YYYY-MM>#<code>#<shard>` | — |
 * | job checkpoint | `OFFERSRUN#<runId>` | `OFFERSEG#<n>` / `COUNT` | — |
 *
 * The **offer book** is the customer's offer state in one small item — every decision
 * still inside a cap period, cool-down or attribution window, with its status — so the
 * nightly job decides from one BatchGetItem per page of customers (the scores job's
 * profile read plus this), and the conversion hooks find what a fact converts with one
 * GetItem. Every write that changes a decision changes its book entry in the same
 * transaction; the book's `version` orders the job's writes (two workers never both decide).
 */

const OFFER = 'OFFER';
const DECISION = 'OFFERDEC';
const FOLLOW_UP = 'OFFERFOLLOWUP';
const STATS = 'OFFERSTATS';
const VERSION = 'OFFERVERSION';
const RUN = 'OFFERSRUN';

/** Decision statuses. DECIDED → SENT → OPENED → ACCEPTED | DECLINED (forward only, steps may be skipped); EXPIRED and WITHDRAWN are set by the job. */
export const DECISION_STATUSES = ['DECIDED', 'SENT', 'OPENED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'WITHDRAWN'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];
/** The statuses a channel or dealer reports (`recordOfferResponse`). */
export const RESPONSE_STATUSES = ['SENT', 'OPENED', 'ACCEPTED', 'DECLINED'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];
/** A decision in one of these still waits for the customer (counts toward `maxOpenOffers`, shows in `nextBestOffers`). */
export const OPEN_STATUSES: readonly DecisionStatus[] = ['DECIDED', 'SENT', 'OPENED'];
/** Order of the response statuses: a response must move forward (ACCEPTED and DECLINED are both final). */
export const STATUS_STEP: Record<DecisionStatus, number> = { DECIDED: 0, SENT: 1, OPENED: 2, ACCEPTED: 3, DECLINED: 3, EXPIRED: 3, WITHDRAWN: 3 };

/** The brand as a statistics scope; a dealer's is `DEALER#<id>` (the decision's follow-up dealer). */
export const BRAND_STATS_SCOPE = 'BRAND';
export const dealerStatsScope = (dealerId: string) => dealerKeys.kpiScope(dealerId);

export const offerKeys = {
  current: (code: string): Key => ({ PK: joinKey(OFFER, code), SK: 'CURRENT' }),
  version: (code: string, version: number): Key => ({ PK: joinKey(OFFER, code), SK: joinKey(VERSION, String(version).padStart(6, '0')) }),
  /** `ByCollection` partition of the catalogue (current versions, by code). */
  collection: 'OFFERS',
  decision: (customerId: string, decisionId: string): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey(DECISION, decisionId) }),
  decisionPrefix: `${DECISION}#`,
  book: (customerId: string): Key => ({ PK: customerKeys.partition(customerId), SK: 'OFFERBOOK' }),
  /** One per channel event: a re-sent response finds it (idempotency), scoped by who sent it (`sourceTenantOf`). */
  responseReceipt: (tenant: string, channel: string, channelEventId: string): Key => ({ PK: joinKey('OFFERRESPONSE', tenant, channel, channelEventId), SK: 'OFFERRESPONSE' }),
  /** `ByParent` partition of a dealer's follow-up list. */
  followUpPartition: (dealerId: string) => joinKey(FOLLOW_UP, dealerId),
  stats: (scope: string, month: string, offerCode: string, shard: number): Key => ({ PK: joinKey(STATS, scope), SK: joinKey(month, offerCode, String(shard).padStart(2, '0')) }),
  statsPartition: (scope: string) => joinKey(STATS, scope),
  runSegment: (runId: string, segment: number): Key => ({ PK: joinKey(RUN, runId), SK: joinKey('OFFERSEG', String(segment).padStart(4, '0')) }),
  runCount: (runId: string): Key => ({ PK: joinKey(RUN, runId), SK: 'COUNT' }),
};

/** Which statistics shard a customer's decisions count in (stable: FNV-1a of the id). */
export function statsShard(customerId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) h = Math.imul(h ^ customerId.charCodeAt(i), 0x01000193) >>> 0;
  return h % shards;
}

/**
 * The follow-up list's sort key: highest expected value first (ascending Query), then
 * oldest decision. `expectedValueEurMinor` is bounded (EUR 10 M × a probability), so a
 * 13-digit complement orders it.
 */
export function followUpSortKey(expectedValueEurMinor: number, decisionId: string): string {
  const inverted = 9_999_999_999_999 - Math.max(0, Math.min(9_999_999_999_999, Math.round(expectedValueEurMinor)));
  return joinKey(String(inverted).padStart(13, '0'), decisionId);
}

// ---------------------------------------------------------------- catalogue

const offerFields = {
  code: field.string,
  version: field.number,
  status: field.oneOf(OFFER_STATUSES),
  name: field.string,
  description: field.string,
  kind: field.oneOf(OFFER_KINDS),
  family: field.string,
  eligibility: field.map<OfferDefinition['eligibility']>(),
  channel: field.string as (v: unknown) => ConsentChannel,
  valueEur: field.number,
  validFrom: field.string,
  validUntil: field.string,
  frequencyCap: field.map<OfferDefinition['frequencyCap']>(),
  cooldownDaysAfterDecline: field.number,
  conversion: field.map<ConversionRule>(),
  dealerFollowUp: field.boolean,
  createdAt: field.string,
  createdBy: field.string,
};

const exampleOffer = (): OfferDefinition => ({
  code: 'TAYCAN_TEST_DRIVE',
  version: 1,
  status: 'ACTIVE',
  name: 'Taycan test drive',
  description: 'A day with a Taycan from your Porsche Centre.',
  kind: 'TEST_DRIVE',
  family: 'TEST_DRIVE',
  eligibility: { notOwnsModelLines: ['TAYCAN'], interests: [{ modelLine: 'TAYCAN', minCount: 3, withinDays: 90 }] },
  channel: 'EMAIL',
  valueEur: 4_000,
  validFrom: '2026-01-01',
  validUntil: '2027-12-31',
  frequencyCap: { max: 2, periodDays: 180 },
  cooldownDaysAfterDecline: 90,
  conversion: { kind: 'INTERACTION', interactionType: 'TEST_DRIVE', modelLines: ['TAYCAN'], attributionDays: 60 },
  dealerFollowUp: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin:seed',
});

/** The current version of an offer, listed in the catalogue by code. */
export const offerEntity = defineEntity<OfferDefinition>({
  name: 'Offer',
  example: exampleOffer,
  key: (o) => offerKeys.current(o.code),
  indexes: (o) => ({ byCollection: { pk: offerKeys.collection, sk: joinKey(o.code) } }),
  fields: offerFields,
});

/** Every version of an offer, never changed once written (a decision names the version it was made from). */
export const offerVersionEntity = defineEntity<OfferDefinition>({
  name: 'OfferVersion',
  example: exampleOffer,
  key: (o) => offerKeys.version(o.code, o.version),
  fields: offerFields,
});

/** `OfferDefinition` global ids: the offer's code (the current version). */
export const OFFER_DEFINITION_NODE = nodeKey('OfferDefinition', (key) => /^[A-Z0-9_]{3,40}$/.test(key));

// ---------------------------------------------------------------- decisions

/** Why an offer was chosen: each rule that made it eligible, and its rank. */
export interface DecisionReason {
  /** `tier`, `segment`, `ownsModelLines`, `interests`, `financeEnding`, `budget`, `clv`, `club`, `consent`, `cap`, `rank`, … */
  factor: string;
  /** For a human: `tier GOLD is one of GOLD, PLATINUM`. */
  detail: string;
}

/** A report from a channel or dealer. */
export interface DecisionResponse {
  status: ResponseStatus;
  /** The channel that saw it (`EMAIL`, `APP`, `DEALER`, …). */
  channel: string;
  channelEventId: string;
  at: string;
  /** Who reported it (`sourceTenantOf`). */
  reportedBy: string;
}

/** The fact that converted a decision (attributed once, by the fact hooks). */
export interface DecisionConversion {
  kind: ConversionKind;
  /** The fact's id: a VIN, a finance contract, an interaction or an order id. */
  factId: string;
  /** The fact's own date. */
  at: string;
  /** The fact's amount in EUR cents (car price, principal, order total; 0 for an interaction). */
  valueEurMinor: number;
}

/** Responses a decision remembers (a channel reports each status once; four statuses). */
export const MAX_DECISION_RESPONSES = 8;

export interface OfferDecisionRecord {
  id: string;
  customerId: string;
  offerCode: string;
  offerVersion: number;
  kind: OfferKind;
  family: string;
  /** The offer's name when decided (the catalogue may change later). */
  name: string;
  channel: ConsentChannel;
  /** 1 = the best offer of that night's decision. */
  rank: number;
  propensity: number;
  /** propensity × value, EUR cents. */
  expectedValueEurMinor: number;
  valueEur: number;
  reasons: DecisionReason[];
  rulesVersion: string;
  /** The value model whose scores it was ranked on. */
  modelVersion: string;
  decidedAt: string;
  /** The day of the run that decided it (`YYYY-MM-DD`). */
  decidedOn: string;
  /** In the control group: recorded, never delivered, invisible outside the brand's staff. */
  holdout: boolean;
  status: DecisionStatus;
  statusAt: string;
  responses: DecisionResponse[];
  /** Open for responses until then (then EXPIRED). */
  validUntil: string;
  /** A matching fact dated up to then converts it. */
  attributionUntil: string;
  conversionRule: ConversionRule;
  conversion?: DecisionConversion;
  /** The dealer responsible (follow-up list, per-dealer statistics): the linked dealer of the latest purchase or visit. */
  dealerId?: string;
  /** On the dealer's follow-up list while open (treatment only, offers with `dealerFollowUp`). */
  followUp: boolean;
}

export const OFFER_NODE = nodeKey('Offer', (key) => {
  const [customerId, decisionId, extra] = key.split(':');
  return extra === undefined && !!customerId && !!decisionId && isUlid(customerId) && isUlid(decisionId);
});
export const offerNodeKey = (d: Pick<OfferDecisionRecord, 'customerId' | 'id'>) => `${d.customerId}:${d.id}`;

/** The follow-up list holds open treatment decisions of follow-up offers with a dealer. */
export function followsUp(d: Pick<OfferDecisionRecord, 'followUp' | 'holdout' | 'status' | 'dealerId'>): boolean {
  return d.followUp && !d.holdout && d.dealerId !== undefined && OPEN_STATUSES.includes(d.status);
}

export const decisionEntity = defineEntity<OfferDecisionRecord>({
  name: 'OfferDecision',
  example: () => ({
    id: '01JDECISION000000000000000',
    customerId: '01JCUSTOMER000000000000000',
    offerCode: 'TAYCAN_TEST_DRIVE',
    offerVersion: 1,
    kind: 'TEST_DRIVE',
    family: 'TEST_DRIVE',
    name: 'Taycan test drive',
    channel: 'EMAIL',
    rank: 1,
    propensity: 0.3,
    expectedValueEurMinor: 120_000,
    valueEur: 4_000,
    reasons: [{ factor: 'rank', detail: 'rank 1 of 2 eligible' }],
    rulesVersion: 'offers-2026.1',
    modelVersion: 'value-2026.1',
    decidedAt: '2026-03-01T04:00:00.000Z',
    decidedOn: '2026-03-01',
    holdout: false,
    status: 'DECIDED',
    statusAt: '2026-03-01T04:00:00.000Z',
    responses: [],
    validUntil: '2026-03-31T04:00:00.000Z',
    attributionUntil: '2026-04-30T04:00:00.000Z',
    conversionRule: { kind: 'INTERACTION', interactionType: 'TEST_DRIVE', attributionDays: 60 },
    dealerId: '01JDEALER00000000000000000',
    followUp: true,
  }),
  key: (d) => offerKeys.decision(d.customerId, d.id),
  indexes: (d): IndexKeys => (followsUp(d) ? { byParent: { pk: offerKeys.followUpPartition(d.dealerId!), sk: followUpSortKey(d.expectedValueEurMinor, d.id) } } : {}),
  fields: {
    id: field.string,
    customerId: field.string,
    offerCode: field.string,
    offerVersion: field.number,
    kind: field.oneOf(OFFER_KINDS),
    family: field.string,
    name: field.string,
    channel: field.string as (v: unknown) => ConsentChannel,
    rank: field.number,
    propensity: field.number,
    expectedValueEurMinor: field.number,
    valueEur: field.number,
    reasons: field.listOfMaps<DecisionReason>(),
    rulesVersion: field.string,
    modelVersion: field.string,
    decidedAt: field.string,
    decidedOn: field.string,
    holdout: field.boolean,
    status: field.oneOf(DECISION_STATUSES),
    statusAt: field.string,
    responses: field.withDefault(field.listOfMaps<DecisionResponse>(), () => []),
    validUntil: field.string,
    attributionUntil: field.string,
    conversionRule: field.map<ConversionRule>(),
    conversion: field.optional(field.map<DecisionConversion>()),
    dealerId: field.optional(field.string),
    followUp: field.boolean,
  },
});

// ---------------------------------------------------------------- the book

/** A decision as the book remembers it: enough to decide caps, cool-downs and open offers, and to attribute a conversion. */
export interface BookEntry {
  offerCode: string;
  kind: OfferKind;
  decidedAt: string;
  status: DecisionStatus;
  holdout: boolean;
  rank: number;
  validUntil: string;
  attributionUntil: string;
  conversionRule: ConversionRule;
  valueEur: number;
  dealerId?: string;
  /** When it was DECLINED (the offer's cool-down runs from it). */
  declinedAt?: string;
  /** When a fact converted it (attributed once). */
  convertedAt?: string;
}

export interface OfferBookRecord {
  customerId: string;
  /** Decisions by decision id, kept while any window of theirs is open (`OFFER_RULES.maxWindowDays`). */
  entries: Record<string, BookEntry>;
  /** The day of the last run that wrote this book. */
  decidedOn: string;
  /** Every write conditions on it and adds 1 (the job's, a response's, a conversion's). */
  version: number;
}

export const bookEntity = defineEntity<OfferBookRecord>({
  name: 'OfferBook',
  example: () => ({ customerId: '01JCUSTOMER000000000000000', entries: {}, decidedOn: '2026-03-01', version: 1 }),
  key: (b) => offerKeys.book(b.customerId),
  fields: {
    customerId: field.string,
    entries: field.withDefault(field.map<Record<string, BookEntry>>(), () => ({})),
    decidedOn: field.string,
    version: field.number,
  },
});

/** A stored response receipt: what the first report of a channel event decided, so a re-send gets the same answer. */
export interface ResponseReceiptRecord {
  tenant: string;
  channel: string;
  channelEventId: string;
  customerId: string;
  decisionId: string;
  status: ResponseStatus;
  at: string;
}

export const responseReceiptEntity = defineEntity<ResponseReceiptRecord>({
  name: 'OfferResponseReceipt',
  example: () => ({ tenant: 'BRAND', channel: 'EMAIL', channelEventId: 'evt-1', customerId: '01JCUSTOMER000000000000000', decisionId: '01JDECISION000000000000000', status: 'OPENED', at: '2026-03-02T10:00:00.000Z' }),
  key: (r) => offerKeys.responseReceipt(r.tenant, r.channel, r.channelEventId),
  fields: { tenant: field.string, channel: field.string, channelEventId: field.string, customerId: field.string, decisionId: field.string, status: field.oneOf(RESPONSE_STATUSES), at: field.string },
});

// ---------------------------------------------------------------- statistics

/**
 * Counters of one offer, one month, one scope, one shard, only ever `ADD`ed in the same
 * transaction as what they count (a decision, a conversion), so every figure is exact:
 *
 * - by the month a decision was made (its cohort): decisions and conversions in treatment
 *   (`T`) and control (`C`), and the converting facts' EUR value;
 * - by the month a conversion happened: treatment conversions of UPGRADE offers by a car
 *   registration (`offerUpgrades`) and of finance offers by a contract (`offerFinanced`),
 *   the offer-driven share of the value KPIs' upgrades and financed purchases.
 */
export interface OfferStatsRecord {
  scope: string;
  month: string;
  offerCode: string;
  shard: number;
  decidedT: number;
  decidedC: number;
  convertedT: number;
  convertedC: number;
  convertedValueT: number;
  convertedValueC: number;
  offerUpgrades: number;
  offerFinanced: number;
}

export const STATS_COUNTERS = ['decidedT', 'decidedC', 'convertedT', 'convertedC', 'convertedValueT', 'convertedValueC', 'offerUpgrades', 'offerFinanced'] as const;
export type StatsCounter = (typeof STATS_COUNTERS)[number];

export const statsEntity = defineEntity<OfferStatsRecord>({
  name: 'OfferStats',
  example: () => ({ scope: BRAND_STATS_SCOPE, month: '2026-03', offerCode: 'TAYCAN_TEST_DRIVE', shard: 0, decidedT: 0, decidedC: 0, convertedT: 0, convertedC: 0, convertedValueT: 0, convertedValueC: 0, offerUpgrades: 0, offerFinanced: 0 }),
  key: (s) => offerKeys.stats(s.scope, s.month, s.offerCode, s.shard),
  fields: {
    scope: field.string,
    month: field.string,
    offerCode: field.string,
    shard: field.number,
    ...(Object.fromEntries(STATS_COUNTERS.map((c) => [c, field.withDefault(field.number, () => 0)])) as Record<StatsCounter, (v: unknown) => number>),
  },
});

/**
 * The update that adds to one statistics item (created by its first `ADD`). Scope, month,
 * code and shard are stored with `if_not_exists` so the item reads back as a record.
 */
export function statsAddition(tableName: string, key: { scope: string; month: string; offerCode: string; shard: number }, add: Partial<Record<StatsCounter, number>>) {
  const counters = Object.entries(add).filter(([, n]) => n !== 0) as [StatsCounter, number][];
  if (counters.length === 0) throw new InvariantError('A statistics addition adds nothing');
  return {
    Update: {
      TableName: tableName,
      Key: offerKeys.stats(key.scope, key.month, key.offerCode, key.shard),
      UpdateExpression: `SET #type = :type, #scope = if_not_exists(#scope, :scope), #month = if_not_exists(#month, :month), #code = if_not_exists(#code, :code), #shard = if_not_exists(#shard, :shard) ADD ${counters.map(([c]) => `#${c} :${c}`).join(', ')}`,
      ExpressionAttributeNames: { '#type': ENTITY_TYPE_ATTRIBUTE, '#scope': 'scope', '#month': 'month', '#code': 'offerCode', '#shard': 'shard', ...Object.fromEntries(counters.map(([c]) => [`#${c}`, c])) },
      ExpressionAttributeValues: { ':type': statsEntity.name, ':scope': key.scope, ':month': key.month, ':code': key.offerCode, ':shard': key.shard, ...Object.fromEntries(counters.map(([c, n]) => [`:${c}`, n])) },
    },
  };
}
