import type { Principal } from '../auth/principal.js';
import type { Prng } from '../shared/prng.js';
import { runClubJob } from '../club/club-job.js';
import { runClubKpiRollup } from '../club-kpis/club-kpi-job.js';
import clubFactHooks from '../club/fact-hooks.js';
import { balanceOf, levelFor, multiplied, qualifyingPointsAt } from '../club/ledger.js';
import { cancelVoucher, redeemReward } from '../rewards/redemption-service.js';
import { createReward, type CreateRewardInput } from '../rewards/catalogue-service.js';
import { REWARD_NODE } from '../rewards/reward-records.js';
import { CLUB_LEVELS, levelRule, type ClubLevel } from '../club/rules.js';
import { joinClub, reversePoints } from '../club/membership-service.js';
import { createFactHooks, type Repositories } from '../composition.js';
import { CUSTOMER_NODE, type CustomerRecord } from '../customer/customer.js';
import { DEALER_NODE, type DealerRecord } from '../dealer/dealer.js';
import { checkInAttendee } from '../events/check-in-service.js';
import { CLUB_EVENT_NODE } from '../events/event-records.js';
import { createClubEvent, type CreateEventInput } from '../events/event-service.js';
import { cancelEventRegistration, registerForEvent } from '../events/registration-service.js';
import { createContext } from '../graphql/context.js';
import { serviceVisitEntity, type ServiceVisitRecord } from '../service/service-visit.js';
import { InvariantError } from '../shared/errors.js';
import { toGlobalId } from '../shared/ids.js';
import { inPool } from '../shared/in-pool.js';
import { createLogger } from '../shared/logger.js';
import type { ServiceContext } from '../shared/service-context.js';
import type { UserError } from '../shared/user-error.js';
import { writeContributions, type Contribution, type HookContext } from '../store/fact-hooks.js';
import type { Store } from '../store/store.js';
import type { Item } from '../store/table.js';
import { financeContractEntity, orderEntity } from '../value/fact-repository.js';
import { recordOrder } from '../value/value-service.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';

/**
 * The demo brand's owners' club, written through the club's, the rewards' and the events'
 * own services and repositories (an admin acting, with the clock set to when each thing
 * happened), so that what `npm start` shows is what the API would have written:
 *
 * - members (about a fifth of the customers, and the demo customer), who joined when their
 *   profile was created and earned points on what they did since — cars bought, service
 *   visits, orders, finance contracts — through the club's own fact hooks, in order;
 * - lots earned 24 months before now's month, which expire at its end (within 30 days),
 *   and older ones the club job has expired (a real run at `now`: EXPIRY entries,
 *   `PointsExpiring` warnings, level reviews);
 * - every status level: where the history does not reach a level, its showcase member buys
 *   lifestyle goods (real orders, through `recordOrder`) until it does;
 * - a rewards catalogue (merchandise, maintenance discounts, an experience), vouchers
 *   issued (the demo customer's service voucher is usable at their next visit), one
 *   cancelled (its points back to their lots), and one member in debt after a refunded order;
 * - past events with check-ins and no-shows, upcoming ones, one of them full with a
 *   waitlist and a seat held for the first in line;
 * - the day's club KPI roll-up, so `clubKpis` answers at once.
 */

/** The customer `npm start` prints a token for: the first listed (by name) with two cars or more. */
export function demoCustomerOf(customersInListOrder: readonly CustomerRecord[]): CustomerRecord {
  const demo = customersInListOrder.find((c) => c.vehicleVins.length > 1) ?? customersInListOrder[0];
  if (!demo) throw new InvariantError('The demo brand has no customers');
  return demo;
}

export interface ClubSeedResult {
  members: number;
  byLevel: Record<ClubLevel, number>;
  demoCustomerId: string;
  demoVoucherCode: string;
  rewards: number;
  vouchers: number;
  events: { past: number; upcoming: number };
  /** The member in debt after a refunded order, if the brand had one to show. */
  inDebt?: string;
}

const DAY = 86_400_000;
const SEED_ADMIN: Principal = { kind: 'admin', subject: 'seed' };

/** Lifestyle goods a showcase member buys to reach their level (real orders), dearest first. */
const SHOWCASE_GOODS = [
  { sku: 'PD-CHRONO-911', description: 'Porsche Design Chronograph 1 – 911 Edition', eur: 9_800 },
  { sku: 'PD-LUGGAGE-SET', description: 'Porsche Design Roadster luggage set', eur: 4_200 },
  { sku: 'WEEKENDER-911', description: 'Weekender bag 911, leather', eur: 1_350 },
  { sku: 'TRACK-JACKET', description: 'Motorsport softshell jacket', eur: 290 },
  { sku: 'MODEL-918', description: '918 Spyder model car 1:18', eur: 165 },
  { sku: 'CAP-MOTORSPORT', description: 'Motorsport cap', eur: 45 },
];

const REWARDS: (CreateRewardInput & { key: string })[] = [
  { key: 'cap', code: 'MS-CAP-26', name: 'Motorsport cap', description: 'The team cap of the 2026 season, one size.', category: 'LIFESTYLE', pointsPrice: 4_500, stock: 200, voucherTerms: { kind: 'MERCHANDISE', validDays: 365 } },
  { key: 'bag', code: 'WEEKENDER-911', name: 'Weekender bag 911', description: 'Leather weekender that fits the 911’s front luggage compartment.', category: 'LIFESTYLE', pointsPrice: 39_000, stock: 20, voucherTerms: { kind: 'MERCHANDISE', validDays: 365 } },
  { key: 'service100', code: 'SERVICE-100', name: 'Service voucher EUR 100', description: 'EUR 100 off the invoice of your next service at any Porsche Zentrum.', category: 'MAINTENANCE', pointsPrice: 10_000, voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 365, fixedAmount: { amount: '100.00', currency: 'EUR' } } },
  { key: 'service15', code: 'SERVICE-15PCT', name: '15 % off your next service', description: '15 % off a service invoice, up to EUR 250. Silver members and above.', category: 'MAINTENANCE', pointsPrice: 20_000, minLevel: 'SILVER', voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 365, percentOff: 15, percentCap: { amount: '250.00', currency: 'EUR' } } },
  { key: 'track', code: 'PEC-HOCKENHEIM-90', name: 'Hockenheimring: 90 minutes with an instructor', description: 'A driving session at the Porsche Experience Centre Hockenheimring. Gold members and above.', category: 'EXPERIENCE', pointsPrice: 60_000, stock: 8, minLevel: 'GOLD', voucherTerms: { kind: 'EXPERIENCE', validDays: 365 } },
];

/** What the seed asserts of every service call: the demo brand must come out exactly as described, or not at all. */
function ok<T extends { userErrors: UserError[] }>(what: string, result: T): T {
  if (result.userErrors.length) throw new InvariantError(`Seeding the club: ${what} failed: ${JSON.stringify(result.userErrors)}`);
  return result;
}

export async function seedClub(
  store: Store,
  repos: Repositories,
  input: { customers: CustomerRecord[]; vehicles: VehicleRecord[]; dealers: DealerRecord[]; items: readonly Item[]; now: Date; rand: Prng },
): Promise<ClubSeedResult> {
  const { now, rand } = input;
  const nowIso = now.toISOString();
  const logger = createLogger({ service: 'paddock-seed' }, { level: 'error' });
  // Hooks see the seed's `now` as the time facts are written (a seed for another day, a test's fixed clock).
  const facts = createFactHooks(store, undefined, () => now);
  /** An admin's request at `at` (the services take their time from the clock). */
  const ctxAt = (at: Date | string | number): ServiceContext => createContext({ principal: SEED_ADMIN, repos, facts, clock: () => new Date(at), logger, requestId: 'seed' });
  const ctx = ctxAt(now);
  const customerGid = (id: string) => toGlobalId(CUSTOMER_NODE, id);
  const ago = (days: number, hour = 10) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days, hour)).toISOString();
  const ahead = (days: number, hour = 8) => ago(-days, hour);

  // --- Members: the demo customer and about a fifth of the others, joined when their profile was created.
  const demo = demoCustomerOf((await repos.customers.list(100, null, {})).items);
  const members = input.customers.filter((c) => c.id === demo.id || rand.chance(0.22));
  const joinedAt = new Map(members.map((c) => [c.id, new Date(Date.parse(c.createdAt) + DAY).toISOString()]));
  await inPool(members, 16, async (c) => {
    ok(`joining ${c.id}`, await joinClub(ctxAt(joinedAt.get(c.id)!), { customerId: customerGid(c.id), consent: { source: rand.pick(['APP', 'DEALER', 'WEB']), at: joinedAt.get(c.id)! } }));
  });

  // --- Their history since joining, through the club's own fact hooks, oldest first (levels follow as they would have).
  const visits = input.items.filter(serviceVisitEntity.is).map((i) => serviceVisitEntity.fromItem(i));
  const orders = input.items.filter(orderEntity.is).map((i) => orderEntity.fromItem(i));
  const contracts = input.items.filter(financeContractEntity.is).map((i) => financeContractEntity.fromItem(i));
  /** A document that earns, and its club hook as if it were recorded on its own date. */
  type Earning = { at: string; hook: (context: HookContext) => Contribution[] | Promise<Contribution[]> };
  const earnings = new Map<string, Earning[]>(members.map((c) => [c.id, []]));
  const since = (customerId: string, at: string) => earnings.has(customerId) && at >= joinedAt.get(customerId)! && at <= nowIso;
  const add = (customerId: string, e: Earning) => since(customerId, e.at) && earnings.get(customerId)!.push(e);
  for (const visit of visits) add(visit.customerId, { at: visit.performedAt, hook: (c) => clubFactHooks.ServiceVisitRecorded!({ visit: visit as ServiceVisitRecord }, store, c) });
  for (const order of orders) add(order.customerId, { at: order.orderedAt, hook: (c) => clubFactHooks.OrderRecorded!({ order }, store, c) });
  for (const contract of contracts) add(contract.customerId, { at: `${contract.startDate}T00:00:00.000Z`, hook: (c) => clubFactHooks.FinanceContractRecorded!({ contract }, store, c) });
  for (const vehicle of input.vehicles) {
    const buyer = vehicle.ownerHistory[0]!.customerId;
    add(buyer, { at: `${vehicle.purchaseDate}T00:00:00.000Z`, hook: (c) => clubFactHooks.VehicleRegistered!({ vehicle: { ...vehicle, ownerId: buyer } }, store, c) });
  }
  await inPool([...earnings.values()], 16, async (list) => {
    for (const e of list.sort((a, b) => a.at.localeCompare(b.at))) {
      const items = await e.hook({ now: new Date(e.at) });
      if (items.length && !(await writeContributions(store, items)).ok) throw new InvariantError('Seeding the club: an accrual was refused');
    }
  });

  /** A lifestyle order through the value service (its club hook earns the points), of about `eur`, on `at`. */
  const buy = async (customerId: string, eur: number, at: string) => {
    const good = SHOWCASE_GOODS.find((g) => g.eur <= eur) ?? SHOWCASE_GOODS.at(-1)!;
    const quantity = Math.max(1, Math.min(10, Math.ceil(eur / good.eur)));
    ok('a lifestyle order', await recordOrder(ctx, { customerId: customerGid(customerId), channel: 'ONLINE', orderedAt: at, lines: [{ sku: good.sku, description: good.description, quantity, unitPrice: { amount: good.eur.toFixed(2), currency: 'EUR' } }] }));
    return good.eur * quantity;
  };

  // --- Lots about to expire: three long-standing members bought something 24 months before this month (it expires at its end).
  const expiringMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 24, 10, 11)).toISOString();
  const longStanding = members.filter((c) => c.id !== demo.id && joinedAt.get(c.id)! < expiringMonth).slice(0, 3);
  for (const [i, c] of longStanding.entries()) await buy(c.id, [165, 290, 1_350][i]!, expiringMonth);

  // --- The club job at `now`: what expired is expired (EXPIRY entries), what expires within 30 days is announced, levels reviewed.
  await runClubJob({ clubSchedule: repos.clubSchedule, logger }, { now });

  // --- Every level: where the history falls short, a showcase member buys lifestyle goods until they reach it.
  const membership = async (id: string) => (await repos.ledger.getMembership(id))!;
  // The level the qualifying points give now (a document dated earlier judged it as of its own date; the last club job run below catches up).
  const levelNow = async (id: string) => levelFor((await membership(id)).qualifying, nowIso);
  const levelIndex = (l: ClubLevel) => CLUB_LEVELS.indexOf(l);
  const ranked = (await Promise.all(members.map(async (c) => ({ id: c.id, points: qualifyingPointsAt((await membership(c.id)).qualifying, nowIso) })))).sort((a, b) => b.points - a.points || a.id.localeCompare(b.id));
  /** Per level, the member who shows it: one who holds it already, else one brought up to it (the demo customer shows Gold). */
  const showcase: Partial<Record<ClubLevel, string>> = {};
  for (const target of ['PLATINUM', 'GOLD', 'SILVER'] as const) {
    const levels = new Map(await Promise.all(members.map(async (c) => [c.id, await levelNow(c.id)] as const)));
    const used = (id: string) => id === demo.id || Object.values(showcase).includes(id) || longStanding.some((c) => c.id === id);
    const demoShowsIt = target === 'GOLD' && levelIndex(levels.get(demo.id)!) <= levelIndex('GOLD');
    const holder = demoShowsIt ? demo : members.find((c) => levels.get(c.id) === target && !used(c.id));
    const id = holder?.id ?? ranked.find((r) => !used(r.id) && levelIndex(levels.get(r.id)!) < levelIndex(target))?.id;
    if (!id) continue;
    showcase[target] = id;
    for (let n = 0; n < 12 && levelIndex(await levelNow(id)) < levelIndex(target); n++) {
      const m = await membership(id);
      const missing = levelRule(target).qualifyingPoints - qualifyingPointsAt(m.qualifying, nowIso);
      // Dated three weeks back: past the 14-day return window, so the points are spendable too.
      await buy(id, Math.ceil(missing / multiplied(2, m.level)) + 1, ago(21 + n));
    }
  }

  /** Makes sure a member can spend `points` now (an order three weeks ago if not). */
  const ensureAvailable = async (id: string, points: number) => {
    const m = await membership(id);
    const { available } = balanceOf(m, await repos.ledger.liveLots(id, nowIso), nowIso);
    if (available < points) await buy(id, Math.ceil((points - available) / multiplied(2, m.level)) + 1, ago(22));
  };

  // --- The rewards catalogue, and vouchers.
  const rewards = new Map<string, string>();
  for (const { key, ...reward } of REWARDS) rewards.set(key, toGlobalId(REWARD_NODE, ok(`reward ${reward.code}`, await createReward(ctxAt(ago(200)), reward)).reward!.id));
  const redeem = async (id: string, reward: string) => {
    await ensureAvailable(id, REWARDS.find((r) => r.key === reward)!.pointsPrice);
    return ok(`redeeming ${reward}`, await redeemReward(ctx, { customerId: customerGid(id), rewardId: rewards.get(reward)! })).vouchers;
  };
  let vouchers = 0;
  // The demo customer: a EUR 100 service voucher for their next visit, and a cap.
  const [demoVoucher] = await redeem(demo.id, 'service100');
  await redeem(demo.id, 'cap');
  vouchers += 2;
  // Not the showcase members, nor those whose lots are about to expire (a redemption would spend those first).
  const others = members.filter((c) => c.id !== demo.id && !Object.values(showcase).includes(c.id) && !longStanding.includes(c));
  for (const c of others.slice(0, 6)) (await redeem(c.id, 'cap'), vouchers++);
  for (const c of others.slice(6, 8)) (await redeem(c.id, 'service100'), vouchers++);
  if (showcase.SILVER) (await redeem(showcase.SILVER, 'service15'), vouchers++);
  if (showcase.PLATINUM) (await redeem(showcase.PLATINUM, 'track'), vouchers++);
  // One changed their mind: the cap voucher cancelled, its points back to the lots they came from.
  const [changedMind] = await redeem(others[8]!.id, 'cap');
  ok('cancelling a voucher', await cancelVoucher(ctx, { code: changedMind!.code }));

  // --- Events: two past ones (check-ins and no-shows), three upcoming (one full, with a waitlist and a held seat).
  const [stuttgart, munich] = input.dealers;
  const event = async (input: CreateEventInput, createdDaysBeforeStart = 60) => {
    const created = ok(`event ${input.title}`, await createClubEvent(ctxAt(Date.parse(input.startsAt) - createdDaysBeforeStart * DAY), input)).clubEvent!;
    return { ...created, gid: toGlobalId(CLUB_EVENT_NODE, created.id) };
  };
  const register = async (e: { gid: string; startsAt: string }, ids: readonly string[], { daysBefore = 30, companions = (_: number): number => 0 }: { daysBefore?: number; companions?: (i: number) => number } = {}) => {
    for (const [i, id] of ids.entries()) ok('registering for an event', await registerForEvent(ctxAt(Date.parse(e.startsAt) - (daysBefore - i * 0.1) * DAY), { eventId: e.gid, customerId: customerGid(id), companions: companions(i) }));
  };
  const checkIn = async (e: { gid: string; startsAt: string }, ids: readonly string[]) => {
    for (const id of ids) ok('checking in', await checkInAttendee(ctxAt(Date.parse(e.startsAt) + 30 * 60_000), { eventId: e.gid, customerId: customerGid(id) }));
  };
  const hockenheim = { name: 'Porsche Experience Centre Hockenheimring', city: 'Hockenheim', country: 'DE' };
  // Guests of past events were members by then (joined over 200 days ago); later ones anyone.
  const guests = [...others, ...members.filter((c) => !others.includes(c) && c.id !== demo.id)].filter((c) => joinedAt.get(c.id)! < ago(200)).map((c) => c.id);
  const newcomers = members.filter((c) => c.id !== demo.id && !guests.includes(c.id)).map((c) => c.id);
  const upcomingGuests = [...newcomers, ...guests.slice(17)];

  const trackDay = await event({ kind: 'TRACK_DAY', title: 'GT Track Day Hockenheimring', description: 'A day on the Grand Prix circuit with instructors, hosted by Porsche Zentrum Stuttgart.', hostDealerId: stuttgart ? toGlobalId(DEALER_NODE, stuttgart.id) : null, location: hockenheim, startsAt: ago(45, 7), endsAt: ago(45, 16), capacity: 12, companionsAllowed: 1, pointsOnCheckIn: 1_500, priceMoney: { amount: '690.00', currency: 'EUR' } });
  const trackAttendees = [demo.id, ...guests.slice(0, 9)];
  await register(trackDay, trackAttendees, { companions: (i) => (i === 1 || i === 4 ? 1 : 0) });
  await checkIn(trackDay, trackAttendees.filter((_, i) => i !== 3 && i !== 7)); // two no-shows

  const dolomites = await event({ kind: 'DRIVING_EXPERIENCE', title: 'Dolomites Pass Tour', description: 'Two days over the passes of South Tyrol, hotel and guides included.', location: { name: 'Hotel Cristallo', city: 'Cortina d’Ampezzo', country: 'IT' }, startsAt: ago(120, 7), endsAt: ago(119, 16), capacity: 8, pointsOnCheckIn: 2_500, priceMoney: { amount: '3900.00', currency: 'EUR' } }, 90);
  const tourists = guests.slice(9, 17);
  await register(dolomites, tourists);
  await checkIn(dolomites, tourists.slice(1)); // one no-show

  const testDrive = await event({ kind: 'TEST_DRIVE_DAY', title: 'Taycan test-drive day', description: 'Drive the new Taycan on country roads around Munich; coffee and charging talk included.', hostDealerId: munich ? toGlobalId(DEALER_NODE, munich.id) : null, location: { name: munich?.name ?? 'Porsche Zentrum München', city: 'München', country: 'DE' }, startsAt: ahead(18), endsAt: ahead(18, 16), capacity: 30, pointsOnCheckIn: 300 }, 40);
  await register(testDrive, [demo.id, ...upcomingGuests.slice(0, 5)], { daysBefore: 10 });

  // Full, with a waitlist: six seats taken, three waiting; one cancels and the first in line holds the seat for 48 hours.
  const iceDriving = await event({ kind: 'DRIVING_EXPERIENCE', title: 'Ice driving Levi, Finland', description: 'Three days on a frozen lake in Lapland with Porsche instructors.', location: { name: 'Porsche Ice Experience', city: 'Levi', country: 'FI' }, startsAt: ahead(70), endsAt: ahead(72, 15), capacity: 6, pointsOnCheckIn: 3_000, priceMoney: { amount: '4900.00', currency: 'EUR' } }, 100);
  const iceField = upcomingGuests.slice(5, 14);
  for (const [i, id] of iceField.entries()) ok('registering for the ice driving', await registerForEvent(ctxAt(ago(20 - i)), { eventId: iceDriving.gid, customerId: customerGid(id) }));
  ok('cancelling a seat', await cancelEventRegistration(ctxAt(ago(1)), { eventId: iceDriving.gid, customerId: customerGid(iceField[2]!) }));

  // Paid in points, Gold and above.
  const leMans = await event({ kind: 'DRIVING_EXPERIENCE', title: 'Le Mans 24 Hours: hospitality weekend', description: 'The race from the Porsche hospitality suite, paddock tour included. Gold members and above.', location: { name: 'Circuit de la Sarthe', city: 'Le Mans', country: 'FR' }, startsAt: ahead(200), endsAt: ahead(201, 16), capacity: 4, pricePoints: 25_000, eligibility: { minimumLevel: 'GOLD' }, pointsOnCheckIn: 0 }, 120);
  if (showcase.PLATINUM) {
    await ensureAvailable(showcase.PLATINUM, 25_000);
    ok('registering for Le Mans', await registerForEvent(ctx, { eventId: leMans.gid, customerId: customerGid(showcase.PLATINUM) }));
  }

  // One member in debt: bought something, spent their points on caps, then returned the order (the refund reverses its
  // points: what the lots no longer hold is owed — below zero down to the level's overdraft cap, beyond it debt).
  const attended = new Set([...trackAttendees, ...tourists, ...iceField, ...upcomingGuests.slice(0, 5)]);
  const held = await Promise.all(others.filter((c) => !attended.has(c.id)).map(async (c) => ({ c, points: (await repos.ledger.liveLots(c.id, nowIso)).reduce((sum, l) => sum + l.remaining, 0) })));
  const broke = held.sort((a, b) => a.points - b.points)[0]?.c;
  if (broke) {
    const orderedAt = ago(25);
    await buy(broke.id, 2_300, orderedAt);
    const available = async () => balanceOf(await membership(broke.id), await repos.ledger.liveLots(broke.id, nowIso), nowIso).available;
    while ((await available()) >= 4_500) (ok('redeeming a cap', await redeemReward(ctx, { customerId: customerGid(broke.id), rewardId: rewards.get('cap')! })), vouchers++);
    const accrual = (await repos.ledger.allEntries(broke.id)).find((e) => e.kind === 'ACCRUAL' && e.at === orderedAt)!;
    ok('reversing a refunded order', await reversePoints(ctxAt(ago(5)), { customerId: customerGid(broke.id), sourceType: 'ORDER', sourceId: accrual.source!.id, reason: 'Order returned and refunded' }));
  }

  // The club job once more at `now`: levels judged as of earlier dates by late documents are reviewed as of today.
  await runClubJob({ clubSchedule: repos.clubSchedule, logger }, { now });
  // A level the review does not reach (the lowest has no review day) is set right by the member's next points: a cap bought this morning.
  for (const c of members) {
    const m = await membership(c.id);
    if (m.status === 'ACTIVE' && levelFor(m.qualifying, nowIso) !== m.level) await buy(c.id, 45, ago(0, Math.min(now.getUTCHours(), 1)));
  }

  // The day's KPI roll-up, as the club run writes it (made again by \`npm run job:club\` once \`npm run job:scores\` has written the value KPIs).
  await runClubKpiRollup({ clubKpis: repos.clubKpis, values: repos.values, logger }, { now });

  const final = await repos.ledger.getMemberships(members.map((c) => c.id));
  const byLevel = Object.fromEntries(CLUB_LEVELS.map((l) => [l, 0])) as Record<ClubLevel, number>;
  for (const m of final.values()) if (m.status === 'ACTIVE') byLevel[m.level]++;
  return { members: members.length, byLevel, demoCustomerId: demo.id, demoVoucherCode: demoVoucher!.code, rewards: REWARDS.length, vouchers, events: { past: 2, upcoming: 3 }, ...(broke ? { inDebt: broke.id } : {}) };
}
