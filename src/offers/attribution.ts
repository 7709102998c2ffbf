import type { ModelLine } from '../catalogue/model-lines.js';
import type { ConversionKind, ConversionRule } from './catalogue.js';
import type { BookEntry, OfferBookRecord } from './offer-records.js';

/**
 * Which decisions a fact converts, pure: the fact hooks read the customer's offer book and
 * convert what this returns, in the fact's own transaction. Attribution is
 * intent-to-treat: every decision counts — treatment or holdout, open or closed (a
 * customer who declined and bought anyway converted; a control customer who bought is the
 * baseline) — as long as the fact is dated inside its window and it was not converted yet.
 */

/** A fact that may convert decisions, as the hooks describe it. */
export interface ConvertingFact {
  kind: ConversionKind;
  /** The fact's id: a VIN, a finance contract, an interaction or an order id. */
  factId: string;
  customerId: string;
  /** The fact's own instant (ISO 8601); a bare day `YYYY-MM-DD` is read as its start, 00:00 UTC. */
  at: string;
  /** EUR cents: car price, principal, order total; 0 for an interaction. */
  valueEurMinor: number;
  modelLine?: string;
  variant?: string;
  financeKind?: 'LOAN' | 'LEASE';
  interactionType?: string;
  skus?: string[];
}

const includesText = (text: string | undefined, part: string) => text !== undefined && text.toLowerCase().includes(part.toLowerCase());

/**
 * Whether a fact is what a conversion rule asks for (its kind, and each of the rule's
 * constraints present). A constraint the fact cannot show (a registration without a
 * model line) does not hold.
 *
 * @example
 * factMatchesRule({ kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'turbo', attributionDays: 180 },
 *   { kind: 'VEHICLE_REGISTERED', modelLine: 'CAYENNE', variant: 'Cayenne Turbo E-Hybrid', … }) // true
 */
export function factMatchesRule(rule: ConversionRule, fact: ConvertingFact): boolean {
  if (rule.kind !== fact.kind) return false;
  if (rule.modelLines && !(fact.modelLine !== undefined && rule.modelLines.includes(fact.modelLine as ModelLine))) return false;
  if (rule.variantContains !== undefined && !includesText(fact.variant, rule.variantContains)) return false;
  if (rule.financeKinds && !(fact.financeKind !== undefined && rule.financeKinds.includes(fact.financeKind))) return false;
  if (rule.interactionType !== undefined && fact.interactionType?.toUpperCase() !== rule.interactionType.toUpperCase()) return false;
  if (rule.skuPrefix !== undefined) {
    const prefix = rule.skuPrefix.toUpperCase();
    if (!(fact.skus ?? []).some((sku) => sku.toUpperCase().startsWith(prefix))) return false;
  }
  return true;
}

/**
 * Whether a fact dated `at` lies in a decision's attribution window, `[decidedAt,
 * attributionUntil]` — both ends inclusive, compared as instants: a car registered the
 * minute before the decision was not caused by it.
 */
export function inAttributionWindow(entry: Pick<BookEntry, 'decidedAt' | 'attributionUntil'>, at: string): boolean {
  const t = Date.parse(at.length === 10 ? `${at}T00:00:00.000Z` : at);
  return !Number.isNaN(t) && t >= Date.parse(entry.decidedAt) && t <= Date.parse(entry.attributionUntil);
}

/**
 * The decision ids a fact converts, oldest decision first (ties by id): entries not yet
 * converted, whose rule the fact matches, with the fact inside their window. Another
 * customer's fact converts nothing.
 *
 * @example
 * matchingEntries(book, { kind: 'INTERACTION', interactionType: 'TEST_DRIVE', modelLine: 'TAYCAN', at: '2026-03-10T09:00:00Z', … })
 * // ['01JDEC…'] — the Taycan test-drive decision of 1 March
 */
export function matchingEntries(book: OfferBookRecord, fact: ConvertingFact): string[] {
  if (fact.customerId !== book.customerId) return [];
  return Object.entries(book.entries)
    .filter(([, e]) => e.convertedAt === undefined && factMatchesRule(e.conversionRule, fact) && inAttributionWindow(e, fact.at))
    .sort(([idA, a], [idB, b]) => a.decidedAt.localeCompare(b.decidedAt) || (idA < idB ? -1 : idA > idB ? 1 : 0))
    .map(([id]) => id);
}
