import { membershipEntity, type MembershipRecord } from '../club/club-records.js';
import { CLUB_RULES, type ClubRules } from '../club/rules.js';
import { customerEntity } from '../customer/customer.js';
import { clubEventEntity } from '../events/event-records.js';
import { addMonths, toDay } from '../service/calendar.js';
import type { Logger } from '../shared/logger.js';
import { MalformedItemError } from '../store/entity.js';
import type { Item } from '../store/table.js';
import { BRAND_SCOPE, monthBounds, type KpiSums } from '../value/kpis.js';
import { emptyMemberSums, type BrandBuyers, type ClubKpiRollupRecord, type EventSums } from './club-kpi-records.js';
import type { ClubKpiRepository } from './club-kpi-repository.js';
import { addEvent, addMember, isPastEvent } from './club-kpis.js';

/**
 * The club's daily KPI roll-up, a step of the hourly club run: the first run of a day
 * computes it (later runs find the day's roll-up and read one item; a roll-up made before
 * the brand's first scores run is made again once the value KPIs exist), from
 *
 * - every membership, a page at a time from the memberships' `ByCollection` partition
 *   (status, level, balance, owed, lifetime totals: all on the membership item);
 * - the active members' profiles, one BatchGetItem per page (their purchases, for the
 *   repeat-purchase split);
 * - the events that started in the 12 months before (their seat counters);
 * - the brand's value KPIs of the month (one GetItem: buyers and repeat buyers of all
 *   customers) and the roll-up of a year before (one GetItem: the 12-month base).
 *
 * So it reads about two items per member (membership + profile; one for a former
 * member), one per recent event and three or four more, and writes two. It writes
 * nothing until it has read everything: a run that must stop early (Lambda timeout)
 * leaves the day to the next hourly run, which starts over. A membership or profile that
 * does not parse is skipped, counted and logged; the roll-up is written for the rest.
 */
export interface ClubKpiJobDeps {
  clubKpis: ClubKpiRepository;
  values: { kpiRollup(period: string, scope: string): Promise<{ sums: KpiSums } | null> };
  logger: Logger;
  rules?: ClubRules;
}

export interface ClubKpiJobOptions {
  now: Date;
  /** Compute even if the day's roll-up exists (a local rerun, the bench). */
  force?: boolean;
  pageSize?: number;
  shouldStop?: () => boolean;
}

export interface ClubKpiJobStats {
  day: string;
  /** False when the day's roll-up existed already, or the run stopped early. */
  written: boolean;
  complete: boolean;
  memberships: number;
  /** Every item read: memberships, profiles, events, single items. */
  itemsRead: number;
  /** Memberships or profiles that did not parse. */
  skipped: number;
}

export const CLUB_KPIS_JOB = 'club-kpis';

/** The value KPI month whose repeat-purchase sums are split: this month's, or the last one's early in a month (before the night's scores run). */
async function brandBuyers(deps: ClubKpiJobDeps, day: string): Promise<{ basis?: BrandBuyers; read: number }> {
  let read = 0;
  for (const period of [day.slice(0, 7), addMonths(day, -1).slice(0, 7)]) {
    const rollup = await deps.values.kpiRollup(period, BRAND_SCOPE);
    read++;
    if (rollup) return { basis: { period, buyers: rollup.sums.buyers, repeatBuyers: rollup.sums.repeatBuyers }, read };
  }
  return { read };
}

function parse<R>(item: Item, read: (item: Item) => R, onBad: (error: unknown) => void): R | null {
  try {
    return read(item);
  } catch (error) {
    if (!(error instanceof MalformedItemError)) throw error;
    onBad(error);
    return null;
  }
}

export async function runClubKpiRollup(deps: ClubKpiJobDeps, options: ClubKpiJobOptions): Promise<ClubKpiJobStats> {
  const rules = deps.rules ?? CLUB_RULES;
  const now = options.now.toISOString();
  const day = toDay(now);
  const stats: ClubKpiJobStats = { day, written: false, complete: true, memberships: 0, itemsRead: 0, skipped: 0 };
  let brand: Awaited<ReturnType<typeof brandBuyers>> | undefined;
  if (!options.force) {
    const latest = await deps.clubKpis.latest();
    stats.itemsRead++;
    if (latest && latest.day >= day) {
      if (latest.brandBuyers) return stats;
      // Written before any scores run: computed again as soon as the value KPIs exist (a fresh brand, a local demo).
      brand = await brandBuyers(deps, day);
      stats.itemsRead += brand.read;
      if (!brand.basis) return stats;
    }
  }
  const bad = (what: string) => (error: unknown) => {
    stats.skipped++;
    deps.logger.warn(`club KPI roll-up skipped a ${what} it could not read`, { day, error });
  };

  if (!brand) {
    brand = await brandBuyers(deps, day);
    stats.itemsRead += brand.read;
  }
  const end = brand.basis ? monthBounds(brand.basis.period).end : undefined;

  const members = emptyMemberSums();
  let startKey: Record<string, unknown> | undefined;
  do {
    if (options.shouldStop?.()) {
      deps.logger.warn('club KPI roll-up stopping early; the next run computes it', { day, memberships: stats.memberships });
      return { ...stats, complete: false };
    }
    const page = await deps.clubKpis.membershipPage(options.pageSize ?? 100, startKey);
    startKey = page.lastKey;
    stats.itemsRead += page.items.length;
    const memberships = page.items.map((item) => parse(item, membershipEntity.fromItem, bad('membership'))).filter((m): m is MembershipRecord => m !== null);
    const active = memberships.filter((m) => m.status === 'ACTIVE').map((m) => m.customerId);
    const profiles = active.length ? await deps.clubKpis.profiles(active) : new Map<string, Item>();
    stats.itemsRead += profiles.size;
    for (const m of memberships) {
      const item = profiles.get(m.customerId);
      const profile = item ? (parse(item, customerEntity.fromItem, bad('profile')) ?? undefined) : undefined;
      addMember(members, m, profile, end);
      stats.memberships++;
    }
  } while (startKey);

  const events: EventSums = { from: addMonths(day, -12), events: 0, capacity: 0, confirmedSeats: 0, checkedInSeats: 0 };
  const eventItems = await deps.clubKpis.eventsStarting(events.from, now);
  stats.itemsRead += eventItems.length;
  for (const item of eventItems) {
    const event = parse(item, clubEventEntity.fromItem, bad('club event'));
    if (event && isPastEvent(event, now)) addEvent(events, event);
  }

  const base = await deps.clubKpis.ofDay(addMonths(day, -12));
  stats.itemsRead++;
  const rollup: ClubKpiRollupRecord = {
    day,
    // The run's (scheduled) time: a rerun of the day writes the same item.
    computedAt: now,
    rulesVersion: rules.version,
    pointValueEurMinor: rules.pointValueEurMinor,
    members,
    events,
    ...(brand.basis ? { brandBuyers: brand.basis } : {}),
    ...(base ? { last12Months: { since: base.day, pointsEarned: members.pointsEarned - base.members.pointsEarned, pointsRedeemed: members.pointsRedeemed - base.members.pointsRedeemed } } : {}),
    itemsRead: stats.itemsRead,
  };
  await deps.clubKpis.write(rollup);
  deps.logger.info('club KPI roll-up written', { day, memberships: stats.memberships, itemsRead: stats.itemsRead, skipped: stats.skipped });
  return { ...stats, written: true };
}
