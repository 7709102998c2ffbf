import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { emptyAggregates } from '../customer/profile-aggregates.js';
import { customerEntity, dealerLinkItem, emailClaimItem, emptyVehicleCounts, type ConsentChannel, type CustomerRecord } from '../customer/customer.js';
import { consentStatementEntity } from '../customer/consent.js';
import { dealerCodeClaimItem, dealerKeys, dealerEntity, type DealerRecord } from '../dealer/dealer.js';
import { batchPutItems } from '../store/batch.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import { odometerToItem, vehicleEntity, type Ownership, type VehicleRecord } from '../vehicle/vehicle.js';
import { vinCheckDigit } from '../vehicle/vin.js';
import { serviceVisitEntity } from '../service/service-visit.js';
import { withServicePlan } from '../service/vehicle-plan.js';
import { simulateServiceHistory } from './seed-service-history.js';
import { seedValueFacts } from './seed-value-facts.js';
import type { ServiceVisitRecord } from '../service/service-visit.js';
import { ulid } from 'ulid';
import { DEMO_DEALERS, DEMO_NAMES, DEMO_VARIANTS, MODEL_YEAR_CODE, type DemoVariant } from './demo-brand.js';
import { createRepositories } from '../composition.js';
import { seedClub, type ClubSeedResult } from './seed-club.js';
import { seedOffers, type OffersSeedResult } from './seed-offers.js';
import { prng, type Prng } from '../shared/prng.js';
import { runFleetRatesJob, type FleetRatesJobStats } from '../fleet-rates/fleet-rates-job.js';
import { createLogger } from '../shared/logger.js';


const DAY = 86_400_000;
const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface SeedOptions {
  customers?: number;
  vehicles?: number;
  now?: Date;
  seed?: number;
}

export interface SeedResult {
  dealers: DealerRecord[];
  customers: CustomerRecord[];
  vehicles: VehicleRecord[];
  items: number;
  /** The owners' club, written through its services after the brand (see `seed-club.ts`). */
  club: ClubSeedResult;
  /** Personalised offers: catalogue, two job runs and the facts that converted them (see `seed-offers.ts`). */
  offers: OffersSeedResult;
  /** The fleet's learned rates, from the seeded cars' own plans: tonight's run, run once at seeding. */
  fleetRates: FleetRatesJobStats;
}

function pickVariant(rand: Prng): DemoVariant {
  const total = DEMO_VARIANTS.reduce((sum, v) => sum + v.weight, 0);
  let roll = rand.next() * total;
  for (const v of DEMO_VARIANTS) {
    roll -= v.weight;
    if (roll < 0) return v;
  }
  return DEMO_VARIANTS[0]!;
}

/**
 * A European VIN (filler `Z` at position 9, no check digit) or, for one car in five, a
 * North-American one with its check digit: both kinds pass `validateVin`.
 */
function demoVin(variant: DemoVariant, modelYear: number, serial: number, northAmerican: boolean): string {
  const year = MODEL_YEAR_CODE[modelYear] ?? 'T';
  const body = `${variant.vinCode}Z${year}S${String(serial).padStart(6, '0')}`;
  if (!northAmerican) return `WP0ZZZ${body}`;
  const draft = `WP0AB2${variant.vinCode}0${year}S${String(serial).padStart(6, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

/** Monthly-ish readings from purchase to (nearly) now at the car's own pace, with some gaps. */
function odometerSeries(rand: Prng, purchasedAt: number, now: number): { km: number; readAt: string }[] {
  const kmPerYear = rand.pick([4_000, 7_000, 9_000, 12_000, 15_000, 18_000, 24_000, 32_000]);
  const readings: { km: number; readAt: string }[] = [{ km: rand.int(5, 60), readAt: new Date(purchasedAt + 9 * 3600_000).toISOString() }];
  let t = purchasedAt;
  let km = readings[0]!.km;
  for (;;) {
    const step = rand.int(60, 240) * DAY;
    if (t + step > now - 3 * DAY) break;
    km += Math.round((kmPerYear * step) / (365 * DAY) * (0.7 + rand.next() * 0.6));
    t += step;
    readings.push({ km, readAt: new Date(t + rand.int(8, 17) * 3600_000).toISOString() });
  }
  return readings;
}

/**
 * Builds the demo brand in memory: dealers, customers (linked to 1–2 dealers, with
 * consents), vehicles over every model line with odometer history, service visits
 * replayed through the real planner and, for some, a previous owner. All invariants the repositories keep (VIN sets, counts, links,
 * email claims) hold, because the items come from the same entity functions.
 */
export function buildDemoBrand({ customers: customerCount = 200, vehicles: vehicleCount = 300, now = new Date(), seed = 911 }: SeedOptions = {}): { result: Omit<SeedResult, 'items' | 'club' | 'offers' | 'fleetRates'>; items: Item[] } {
  const rand = prng(seed);
  const nowMs = now.getTime();
  const stamp = (t: number) => new Date(t).toISOString();
  const createdAt = stamp(nowMs - 3 * 365 * DAY);

  const dealers: DealerRecord[] = DEMO_DEALERS.map((d, i) => ({
    id: ulid(nowMs - 4 * 365 * DAY + i, () => rand.next()),
    code: d.code,
    name: d.name,
    city: d.city,
    country: d.country,
    createdAt,
  }));

  const customers: CustomerRecord[] = [];
  const usedEmails = new Set<string>();
  for (let i = 0; i < customerCount; i++) {
    const home = rand.int(0, dealers.length - 1);
    const market = DEMO_DEALERS[home]!;
    const names = DEMO_NAMES[market.country]!;
    const firstName = rand.pick(names.first);
    const lastName = rand.pick(names.last);
    const plain = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    let email = `${plain(firstName)}.${plain(lastName)}@example.com`;
    for (let n = 2; usedEmails.has(email); n++) email = `${plain(firstName)}.${plain(lastName)}${n}@example.com`;
    usedEmails.add(email);
    const joined = nowMs - rand.int(30, 3 * 365) * DAY;
    const consents: CustomerRecord['consents'] = {};
    // One customer in ten has opted out of everything: their reminders are not deliverable.
    const optedOut = rand.chance(0.1);
    for (const channel of ['EMAIL', 'SMS', 'PUSH', 'POST', 'PHONE'] as ConsentChannel[]) {
      if (rand.chance(0.7)) consents[channel] = { channel, granted: !optedOut && rand.chance(0.75), source: rand.pick(['owners-app', 'crm-console', `dealer:${market.code}`]), recordedAt: stamp(joined + rand.int(0, 20) * DAY) };
    }
    const dealerIds = [dealers[home]!.id];
    if (rand.chance(0.25)) dealerIds.push(dealers[(home + rand.int(1, dealers.length - 1)) % dealers.length]!.id);
    customers.push({
      id: ulid(joined, () => rand.next()),
      firstName,
      lastName,
      email,
      phone: `${market.phone}${rand.int(1_000_000, 9_999_999)}`,
      birthDate: isoDate(Date.UTC(rand.int(1952, 2002), rand.int(0, 11), rand.int(1, 28))),
      preferredLanguage: market.lang,
      address: { city: market.city, country: market.country, postalCode: String(rand.int(10_000, 89_999)) },
      consents,
      vehicleCounts: emptyVehicleCounts(),
      vehicleVins: [],
      aggregates: emptyAggregates(),
      dealerIds: [...new Set(dealerIds)].sort(),
      version: 1,
      createdAt: stamp(joined),
      updatedAt: stamp(joined),
    });
  }

  const items: Item[] = [];
  const vehicles: VehicleRecord[] = [];
  const allVisits: ServiceVisitRecord[] = [];
  for (let i = 0; i < vehicleCount; i++) {
    // Every customer gets a car first, then the rest go to collectors.
    const owner = customers[i < customers.length ? i : rand.int(0, customers.length - 1)]!;
    const variant = pickVariant(rand);
    const purchasedAt = nowMs - rand.int(20, 9 * 365) * DAY;
    const purchaseYear = new Date(purchasedAt).getUTCFullYear();
    const modelYear = Math.min(purchaseYear + (rand.chance(0.3) ? 1 : 0), 2027);
    const vin = demoVin(variant, modelYear, 100_000 + i, rand.chance(0.2));
    const dealerId = rand.pick(owner.dealerIds);
    const readings = odometerSeries(rand, purchasedAt, nowMs);
    const ownerHistory: Ownership[] = [];
    let ownerSince = isoDate(purchasedAt);
    // One car in seven changed hands: the first owner is another demo customer.
    if (rand.chance(1 / 7) && readings.length > 3) {
      const previous = customers[rand.int(0, customers.length - 1)]!;
      if (previous.id !== owner.id) {
        const handover = readings[Math.floor(readings.length / 2)]!.readAt.slice(0, 10);
        ownerHistory.push({ customerId: previous.id, from: ownerSince, to: handover });
        ownerSince = handover;
      }
    }
    ownerHistory.push({ customerId: owner.id, from: ownerSince });
    const latest = readings.at(-1)!;
    const base: VehicleRecord = {
      vin,
      modelLine: variant.modelLine,
      variant: variant.variant,
      powertrain: variant.powertrain,
      modelYear,
      purchaseDate: isoDate(purchasedAt),
      purchasePrice: { amountMinor: Math.round(variant.priceEur * (1 + rand.next() * 0.25)) * 100, currency: 'EUR' },
      sellingDealerId: dealerId,
      servicingDealerId: rand.chance(0.85) ? dealerId : rand.pick(owner.dealerIds),
      ownerId: owner.id,
      ownerSince,
      ownerHistory,
      registrationOdometerKm: readings[0]!.km,
      odometerKm: latest.km,
      odometerReadAt: latest.readAt,
      lastServiced: {},
      reminderCycle: 1,
      remindedCycle: 0,
      version: 1,
      registeredAt: stamp(purchasedAt + DAY),
    };
    const history = simulateServiceHistory(rand, base, readings, isoDate(nowMs), (at) => ulid(at, () => rand.next()));
    const vehicle = withServicePlan({ ...base, lastServiced: history.lastServiced }, readings, { fleet: null });
    vehicles.push(vehicle);
    for (const visit of history.visits) items.push(serviceVisitEntity.toItem(visit));
    allVisits.push(...history.visits);
    owner.vehicleVins.push(vin);
    owner.vehicleCounts[variant.modelLine] += 1;
    items.push(vehicleEntity.toItem(vehicle));
    readings.forEach((r, n) => items.push(odometerToItem({ vin, km: r.km, readAt: r.readAt, source: n === 0 ? 'registration' : 'dealer', recordedAt: r.readAt }, ulid(Date.parse(r.readAt), () => rand.next()))));
  }

  // Value facts last: they append to the customers' aggregates before the profiles are written.
  items.push(...seedValueFacts(rand, customers, vehicles, allVisits, now, (at) => ulid(at, () => rand.next())));

  for (const d of dealers) {
    items.push(dealerEntity.toItem(d), dealerCodeClaimItem(d.code, d.id));
  }
  for (const c of customers) {
    c.vehicleVins.sort();
    items.push(customerEntity.toItem(c), emailClaimItem(c.email, c.id));
    for (const dealerId of c.dealerIds) items.push(dealerLinkItem(c.id, dealerId, c.createdAt));
    // Each current consent is also a statement in the history, so `consentsAt` answers for the demo brand.
    for (const consent of Object.values(c.consents)) {
      items.push(consentStatementEntity.toItem({ ...consent, id: ulid(Date.parse(consent.recordedAt), () => rand.next()), customerId: c.id, receivedAt: consent.recordedAt, author: { kind: 'admin', id: 'seed' } }));
    }
  }
  return { result: { dealers, customers, vehicles }, items };
}

/** Whether the table already holds a brand (any dealer): seeding happens only on an empty table. */
export async function hasDealers(store: Store): Promise<boolean> {
  const { Items = [] } = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: INDEXES.byCollection.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byCollection.partitionKey },
      ExpressionAttributeValues: { ':pk': dealerKeys.collection },
      Limit: 1,
    }),
  );
  return Items.length > 0;
}

/**
 * The demo brand: its customers, cars and history written in batches (they were built in
 * memory with every invariant), then its owners' club through the club's, rewards' and
 * events' own services on top of them, and its personalised offers through the offers'
 * repository, job and the fact services.
 */
export async function seedDemoBrand(store: Store, options: SeedOptions = {}): Promise<SeedResult> {
  const { result, items } = buildDemoBrand(options);
  await batchPutItems(store.doc, store.tableName, items);
  const repos = createRepositories(store);
  const now = options.now ?? new Date();
  // Offers before the club: their facts (orders, contracts, cars) are history the club's seed then finds, so its own figures stay its own.
  const offers = await seedOffers(store, repos, { customers: result.customers, now, rand: prng((options.seed ?? 911) + 2) });
  const club = await seedClub(store, repos, { ...result, items, now, rand: prng((options.seed ?? 911) + 1) });
  // The cohorts new registrations lean on: learned from the seeded cars, as the nightly run would.
  const quiet = createLogger({}, { level: 'error', write: () => true });
  const fleetRates = await runFleetRatesJob({ fleetRates: repos.fleetRates, fleetReader: repos.fleetReader, logger: quiet }, { now });
  return { ...result, items: items.length, club, offers, fleetRates };
}
