import { describe, expect, it } from 'vitest';
import { chooseOffers, ineligibility, levelAtLeast, ownsEligibleCar, variantMatches } from '../../src/events/eligibility.js';
import { registrationEntity } from '../../src/events/event-records.js';
import { holdExpiry, plus, releasedBy } from '../../src/events/seats.js';

describe('Club events: who may sit', () => {
  it('matches variant families by word, digits allowed after the family name', () => {
    // Prepare
    const cases: [string, string, boolean][] = [
      ['911 GT3 RS', 'GT', true],
      ['718 Cayman GT4', 'gt', true],
      ['911 Carrera GTS', 'GT', false],
      ['911 Turbo S', 'Turbo', true],
      ['911 Turbo S', 'Turbo S', true],
      ['911 Turbo', 'Turbo S', false],
      ['Cayenne Turbo GT', 'GT', true],
      ['Taycan 4S', 'GT', false],
      ['911 GT3 RS', ' ', false],
    ];

    // Act and assess
    expect(cases.map(([variant, term]) => variantMatches(variant, term))).toEqual(cases.map(([, , expected]) => expected));
  });

  it('asks for a car of the event\'s lines and variants, any car satisfying both', () => {
    const gtEvent = { modelLines: ['NINE_ELEVEN' as const], variants: ['GT'] };
    expect(ownsEligibleCar(gtEvent, [{ modelLine: 'NINE_ELEVEN', variant: '911 GT3' }])).toBe(true);
    // A GT of another line, and a 911 that is no GT, satisfy one condition each: not enough.
    expect(ownsEligibleCar(gtEvent, [{ modelLine: 'SEVEN_EIGHTEEN', variant: '718 Cayman GT4' }, { modelLine: 'NINE_ELEVEN', variant: '911 Carrera' }])).toBe(false);
    expect(ownsEligibleCar({ modelLines: [], variants: [] }, [])).toBe(true);
    expect(ownsEligibleCar({ modelLines: ['TAYCAN'], variants: [] }, [])).toBe(false);
  });

  it('orders levels as the programme does, and names the level before the car', () => {
    expect(levelAtLeast('GOLD', 'SILVER')).toBe(true);
    expect(levelAtLeast('SILVER', 'SILVER')).toBe(true);
    expect(levelAtLeast('MEMBER', 'SILVER')).toBe(false);
    expect(ineligibility({ minimumLevel: 'GOLD', modelLines: ['TAYCAN'], variants: [] }, { level: 'SILVER' }, [])).toBe('INELIGIBLE_LEVEL');
    expect(ineligibility({ minimumLevel: 'GOLD', modelLines: ['TAYCAN'], variants: [] }, { level: 'PLATINUM' }, [])).toBe('INELIGIBLE_MODEL');
    expect(ineligibility({ modelLines: [], variants: [] }, { level: 'MEMBER' }, [])).toBeNull();
  });
});

describe('Club events: passing seats on', () => {
  const party = (name: string, seats: number, eligible = true) => ({ name, seats, eligible });
  const offer = (queue: ReturnType<typeof party>[], free: number, max?: number) =>
    chooseOffers(queue, free, (p) => p.seats, async (p) => p.eligible, max).then((chosen) => chosen.map((p) => p.name));

  it('offers freed seats in arrival order to each party that fits and is eligible, passing over the others', async () => {
    const queue = [party('ann', 3), party('ben', 1, false), party('cem', 1), party('dia', 2), party('eva', 1)];
    expect(await offer(queue, 2)).toEqual(['cem', 'eva']);
    expect(await offer(queue, 3)).toEqual(['ann']);
    expect(await offer(queue, 4)).toEqual(['ann', 'cem']);
    expect(await offer(queue, 0)).toEqual([]);
    expect(await offer(queue, 10, 2)).toEqual(['ann', 'cem']);
  });

  it('reads eligibility only for the members it reaches', async () => {
    const asked: string[] = [];
    await chooseOffers(['a', 'b', 'c'], 1, () => 1, async (m) => (asked.push(m), true));
    expect(asked).toEqual(['a']);
  });

  it('holds a seat for the hold period, never past the start of the event', () => {
    const now = new Date('2026-05-04T09:00:00.000Z');
    expect(holdExpiry({ startsAt: '2026-06-01T08:00:00.000Z' }, now)).toBe('2026-05-06T09:00:00.000Z');
    expect(holdExpiry({ startsAt: '2026-05-05T08:00:00.000Z' }, now)).toBe('2026-05-05T08:00:00.000Z');
  });

  it('frees the seats a registration held, by its status', () => {
    const r = registrationEntity.make({ companions: 2 });
    expect(releasedBy({ ...r, status: 'CONFIRMED' })).toEqual({ confirmedSeats: -3, seatsLeft: 3 });
    expect(releasedBy({ ...r, status: 'OFFERED' })).toEqual({ heldSeats: -3, seatsLeft: 3 });
    expect(releasedBy({ ...r, status: 'WAITLISTED' })).toEqual({ waitlisted: -1 });
    expect(releasedBy({ ...r, status: 'CHECKED_IN' })).toEqual({});
    expect(plus({ confirmedSeats: -3, seatsLeft: 3 }, { heldSeats: 2, seatsLeft: -2, waitlisted: -1 })).toEqual({ confirmedSeats: -3, seatsLeft: 1, heldSeats: 2, waitlisted: -1 });
  });

  it('keeps a registration in the waitlist index only while waiting, and in the holds index only while offered', () => {
    const r = registrationEntity.make({ eventId: '01JEVENT000000000000000000', customerId: '01JCUSTOMER0000000000000000', sequence: 12 });
    const waiting = registrationEntity.toItem({ ...r, status: 'WAITLISTED', holdExpiresAt: undefined });
    const offered = registrationEntity.toItem({ ...r, status: 'OFFERED', holdExpiresAt: '2026-05-06T09:00:00.000Z' });
    const confirmed = registrationEntity.toItem({ ...r, status: 'CONFIRMED' });
    expect(waiting).toMatchObject({ GSI2PK: 'EVENTWAIT#01JEVENT000000000000000000', GSI2SK: '0000000012' });
    expect(waiting.GSI5PK).toBeUndefined();
    expect(offered).toMatchObject({ GSI5PK: expect.stringMatching(/^EVENTDUE#HOLD#[0-3]$/), GSI5SK: '2026-05-06T09:00:00.000Z#01JEVENT000000000000000000#01JCUSTOMER0000000000000000' });
    expect(offered.GSI2PK).toBeUndefined();
    expect([confirmed.GSI2PK, confirmed.GSI5PK]).toEqual([undefined, undefined]);
    expect(confirmed).toMatchObject({ PK: 'CLUBEVENT#01JEVENT000000000000000000', SK: 'EVENTREG#01JCUSTOMER0000000000000000', GSI1PK: 'CUST#01JCUSTOMER0000000000000000' });
  });
});
