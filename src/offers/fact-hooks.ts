import DataLoader from 'dataloader';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import type { Contribution, FactHooks, HookContext } from '../store/fact-hooks.js';
import { outboxItem } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { INDEXES } from '../store/table.js';
import { toEurMinor } from '../value/scoring.js';
import { matchingEntries, type ConvertingFact } from './attribution.js';
import type { OfferKind } from './catalogue.js';
import { BRAND_STATS_SCOPE, bookEntity, dealerStatsScope, offerKeys, statsAddition, statsShard, type BookEntry, type DecisionConversion, type OfferBookRecord, type StatsCounter } from './offer-records.js';
import type { OfferConverted } from './offer-outbox.js';
import { OFFER_RULES } from './offer-rules.js';

/**
 * Conversion attribution: when a fact arrives that an offer counts as its success (a car
 * registered to the customer, a finance contract, a test drive, an order), the decisions
 * it converts are marked converted **in the fact's own transaction**, with their
 * statistics and an `OfferConverted` event — so a conversion is never counted without its
 * fact being stored, nor a stored fact left unattributed.
 *
 * Each hook reads the customer's offer book (consistent, batched with the other hooks of
 * the same tick — see `readBook`; a customer without a book costs that read and adds
 * nothing), asks the pure matcher which decisions the fact converts (intent-to-treat: any
 * status, treatment or holdout, fact dated within [decidedAt, attributionUntil], not
 * converted yet) and contributes:
 *
 * - per decision, an Update `SET conversion` under `attribute_not_exists(conversion)`;
 * - one Update of the book: each entry's `convertedAt`, under `version = <as read>`, and
 *   `version + 1`;
 * - the statistics ADDs (cohort month: `convertedT/C`, `convertedValueT/C`; conversion
 *   month: `offerUpgrades` / `offerFinanced`, once per fact);
 * - an `OfferConverted` outbox event per decision.
 *
 * Why a decision is converted exactly once, whatever retries and races do:
 *
 * - the decision's own condition (`attribute_not_exists(conversion)`) lets one conversion
 *   ever be written to it, and everything counting it (statistics, event, book entry) is in
 *   that same transaction: all or nothing;
 * - the book's version condition makes a hook that decided from a stale book lose: any
 *   other conversion, response or job write since the read moved the version, so the
 *   fact's transaction fails, the writer asks the hooks again (they are asked on every
 *   attempt) and the fresh read shows the entry converted — nothing is contributed twice;
 * - a fact sent again is refused by its owner's own idempotency (a VIN registered once,
 *   an interaction's source event, a fact item's `attribute_not_exists`), so its hook
 *   items are never written a second time; and once written, the book says `convertedAt`.
 *
 * A failed condition here is never the caller's problem: `explainFailure` answers null,
 * which the writers treat as a concurrent write and retry on fresh reads. Offers never
 * refuse a fact.
 */

/**
 * Decisions one fact converts at most: each costs up to four transaction items (the
 * decision, its event, two statistics items), and the fact's owner and the other domains
 * need room in DynamoDB's 100. A customer holds a handful of decisions in their windows;
 * beyond this the oldest are converted and the rest stay unconverted by this fact.
 */
export const MAX_CONVERSIONS_PER_FACT = 8;

const FINANCE_KINDS: readonly OfferKind[] = ['FINANCE_NEW', 'FINANCE_RENEWAL'];

/** Whether the caller should retry on fresh reads: always (see above). */
const retryOnFreshReads = async () => null;

/**
 * A fact dated by a day (a purchase, a contract's start) counts at the end of that day:
 * the nightly job decides in the small hours, so a car bought on the decision's day was
 * bought after it. Never after now: a contract starting next month was signed today.
 */
function dayFactAt(day: string, now: Date): string {
  const end = `${day}T23:59:59.999Z`;
  const nowIso = now.toISOString();
  return end < nowIso ? end : nowIso;
}

/**
 * Books asked for in the same tick share one consistent BatchGetItem: `recordInteractions`
 * asks the hooks of a batch's events together, so a hundred events of ten customers read
 * ten books in one request instead of a hundred GetItems. Nothing is cached between
 * ticks: every attempt of a fact reads afresh (a stale book would only lose its version
 * condition and cost a retry). A book that does not parse fails its own customer's facts
 * alone, as a GetItem would.
 */
const bookReaders = new WeakMap<Store, DataLoader<string, OfferBookRecord | null>>();

function readBook(store: Store, customerId: string): Promise<OfferBookRecord | null> {
  let reader = bookReaders.get(store);
  if (!reader) {
    reader = new DataLoader(
      async (ids: readonly string[]) => {
        const found = await batchGetItems(store.doc, store.tableName, ids.map(offerKeys.book), { consistentRead: true });
        return ids.map((id) => {
          const item = found.get(itemMapKey(offerKeys.book(id)));
          try {
            return item ? bookEntity.fromItem(item) : null;
          } catch (error) {
            return error as Error;
          }
        });
      },
      { cache: false, maxBatchSize: 100 },
    );
    bookReaders.set(store, reader);
  }
  return reader.load(customerId);
}

const scopesOf = (entry: BookEntry) => [BRAND_STATS_SCOPE, ...(entry.dealerId ? [dealerStatsScope(entry.dealerId)] : [])];

/** The statistics ADDs of one fact's conversions, one addition per item (a transaction touches an item once). */
function statisticsOf(converted: readonly [string, BookEntry][], fact: ConvertingFact, options: { countsAsPurchase: boolean }): Map<string, { key: { scope: string; month: string; offerCode: string; shard: number }; add: Partial<Record<StatsCounter, number>> }> {
  const shard = statsShard(fact.customerId, OFFER_RULES.statsShards);
  const additions = new Map<string, { key: { scope: string; month: string; offerCode: string; shard: number }; add: Partial<Record<StatsCounter, number>> }>();
  const add = (entry: BookEntry, month: string, counters: Partial<Record<StatsCounter, number>>) => {
    for (const scope of scopesOf(entry)) {
      const id = JSON.stringify([scope, month, entry.offerCode]);
      const addition = additions.get(id) ?? { key: { scope, month, offerCode: entry.offerCode, shard }, add: {} };
      for (const [counter, n] of Object.entries(counters) as [StatsCounter, number][]) addition.add[counter] = (addition.add[counter] ?? 0) + n;
      additions.set(id, addition);
    }
  };
  for (const [, entry] of converted) {
    add(entry, entry.decidedAt.slice(0, 7), entry.holdout ? { convertedC: 1, convertedValueC: fact.valueEurMinor } : { convertedT: 1, convertedValueT: fact.valueEurMinor });
  }
  // The offer-driven share of the value KPIs: one fact is one upgrade or one financed
  // purchase however many decisions it converts, so it counts once, for the oldest
  // treatment decision of the kind. Only a first registration is a purchase for the value
  // KPIs (a car changing hands is not), so a transfer converts without counting here.
  const month = fact.at.slice(0, 7);
  const upgrade = options.countsAsPurchase && fact.kind === 'VEHICLE_REGISTERED' ? converted.find(([, e]) => !e.holdout && e.kind === 'UPGRADE') : undefined;
  if (upgrade) add(upgrade[1], month, { offerUpgrades: 1 });
  const financed = fact.kind === 'FINANCE_CONTRACT' ? converted.find(([, e]) => !e.holdout && FINANCE_KINDS.includes(e.kind)) : undefined;
  if (financed) add(financed[1], month, { offerFinanced: 1 });
  return additions;
}

/**
 * What a fact adds to its transaction for the customer's offers: nothing without a book or
 * a match; else the conversions, the book's entries, statistics and events (see above).
 */
export async function conversionContributions(store: Store, fact: ConvertingFact, context: HookContext | undefined, options: { countsAsPurchase?: boolean } = {}): Promise<Contribution[]> {
  const book = await readBook(store, fact.customerId);
  if (!book) return [];
  const converted = matchingEntries(book, fact)
    .map((id) => [id, book.entries[id]] as const)
    .filter((pair): pair is [string, BookEntry] => pair[1] !== undefined && pair[1].convertedAt === undefined)
    .slice(0, MAX_CONVERSIONS_PER_FACT);
  if (converted.length === 0) return [];

  const table = store.tableName;
  const now = context?.now ?? new Date();
  const conversion: DecisionConversion = { kind: fact.kind, factId: fact.factId, at: fact.at, valueEurMinor: fact.valueEurMinor };
  const contributions: Contribution[] = [];
  for (const [decisionId, entry] of converted) {
    contributions.push(
      {
        item: {
          Update: {
            TableName: table,
            Key: offerKeys.decision(fact.customerId, decisionId),
            // A converted customer has done what the offer asked: it leaves the dealer's follow-up list (nobody calls to sell a car already bought).
            UpdateExpression: 'SET #conversion = :conversion REMOVE #gsiPk, #gsiSk',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#conversion)',
            ExpressionAttributeNames: { '#conversion': 'conversion', '#gsiPk': INDEXES.byParent.partitionKey, '#gsiSk': INDEXES.byParent.sortKey },
            ExpressionAttributeValues: { ':conversion': conversion },
          },
        },
        explainFailure: retryOnFreshReads,
      },
      { item: { Put: { TableName: table, Item: outboxItem('OfferConverted', { decisionId, customerId: fact.customerId, offerCode: entry.offerCode, holdout: entry.holdout, conversionKind: fact.kind, factId: fact.factId, at: fact.at } satisfies OfferConverted, now) } } },
    );
  }
  const names: Record<string, string> = { '#entries': 'entries', '#convertedAt': 'convertedAt', '#version': 'version' };
  converted.forEach(([decisionId], i) => (names[`#d${i}`] = decisionId));
  contributions.push({
    item: {
      Update: {
        TableName: table,
        Key: offerKeys.book(fact.customerId),
        UpdateExpression: `SET ${converted.map((_, i) => `#entries.#d${i}.#convertedAt = :at`).join(', ')}, #version = :next`,
        ConditionExpression: '#version = :read',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':at': fact.at, ':read': book.version, ':next': book.version + 1 },
      },
    },
    explainFailure: retryOnFreshReads,
  });
  for (const { key, add } of statisticsOf(converted, fact, { countsAsPurchase: options.countsAsPurchase ?? false }).values()) {
    if (Object.values(add).some((n) => n !== 0)) contributions.push({ item: statsAddition(table, key, add) });
  }
  return contributions;
}

const offerFactHooks: FactHooks = {
  // A first registration is the owner's purchase, at the car's price.
  VehicleRegistered: ({ vehicle }, store, context) =>
    conversionContributions(
      store,
      { kind: 'VEHICLE_REGISTERED', factId: vehicle.vin, customerId: vehicle.ownerId, at: dayFactAt(vehicle.purchaseDate, context?.now ?? new Date()), valueEurMinor: toEurMinor(vehicle.purchasePrice.amountMinor, vehicle.purchasePrice.currency), modelLine: vehicle.modelLine, variant: vehicle.variant },
      context,
      { countsAsPurchase: true },
    ),
  // A car changing hands is registered to its new owner on the transfer's day; what they paid is not known to the brand (value 0).
  VehicleTransferred: ({ after }, store, context) =>
    conversionContributions(store, { kind: 'VEHICLE_REGISTERED', factId: after.vin, customerId: after.ownerId, at: dayFactAt(after.ownerSince, context?.now ?? new Date()), valueEurMinor: 0, modelLine: after.modelLine, variant: after.variant }, context),
  FinanceContractRecorded: ({ contract }, store, context) =>
    conversionContributions(store, { kind: 'FINANCE_CONTRACT', factId: contract.id, customerId: contract.customerId, at: dayFactAt(contract.startDate, context?.now ?? new Date()), valueEurMinor: contract.principalMinor, financeKind: contract.kind }, context),
  InteractionRecorded: ({ interaction }, store, context) =>
    conversionContributions(
      store,
      { kind: 'INTERACTION', factId: interaction.id, customerId: interaction.customerId, at: interaction.occurredAt, valueEurMinor: 0, interactionType: interaction.type, ...(interaction.modelLine ? { modelLine: interaction.modelLine } : {}), ...(interaction.variant ? { variant: interaction.variant } : {}) },
      context,
    ),
  OrderRecorded: ({ order }, store, context) =>
    conversionContributions(store, { kind: 'ORDER', factId: order.id, customerId: order.customerId, at: order.orderedAt, valueEurMinor: order.totalEurMinor, skus: order.lines.map((l) => l.sku) }, context),
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default offerFactHooks;
