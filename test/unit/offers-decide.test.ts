import { describe, expect, it } from 'vitest';
import type { CustomerRecord } from '../../src/customer/customer.js';
import { addDays } from '../../src/service/calendar.js';
import type { OfferDefinition } from '../../src/offers/catalogue.js';
import { bookEntryOf, planDecisions, type DecisionPlan } from '../../src/offers/decide.js';
import type { OfferBookRecord, OfferDecisionRecord } from '../../src/offers/offer-records.js';
import { OFFER_RULES, type OfferRules } from '../../src/offers/offer-rules.js';
import { cayenneOwner, CUSTOMER_ID, DEALER_A, NOW, offer, rulesWith, storedCatalogue } from './offers-fixtures.js';

/** No control group: every decision is a treatment one (the holdout has its own tests). */
const TREATED = rulesWith({ defaultHoldoutPct: 0 });

/** An in-memory book and decision store that applies plans as the repository does. */
class Simulation {
  book: OfferBookRecord | null = null;
  readonly decisions = new Map<string, OfferDecisionRecord>();
  private seq = 0;
  constructor(
    public customer: CustomerRecord,
    public catalogue: OfferDefinition[],
    private readonly rules: OfferRules = TREATED,
    public clubMember = false,
  ) {}

  plan(now: Date): DecisionPlan {
    return planDecisions({ customer: this.customer, clubMember: this.clubMember, book: this.book, catalogue: this.catalogue, now, rules: this.rules, newId: () => `DEC${String(++this.seq).padStart(4, '0')}` });
  }

  apply(plan: DecisionPlan, now: Date): void {
    const entries = { ...(this.book?.entries ?? {}) };
    for (const d of plan.decide) {
      this.decisions.set(d.id, d);
      entries[d.id] = bookEntryOf(d);
    }
    for (const c of plan.close) {
      entries[c.decisionId] = { ...entries[c.decisionId]!, status: c.status };
      this.decisions.set(c.decisionId, { ...this.decisions.get(c.decisionId)!, status: c.status, statusAt: now.toISOString() });
    }
    for (const id of plan.prune) delete entries[id];
    this.book = { customerId: CUSTOMER_ID, entries, decidedOn: now.toISOString().slice(0, 10), version: (this.book?.version ?? 0) + 1 };
  }

  /** One night's run: plan and apply. */
  night(now: Date): DecisionPlan {
    const plan = this.plan(now);
    if (!plan.unchanged) this.apply(plan, now);
    return plan;
  }

  /** A response from the customer, as `respond` records it in the book. */
  respond(decisionId: string, status: 'ACCEPTED' | 'DECLINED', at: string): void {
    const entry = this.book!.entries[decisionId]!;
    this.book!.entries[decisionId] = { ...entry, status, ...(status === 'DECLINED' ? { declinedAt: at } : {}) };
  }

  daysDecided(code?: string): string[] {
    return [...this.decisions.values()].filter((d) => !code || d.offerCode === code).map((d) => d.decidedOn);
  }
}

/** The upgrade without its interest rule: the customer's interests would age out of it over simulated months. */
const upgrade = (overrides: Partial<OfferDefinition>) => offer('CAYENNE_TURBO_UPGRADE', { eligibility: { ownsModelLines: ['CAYENNE'] }, ...overrides });

/** The night run of day `n` after 2026-03-01, at 04:00 UTC. */
const night = (n: number) => new Date(`${addDays('2026-03-01', n)}T04:00:00.000Z`);

/** Every window of `days` calendar days holds at most `max` of these decision days. */
function assertCap(days: string[], max: number, periodDays: number) {
  for (const day of days) {
    const inWindow = days.filter((d) => d >= day && d < addDays(day, periodDays));
    expect(inWindow.length, `decisions in the ${periodDays} days from ${day}`).toBeLessThanOrEqual(max);
  }
}

describe('Nightly decisions: planDecisions', () => {
  it('decides the best eligible offers up to the open-offer limit, with reasons, rank, windows and the dealer', () => {
    // Prepare
    const sim = new Simulation(cayenneOwner(), storedCatalogue());
    // Act
    const plan = sim.plan(NOW);
    // Assess: five eligible, ranked; three slots.
    expect(plan.close).toEqual([]);
    expect(plan.prune).toEqual([]);
    expect(plan.unchanged).toBe(false);
    expect(plan.decide.map((d) => [d.offerCode, d.rank, d.propensity, d.expectedValueEurMinor])).toEqual([
      ['CAYENNE_TURBO_UPGRADE', 1, 0.31, 775_000],
      ['SERVICE_PACKAGE_3Y', 2, 0.8, 144_000],
      ['TAYCAN_TEST_DRIVE', 3, 0.36, 144_000],
    ]);
    const upgrade = plan.decide[0]!;
    expect(upgrade).toMatchObject({
      id: 'DEC0001',
      customerId: CUSTOMER_ID,
      offerVersion: 1,
      kind: 'UPGRADE',
      family: 'UPGRADE',
      channel: 'EMAIL',
      valueEur: 25_000,
      rulesVersion: OFFER_RULES.version,
      modelVersion: 'value-2026.1',
      decidedAt: '2026-03-01T04:00:00.000Z',
      decidedOn: '2026-03-01',
      holdout: false,
      status: 'DECIDED',
      statusAt: '2026-03-01T04:00:00.000Z',
      responses: [],
      validUntil: '2026-03-31T04:00:00.000Z',
      attributionUntil: '2026-08-28T04:00:00.000Z',
      dealerId: DEALER_A,
      followUp: true,
    });
    expect(upgrade.reasons).toEqual([
      { factor: 'consent', detail: 'EMAIL consent granted on 2025-06-01 (owners-app)' },
      { factor: 'ownsModelLines', detail: 'owns 1 CAYENNE (one of CAYENNE needed)' },
      { factor: 'interests', detail: '2 interactions with CAYENNE "turbo" interests seen within 180 days, the latest on 2026-02-20 (at least 2 needed)' },
      { factor: 'cap', detail: 'decision 1 of at most 1 in 180 days' },
      { factor: 'rank', detail: 'rank 1 of 5: propensity 0.31 = upgrade propensity 0.26 × (1 + affinity 0.2), × EUR 25,000 = EUR 7,750' },
    ]);
    expect(plan.decide[1]!.followUp).toBe(false); // the service package asks no dealer to follow up
    expect(bookEntryOf(upgrade)).toEqual({
      offerCode: 'CAYENNE_TURBO_UPGRADE', kind: 'UPGRADE', decidedAt: '2026-03-01T04:00:00.000Z', status: 'DECIDED', holdout: false, rank: 1,
      validUntil: '2026-03-31T04:00:00.000Z', attributionUntil: '2026-08-28T04:00:00.000Z', conversionRule: upgrade.conversionRule, valueEur: 25_000, dealerId: DEALER_A,
    });
  });

  it('changes nothing when run again the same night, and fills a slot freed by a final response the next', () => {
    const sim = new Simulation(cayenneOwner(), storedCatalogue());
    sim.night(NOW);
    expect(sim.plan(NOW)).toEqual({ decide: [], close: [], prune: [], unchanged: true });
    expect(sim.plan(night(1)).unchanged).toBe(true); // three open, no free slot
    const taycan = [...sim.decisions.values()].find((d) => d.offerCode === 'TAYCAN_TEST_DRIVE')!;
    sim.respond(taycan.id, 'DECLINED', '2026-03-01T18:00:00.000Z');
    const plan = sim.plan(night(1));
    // The declined test drive cools down: the budget finance offer moves up to rank 3 of 4.
    expect(plan.decide.map((d) => [d.offerCode, d.rank])).toEqual([['FINANCE_NEW_BUDGET', 3]]);
    expect(plan.decide[0]!.reasons.at(-1)!.detail).toBe('rank 3 of 4: propensity 0.26 = upgrade propensity 0.26 × (1 + affinity 0), × EUR 4,500 = EUR 1,170');
  });

  it('keeps the frequency cap night after night over eight months: at most max decisions in any periodDays', () => {
    // Prepare: one offer, 2 per 90 days, no cool-down; the customer never answers, so each decision expires after 30 days.
    const cap = { max: 2, periodDays: 90 };
    const sim = new Simulation(cayenneOwner(), [upgrade({ frequencyCap: cap, cooldownDaysAfterDecline: 0 })]);
    const expired: string[] = [];
    // Act
    for (let n = 0; n < 240; n++) {
      const plan = sim.night(night(n));
      expired.push(...plan.close.map((c) => `${c.status} ${sim.decisions.get(c.decisionId)!.decidedOn} on ${addDays('2026-03-01', n)}`));
      expect(Object.values(sim.book?.entries ?? {}).filter((e) => e.status === 'DECIDED').length).toBeLessThanOrEqual(1);
    }
    // Assess: decided; expired the night after its 30 days (31 March 04:00 is still open); decided again at once
    // while the cap allows; then waits until the oldest decision leaves the 90 days (1 March counts up to 29 May).
    expect(sim.daysDecided()).toEqual(['2026-03-01', '2026-04-01', '2026-05-30', '2026-06-30', '2026-08-28', '2026-09-28']);
    expect(expired.slice(0, 3)).toEqual(['EXPIRED 2026-03-01 on 2026-04-01', 'EXPIRED 2026-04-01 on 2026-05-02', 'EXPIRED 2026-05-30 on 2026-06-30']);
    assertCap(sim.daysDecided(), cap.max, cap.periodDays);
    expect([...sim.decisions.values()].map((d) => d.reasons.find((r) => r.factor === 'cap')!.detail)).toEqual([
      'decision 1 of at most 2 in 90 days',
      'decision 2 of at most 2 in 90 days',
      'decision 2 of at most 2 in 90 days',
      'decision 2 of at most 2 in 90 days',
      'decision 2 of at most 2 in 90 days',
      'decision 2 of at most 2 in 90 days',
    ]);
  });

  it('respects the cool-down after each decline over eight months, counted from the day of the decline', () => {
    // Prepare: a generous cap; the customer declines every decision five days later, at noon.
    const sim = new Simulation(cayenneOwner(), [upgrade({ frequencyCap: { max: 100, periodDays: 365 }, cooldownDaysAfterDecline: 60 })]);
    // Act
    for (let n = 0; n < 240; n++) {
      sim.night(night(n));
      for (const d of sim.decisions.values()) {
        if (d.decidedOn === addDays('2026-03-01', n - 5) && sim.book!.entries[d.id]!.status === 'DECIDED') sim.respond(d.id, 'DECLINED', `${addDays('2026-03-01', n)}T12:00:00.000Z`);
      }
    }
    // Assess: declined on 6 March, 60 days from that day included: decidable again on 5 May (day 65).
    expect(sim.daysDecided()).toEqual(['2026-03-01', '2026-05-05', '2026-07-09', '2026-09-12']);
    expect(Object.values(sim.book!.entries).map((e) => e.status)).toEqual(['DECLINED', 'DECLINED', 'DECLINED', 'DECLINED']);
  });

  it('withdraws every open decision at the next run after consent is withdrawn, and decides nothing on that channel', () => {
    // Prepare
    const sim = new Simulation(cayenneOwner(), storedCatalogue());
    sim.night(NOW);
    sim.customer = { ...sim.customer, consents: { EMAIL: { channel: 'EMAIL', granted: false, source: 'owners-app', recordedAt: '2026-03-01T20:00:00.000Z' } } };
    // Act
    const plan = sim.night(night(1));
    // Assess
    expect(plan.close).toEqual([
      { decisionId: 'DEC0001', status: 'WITHDRAWN', reason: 'no longer eligible: EMAIL consent withdrawn on 2026-03-01' },
      { decisionId: 'DEC0002', status: 'WITHDRAWN', reason: 'no longer eligible: EMAIL consent withdrawn on 2026-03-01' },
      { decisionId: 'DEC0003', status: 'WITHDRAWN', reason: 'no longer eligible: EMAIL consent withdrawn on 2026-03-01' },
    ]);
    expect(plan.decide).toEqual([]);
    for (let n = 2; n < 60; n++) expect(sim.night(night(n)).decide).toEqual([]);
    // Push consent granted: only the push offer (engine oil for a petrol car) may be decided.
    sim.customer = { ...sim.customer, consents: { ...sim.customer.consents, PUSH: { channel: 'PUSH', granted: true, source: 'owners-app', recordedAt: '2026-05-01T09:00:00.000Z' } } };
    expect(sim.night(night(61)).decide.map((d) => [d.offerCode, d.channel])).toEqual([['APPROVED_ENGINE_OIL', 'PUSH']]);
  });

  it('withdraws an open decision whose offer was retired, ended or whose rule no longer holds', () => {
    const sim = new Simulation(cayenneOwner(), [offer('CAYENNE_TURBO_UPGRADE'), offer('SERVICE_PACKAGE_3Y'), offer('TAYCAN_TEST_DRIVE')]);
    sim.night(NOW);
    sim.catalogue = [offer('CAYENNE_TURBO_UPGRADE', { version: 2, status: 'RETIRED' }), offer('SERVICE_PACKAGE_3Y', { validUntil: '2026-03-01' }), offer('TAYCAN_TEST_DRIVE')];
    sim.customer = { ...sim.customer, vehicleCounts: { ...sim.customer.vehicleCounts, TAYCAN: 1 } };
    expect(sim.plan(night(1)).close).toEqual([
      { decisionId: 'DEC0001', status: 'WITHDRAWN', reason: 'no longer eligible: offer was retired' },
      { decisionId: 'DEC0002', status: 'WITHDRAWN', reason: 'no longer eligible: offer runs 2026-01-01 to 2026-03-01, today is 2026-03-02' },
      { decisionId: 'DEC0003', status: 'WITHDRAWN', reason: 'no longer eligible: owns TAYCAN, which the offer excludes' },
    ]);
    sim.catalogue = [];
    expect(sim.plan(night(1)).close.map((c) => c.reason)).toEqual([
      'offer CAYENNE_TURBO_UPGRADE is no longer in the catalogue',
      'offer SERVICE_PACKAGE_3Y is no longer in the catalogue',
      'offer TAYCAN_TEST_DRIVE is no longer in the catalogue',
    ]);
  });

  it('expires an open decision only after its validUntil, which the offer\'s last day may bring forward', () => {
    const sim = new Simulation(cayenneOwner(), [offer('CAYENNE_TURBO_UPGRADE')]);
    sim.night(NOW);
    expect(sim.plan(new Date('2026-03-31T04:00:00.000Z')).unchanged).toBe(true); // validUntil itself: still open
    expect(sim.plan(new Date('2026-03-31T04:00:00.001Z')).close).toEqual([{ decisionId: 'DEC0001', status: 'EXPIRED', reason: 'open until 2026-03-31T04:00:00.000Z, no final response by then' }]);
    // An offer ending on 10 March: its decisions stay open to the end of that day, UTC.
    const short = new Simulation(cayenneOwner(), [offer('CAYENNE_TURBO_UPGRADE', { validUntil: '2026-03-10' })]);
    expect(short.night(NOW).decide[0]!.validUntil).toBe('2026-03-10T23:59:59.999Z');
  });

  it('prunes a closed entry the night its last window closes, and only then decides the offer again', () => {
    // Prepare: once a year at most, a year's cool-down; declined on day 5.
    const sim = new Simulation(cayenneOwner(), [upgrade({ frequencyCap: { max: 1, periodDays: 365 }, cooldownDaysAfterDecline: 365 })]);
    sim.night(night(0));
    sim.respond('DEC0001', 'DECLINED', `${addDays('2026-03-01', 5)}T12:00:00.000Z`);
    // Act
    let pruned: { day: number; plan: DecisionPlan } | undefined;
    for (let n = 1; n <= 400 && !pruned; n++) {
      const plan = sim.night(night(n));
      if (plan.prune.length) pruned = { day: n, plan };
      else expect(plan.decide).toEqual([]);
    }
    // Assess: the cap window (decided on day 0) closed on day 365, the attribution window (180 days) long before,
    // the cool-down runs 365 days from day 5: all closed on day 370, when the offer is decidable again.
    expect(pruned?.day).toBe(370);
    expect(pruned?.plan.prune).toEqual(['DEC0001']);
    expect(pruned?.plan.decide.map((d) => d.offerCode)).toEqual(['CAYENNE_TURBO_UPGRADE']);
    expect(Object.keys(sim.book!.entries)).toEqual(['DEC0002']);
  });

  it('never prunes an entry it closes the same night, nor an open one', () => {
    const sim = new Simulation(cayenneOwner(), [offer('CAYENNE_TURBO_UPGRADE')]);
    sim.night(NOW);
    // The job did not run for two years: the decision closes tonight and is forgotten the next night.
    const late = sim.night(night(730));
    expect(late.close.map((c) => c.status)).toEqual(['EXPIRED']);
    expect(late.prune).toEqual([]);
    expect(sim.night(night(731)).prune).toEqual(['DEC0001']);
  });

  it('decides nothing without scores (fail closed), and withdraws what is open', () => {
    expect(new Simulation(cayenneOwner({ value: undefined }), storedCatalogue()).plan(NOW).unchanged).toBe(true);
    const sim = new Simulation(cayenneOwner(), [offer('SERVICE_PACKAGE_3Y')]);
    sim.night(NOW);
    sim.customer = { ...sim.customer, value: undefined };
    expect(sim.plan(night(1))).toEqual({ decide: [], close: [{ decisionId: 'DEC0001', status: 'WITHDRAWN', reason: 'no longer eligible: no scores yet' }], prune: [], unchanged: false });
  });

  it('records holdout decisions like treatment ones, never followed up', () => {
    const all = new Simulation(cayenneOwner(), storedCatalogue(), rulesWith({ defaultHoldoutPct: 100 }));
    const treated = new Simulation(cayenneOwner(), storedCatalogue());
    const held = all.plan(NOW).decide;
    const plain = treated.plan(NOW).decide;
    expect(held.map((d) => [d.offerCode, d.rank, d.holdout, d.followUp])).toEqual([
      ['CAYENNE_TURBO_UPGRADE', 1, true, false],
      ['SERVICE_PACKAGE_3Y', 2, true, false],
      ['TAYCAN_TEST_DRIVE', 3, true, false],
    ]);
    expect(held.map(({ holdout: _h, followUp: _f, ...d }) => d)).toEqual(plain.map(({ holdout: _h, followUp: _f, ...d }) => d));
    // A family's own share: only upgrades held out.
    const upgradesOnly = new Simulation(cayenneOwner(), storedCatalogue(), rulesWith({ defaultHoldoutPct: 0, holdoutPctByFamily: { UPGRADE: 100 } }));
    expect(upgradesOnly.plan(NOW).decide.map((d) => d.holdout)).toEqual([true, false, false]);
  });

  it('leaves a decision without a dealer off every follow-up list', () => {
    const sim = new Simulation(cayenneOwner({ dealerIds: [] }), [offer('CAYENNE_TURBO_UPGRADE')]);
    const [d] = sim.plan(NOW).decide;
    expect(d).not.toHaveProperty('dealerId');
    expect(d!.followUp).toBe(false);
    expect(bookEntryOf(d!)).not.toHaveProperty('dealerId');
  });
});
