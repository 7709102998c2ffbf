import { addDays, addMonths, toDay } from '../service/calendar.js';
import type { LedgerEntryRecord, LotDraw, LotRecord, MembershipRecord } from './club-records.js';
import { CLUB_RULES, levelRule, type AccrualSource, type ClubLevel, type ClubRules } from './rules.js';

/**
 * The ledger's arithmetic, pure: what a member may spend, which lots a spending draws
 * from, when points expire, which level qualifying points give. The repository reads and
 * writes; every number it writes comes from here, so the rules are tested on plain data.
 */

/** What `Customer.club.balance` shows. */
export interface Balance {
  /** Spendable now: lots past their return window and not expired, less what is owed (down to −cap). */
  available: number;
  /** In lots still inside their return window. */
  pending: number;
  /** What is owed beyond the level's overdraft cap; later points settle it first. */
  debt: number;
}

/** The calendar month (`YYYY-MM`) of an instant or a day. */
export const monthOf = (at: string) => at.slice(0, 7);

/**
 * Whether a source document dated `at` earns for this membership: only if dated on a day
 * the customer was a member — not before the day they first joined (a customer does not
 * earn on their purchase history by joining, and a document older than the expiry horizon
 * would make a lot expired at birth), and not after the day they last left and before the
 * day they rejoined (a member who left earns nothing, also on documents recorded late).
 * Days, not instants: a visit on the morning of the day a customer joins at the dealer earns.
 * Every remembered gap counts (`gaps`: leaving and rejoining); the leaving and rejoining days earn.
 */
export function earnsOnDocumentOf(m: Pick<MembershipRecord, 'joinedAt' | 'gaps'>, at: string): boolean {
  const day = toDay(at);
  if (day < toDay(m.joinedAt)) return false;
  return !(m.gaps ?? []).some((gap) => day > toDay(gap.from) && day < toDay(gap.to));
}

/** Whether a lot's points may still be spent on `day` (its last day is `expiresOn`) and the expiry job has not taken them. */
export function isLive(lot: LotRecord, at: string): boolean {
  return !lot.expiredAt && lot.expiresOn >= toDay(at);
}

/** Whether a lot's points can be spent at `at`: live, past the return window, not empty. */
export function isSpendable(lot: LotRecord, at: string): boolean {
  return lot.remaining > 0 && isLive(lot, at) && lot.availableFrom <= at;
}

/** Lots in spending order: soonest expiry first, then oldest (ids are time-sortable) — the order of their sort keys. */
export function inSpendingOrder(lots: readonly LotRecord[]): LotRecord[] {
  return [...lots].sort((a, b) => (a.expiresOn === b.expiresOn ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.expiresOn < b.expiresOn ? -1 : 1));
}

/**
 * The balance at `at`.
 *
 * @example
 * balanceOf({ level: 'MEMBER', owed: 0 }, [lot({ remaining: 300, availableFrom: '2026-01-01…' })], '2026-02-01T00:00:00.000Z')
 * // { available: 300, pending: 0, debt: 0 }
 */
export function balanceOf(m: Pick<MembershipRecord, 'level' | 'owed'>, lots: readonly LotRecord[], at: string, rules: ClubRules = CLUB_RULES): Balance {
  const cap = levelRule(m.level, rules).overdraftCap;
  let spendable = 0;
  let pending = 0;
  for (const lot of lots) {
    if (lot.remaining <= 0 || !isLive(lot, at)) continue;
    if (lot.availableFrom <= at) spendable += lot.remaining;
    else pending += lot.remaining;
  }
  return { available: spendable - Math.min(m.owed, cap), pending, debt: Math.max(0, m.owed - cap) };
}

export interface DrawPlan {
  /** In spending order; each at most the lot's remaining. */
  draws: LotDraw[];
  /** Points no lot could cover. */
  short: number;
}

/**
 * Which lots `points` are taken from: the soonest-expiring first (FIFO by expiry), among
 * spendable lots — or, for corrections (`includePending`), every live lot, spendable ones
 * first. `first` names a lot to take from before all others (a reversed accrual's own lot).
 *
 * @example
 * // A: 100 points expiring 2027-01-31; B: 50 expiring 2026-12-31
 * planDraws([A, B], 80, at) // { draws: [{ lotId: 'B', points: 50, … }, { lotId: 'A', points: 30, … }], short: 0 }
 */
export function planDraws(lots: readonly LotRecord[], points: number, at: string, { includePending = false, first }: { includePending?: boolean; first?: string } = {}): DrawPlan {
  const live = inSpendingOrder(lots.filter((l) => l.remaining > 0 && isLive(l, at) && (includePending || l.availableFrom <= at)));
  const spendableFirst = [...live.filter((l) => l.availableFrom <= at), ...live.filter((l) => l.availableFrom > at)];
  const ordered = first ? [...spendableFirst.filter((l) => l.id === first), ...spendableFirst.filter((l) => l.id !== first)] : spendableFirst;
  const draws: LotDraw[] = [];
  let left = points;
  for (const lot of ordered) {
    if (left <= 0) break;
    const take = Math.min(lot.remaining, left);
    draws.push({ lotId: lot.id, expiresOn: lot.expiresOn, points: take });
    left -= take;
  }
  return { draws, short: Math.max(0, left) };
}

/** The last day points earned at `earnedAt` can be spent: the end of the month `expiryMonths` after. */
export function expiresOnFor(earnedAt: string, rules: ClubRules = CLUB_RULES): string {
  const monthStart = `${monthOf(earnedAt)}-01`;
  return addDays(addMonths(monthStart, rules.expiryMonths + 1), -1);
}

/** The day `PointsExpiring` is due for a lot. */
export function warnOnFor(expiresOn: string, rules: ClubRules = CLUB_RULES): string {
  return addDays(expiresOn, -rules.expiryWarningDays);
}

/** The day the expiry job takes a lot's points: the day after its last day. */
export function expiryDayFor(expiresOn: string): string {
  return addDays(expiresOn, 1);
}

/** The day a lot's next scheduled action is due: its warning until warned, then its expiry. */
export function lotDueOn(lot: Pick<LotRecord, 'warned' | 'expiresOn'>, rules: ClubRules = CLUB_RULES): string {
  return lot.warned ? expiryDayFor(lot.expiresOn) : warnOnFor(lot.expiresOn, rules);
}

/** When points earned at `at` can be spent. */
export function availableFromFor(at: string, rules: ClubRules = CLUB_RULES): string {
  return new Date(Date.parse(at) + rules.pendingDays * 86_400_000).toISOString();
}

/** The first month (`YYYY-MM`) of the qualifying window that holds `at`. */
export function windowStart(at: string, rules: ClubRules = CLUB_RULES): string {
  return monthOf(addMonths(`${monthOf(at)}-01`, -(rules.qualifyingWindowMonths - 1)));
}

/** Qualifying points earned in the rolling window (the last `qualifyingWindowMonths` calendar months, this one included). */
export function qualifyingPointsAt(qualifying: Readonly<Record<string, number>>, at: string, rules: ClubRules = CLUB_RULES): number {
  const from = windowStart(at, rules);
  const to = monthOf(at);
  return Object.entries(qualifying).reduce((sum, [month, points]) => (month >= from && month <= to ? sum + points : sum), 0);
}

/**
 * The level qualifying points give at `at` — never the balance: spending points does not
 * cost a member their status.
 */
export function levelFor(qualifying: Readonly<Record<string, number>>, at: string, rules: ClubRules = CLUB_RULES): ClubLevel {
  const points = qualifyingPointsAt(qualifying, at, rules);
  let level = rules.levels[0]!.level;
  for (const rule of rules.levels) if (points >= rule.qualifyingPoints) level = rule.level;
  return level;
}

/**
 * The next day the level may fall: the first of the month in which the oldest month with
 * points leaves the window. None while the member holds the lowest level (it cannot fall).
 */
export function levelReviewOnFor(qualifying: Readonly<Record<string, number>>, level: ClubLevel, at: string, rules: ClubRules = CLUB_RULES): string | undefined {
  if (level === rules.levels[0]!.level) return undefined;
  const from = windowStart(at, rules);
  const oldest = Object.keys(qualifying)
    .filter((month) => month >= from && (qualifying[month] ?? 0) > 0)
    .sort()[0];
  return oldest ? addMonths(`${oldest}-01`, rules.qualifyingWindowMonths) : undefined;
}

/** The qualifying months still inside the window at `at` (older ones can never count again; the map stays bounded). */
export function prunedQualifying(qualifying: Readonly<Record<string, number>>, at: string, rules: ClubRules = CLUB_RULES): Record<string, number> {
  const from = windowStart(at, rules);
  return Object.fromEntries(Object.entries(qualifying).filter(([month, points]) => month >= from && points > 0));
}

/**
 * Points a document worth `eurMinor` (euro cents) earns at `level`: rate × multiplier, rounded down.
 *
 * @example
 * pointsFor('SERVICE_VISIT', 45_000, 'SILVER') // 450 € × 1 × 1.25 = 562
 */
export function pointsFor(source: AccrualSource, eurMinor: number, level: ClubLevel, rules: ClubRules = CLUB_RULES): number {
  return multiplied(basePointsFor(source, eurMinor, rules), level, rules);
}

/** Points before the level's multiplier (may be fractional; rounded down only once, after it). */
export function basePointsFor(source: AccrualSource, eurMinor: number, rules: ClubRules = CLUB_RULES): number {
  return (Math.max(0, eurMinor) / 100) * rules.earning[source].pointsPerEur;
}

/** Base points with the level's multiplier, rounded down. */
export function multiplied(basePoints: number, level: ClubLevel, rules: ClubRules = CLUB_RULES): number {
  // The epsilon keeps 0.1 × 3 × 1.25-style float products from losing a whole point.
  return Math.max(0, Math.floor(basePoints * levelRule(level, rules).multiplier + 1e-9));
}

/** How much of `points` settles what is owed, and how much is left for a lot. */
export function settleOwed(owed: number, points: number): { settled: number; toLot: number } {
  const settled = Math.min(Math.max(0, owed), points);
  return { settled, toLot: points - settled };
}

/** Σ entry points: what `membership.balance` must equal. */
export function sumOfEntries(entries: readonly Pick<LedgerEntryRecord, 'points'>[]): number {
  return entries.reduce((sum, e) => sum + e.points, 0);
}

/** A membership's level fields after its qualifying points changed, as of `asOf`. */
export type LevelState = Pick<MembershipRecord, 'qualifying' | 'level' | 'levelSince' | 'levelReviewOn'>;

/**
 * Recomputes the level from `qualifying` as of `asOf` (months that left the window are
 * dropped). `levelSince` moves only when the level changes.
 */
export function relevel(m: Pick<MembershipRecord, 'level' | 'levelSince'>, qualifying: Readonly<Record<string, number>>, asOf: string, rules: ClubRules = CLUB_RULES): LevelState {
  const kept = prunedQualifying(qualifying, asOf, rules);
  const level = levelFor(kept, asOf, rules);
  return { qualifying: kept, level, levelSince: level === m.level ? m.levelSince : asOf, levelReviewOn: levelReviewOnFor(kept, level, asOf, rules) };
}
