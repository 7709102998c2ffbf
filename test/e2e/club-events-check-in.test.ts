import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.js';
import { createDealer, issueKey, nextVin } from '../support/fixtures.js';
import { createEvent, customerGlobalId, eventInput, eventState, keyOf, makeMember, registration } from '../support/club-events-fixtures.js';
import { itemsOfType } from '../support/store.js';

const HOUR = 3_600_000;
const START = '2026-05-04T09:00:00.000Z';
const later = (hours: number) => new Date(Date.parse(START) + hours * HOUR);

/** Points-priced events, check-in, eligibility, bad input and who may do what, through the Lambda handler. */
describe('Club events: points, check-in and access', () => {
  let api: TestApi;
  let now = new Date(START);
  let dealerId: string;
  let dealerGid: string;
  let host: Record<string, string>;
  let otherHost: Record<string, string>;
  let readOnlyKey: Record<string, string>;
  let trackDay: string;
  type Member = Awaited<ReturnType<typeof makeMember>>;
  let gtOwner: Member, poorGtOwner: Member, carreraOwner: Member, nonMember: Member;

  /** A customer who owned a car before joining (so the purchase earned no points), then joined with `points`. */
  async function owner(variant: string, points: number) {
    const m = await makeMember(api, START, { dealerId, join: false });
    const res = await api.call(
      `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { userErrors { code } } }`,
      { input: { vin: nextVin(), ownerId: m.gid, modelLine: 'NINE_ELEVEN', variant, powertrain: 'PETROL', modelYear: 2025, purchaseDate: '2025-04-01', purchasePrice: { amount: '250000.00', currency: 'EUR' }, sellingDealerId: dealerGid, odometerKm: 10, odometerReadAt: '2025-04-01T10:00:00Z' } },
      api.bearer('admin'),
    );
    expect(res.data?.registerVehicle.userErrors).toEqual([]);
    expect((await api.store.repos.ledger.join({ customerId: m.id, consent: { source: 'DEALER', at: START, recordedBy: { kind: 'admin', id: 'test' } }, at: START })).ok).toBe(true);
    if (points) expect((await api.store.repos.ledger.adjust({ customerId: m.id, points, reason: 'Welcome points', at: START, by: { kind: 'admin', id: 'test' } })).ok).toBe(true);
    return m;
  }
  const available = async (m: Member) => {
    const res = await api.call(`query($id: ID!) { customer(id: $id) { club { balance { available } } } }`, { id: m.gid }, m.headers);
    return res.data?.customer.club.balance.available as number;
  };
  const sequence = async (event: string) => (await api.store.repos.events.get(keyOf(event)))!.sequence;

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    const dealer = await createDealer(api, 'DE-EVT-C');
    dealerId = keyOf(dealer.id);
    dealerGid = dealer.id;
    const other = await createDealer(api, 'DE-EVT-O');
    host = { 'x-api-key': (await issueKey(api, dealer.id, ['CLUB_EVENTS'])).secret };
    otherHost = { 'x-api-key': (await issueKey(api, other.id, ['CLUB_EVENTS'])).secret };
    readOnlyKey = { 'x-api-key': (await issueKey(api, other.id, ['CUSTOMERS_READ', 'CLUB_READ'])).secret };
    gtOwner = await owner('911 GT3 RS', 1_000);
    poorGtOwner = await owner('718 Cayman GT4', 100);
    carreraOwner = await owner('911 Carrera GTS', 1_000);
    nonMember = await makeMember(api, START, { dealerId, join: false });
    // Starts in two hours: check-in is open.
    trackDay = (
      await createEvent(
        api,
        host,
        eventInput(later(2).toISOString(), { capacity: 4, companionsAllowed: 1, pricePoints: 300, pointsOnCheckIn: 500, eligibility: { modelLines: ['NINE_ELEVEN', 'SEVEN_EIGHTEEN'], variants: ['GT'] } }),
      )
    ).id;
  }, 60_000);
  afterAll(() => api.close());

  it("refuses the hosting dealer spending a member's points on a points-priced seat, writing nothing", async () => {
    // Prepare: a linked member with points, and the event's arrival counter as it stands
    const member = await owner('911 GT3', 1_000);
    const before = await sequence(trackDay);

    // Act: the host registers the member for the 300-point track day
    const registered = await registration(api, 'registerForEvent', { eventId: trackDay, customerId: member.gid }, host);

    // Assess: the member's own decision, refused with a code; no registration, no points spent
    expect(registered).toMatchObject({ registration: null, userErrors: [{ field: ['input', 'customerId'], code: 'MEMBER_MUST_SPEND' }] });
    expect(await api.store.repos.events.getRegistration(keyOf(trackDay), member.id)).toBeNull();
    expect(await sequence(trackDay)).toBe(before);
    expect(await available(member)).toBe(1_000);
  });

  it('charges a points-priced seat per seat through the ledger, and gives the points back on cancellation', async () => {
    // Act
    const registered = await registration(api, 'registerForEvent', { eventId: trackDay, customerId: gtOwner.gid, companions: 1 }, gtOwner.headers);

    // Assess: two seats at 300 points
    expect(registered).toMatchObject({ registration: { status: 'CONFIRMED', seats: 2, pointsPaid: 600 }, userErrors: [] });
    expect(await available(gtOwner)).toBe(400);
    expect(await eventState(api, trackDay)).toMatchObject({ seatsLeft: 2, confirmedSeats: 2 });

    // Act: cancel, and register again
    const cancelled = await registration(api, 'cancelEventRegistration', { eventId: trackDay, customerId: gtOwner.gid }, gtOwner.headers);
    expect(cancelled.registration?.status).toBe('CANCELLED');
    expect(await available(gtOwner)).toBe(1_000);
    const entries = await api.store.repos.ledger.allEntries(gtOwner.id);
    expect(entries.map((e) => [e.kind, e.points])).toEqual([['ADJUSTMENT', 1_000], ['REDEMPTION', -600], ['REVERSAL', 600]]);
    expect(await eventState(api, trackDay)).toMatchObject({ seatsLeft: 4, confirmedSeats: 0 });
    const again = await registration(api, 'registerForEvent', { eventId: trackDay, customerId: gtOwner.gid }, gtOwner.headers);
    expect(again.registration).toMatchObject({ status: 'CONFIRMED', seats: 1, pointsPaid: 300, sequence: 2 });
    expect(await available(gtOwner)).toBe(700);
  });

  it('refuses bad registrations with a field and a code, writing nothing', async () => {
    // Prepare
    const before = await sequence(trackDay);
    const entriesBefore = (await api.store.repos.ledger.allEntries(poorGtOwner.id)).length;
    const register = (m: Member, extra: Record<string, unknown> = {}, headers = m.headers) => registration(api, 'registerForEvent', { eventId: trackDay, customerId: m.gid, ...extra }, headers);

    // Act and assess
    expect((await register(carreraOwner)).userErrors).toEqual([{ field: ['input', 'customerId'], code: 'INELIGIBLE_MODEL' }]);
    expect((await register(poorGtOwner)).userErrors).toEqual([{ field: ['input', 'customerId'], code: 'INSUFFICIENT_POINTS' }]);
    expect((await register(poorGtOwner, { companions: 2 })).userErrors).toEqual([{ field: ['input', 'companions'], code: 'TOO_MANY_COMPANIONS' }]);
    expect((await register(nonMember)).userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_A_MEMBER' }]);
    expect((await register(gtOwner)).userErrors).toEqual([{ field: ['input', 'eventId'], code: 'ALREADY_REGISTERED' }]);
    // Someone else's customer answers as an unknown one.
    expect((await register(poorGtOwner, {}, gtOwner.headers)).userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_FOUND' }]);
    expect(await sequence(trackDay)).toBe(before);
    expect(await api.store.repos.events.getRegistration(keyOf(trackDay), poorGtOwner.id)).toBeNull();
    expect(await api.store.repos.ledger.allEntries(poorGtOwner.id)).toHaveLength(entriesBefore);
  });

  it('refuses a bad event with a field and a code per problem (one for an oversized list, not one per element), writing nothing', async () => {
    // Prepare
    const eventsBefore = (await itemsOfType(api.store, 'ClubEvent')).length;
    const create = async (overrides: Record<string, unknown>, headers = host) => {
      const res = await api.call(`mutation($input: CreateClubEventInput!) { createClubEvent(input: $input) { clubEvent { id } userErrors { field code } } }`, { input: eventInput(later(48).toISOString(), overrides) }, headers);
      expect(res.errors).toBeUndefined();
      return res.data?.createClubEvent as { clubEvent: null; userErrors: { field: string[]; code: string }[] };
    };
    const codes = (r: { userErrors: { field: string[]; code: string }[] }) => r.userErrors.map((e) => [e.field.slice(1).join('.'), e.code]);

    // Act and assess
    expect(codes(await create({ title: 'T'.repeat(100_000), description: 'D'.repeat(100_000), capacity: 1_000_000_000, companionsAllowed: 10_000, pointsOnCheckIn: 1_000_000_000 }))).toEqual([
      ['title', 'TOO_LONG'],
      ['description', 'TOO_LONG'],
      ['capacity', 'OUT_OF_RANGE'],
      ['companionsAllowed', 'OUT_OF_RANGE'],
      ['pointsOnCheckIn', 'OUT_OF_RANGE'],
    ]);
    // Ten thousand variant families: one answer, not ten thousand and one
    expect(codes(await create({ eligibility: { variants: Array.from({ length: 10_000 }, () => '') } }))).toEqual([['eligibility.variants', 'TOO_MANY']]);
    expect(codes(await create({ eligibility: { variants: ['GT', 'X'.repeat(31)] } }))).toEqual([['eligibility.variants.1', 'TOO_LONG']]);
    expect(codes(await create({ pricePoints: 100, priceMoney: { amount: '10.00', currency: 'EUR' } }))).toEqual([['pricePoints', 'INVALID']]);
    expect(codes(await create({ startsAt: later(-1).toISOString(), endsAt: later(-2).toISOString() }))).toEqual([['startsAt', 'INVALID'], ['endsAt', 'INVALID']]);
    expect(codes(await create({ registrationDeadline: later(49).toISOString(), location: { name: 'Circuit', city: 'Spa', country: 'Belgium' } }))).toEqual([['location.country', 'INVALID'], ['registrationDeadline', 'INVALID']]);
    // Check-in points are the brand's money: a dealer key sets at most the club's cap
    expect(codes(await create({ pointsOnCheckIn: 1_001 }))).toEqual([['pointsOnCheckIn', 'OUT_OF_RANGE']]);
    // A dealer hosts only its own events: another dealer named as host is unknown
    expect(codes(await create({ hostDealerId: (await createDealer(api, 'DE-EVT-X')).id }))).toEqual([['hostDealerId', 'NOT_FOUND']]);
    expect((await itemsOfType(api.store, 'ClubEvent')).length).toBe(eventsBefore);
  });

  it('checks a confirmed member in once, earning the event points once and recording one attendance, however often it is sent', async () => {
    // Act: one check-in, then three more, two of them at once
    const first = await registration(api, 'checkInAttendee', { eventId: trackDay, customerId: gtOwner.gid }, host);
    const repeats = await Promise.all([registration(api, 'checkInAttendee', { eventId: trackDay, customerId: gtOwner.gid }, host), registration(api, 'checkInAttendee', { eventId: trackDay, customerId: gtOwner.gid }, api.bearer('admin'))]);
    const last = await registration(api, 'checkInAttendee', { eventId: trackDay, customerId: gtOwner.gid }, host);

    // Assess
    expect(first).toMatchObject({ registration: { status: 'CHECKED_IN' }, userErrors: [] });
    for (const r of [...repeats, last]) expect(r).toEqual(first);
    const accruals = (await api.store.repos.ledger.allEntries(gtOwner.id)).filter((e) => e.kind === 'ACCRUAL');
    expect(accruals.map((e) => [e.points, e.source?.type])).toEqual([[500, 'EVENT_CHECK_IN']]);
    expect(await eventState(api, trackDay)).toMatchObject({ checkedIn: 1, confirmedSeats: 1 });
    const res = await api.call(`query($id: ID!) { customer(id: $id) { interactions { edges { node { type channel modelLine topic } } } interests { modelLine topic count } } }`, { id: gtOwner.gid }, api.bearer('admin'));
    expect(res.data?.customer.interactions.edges).toEqual([{ node: { type: 'EVENT_ATTENDANCE', channel: 'DEALER', modelLine: 'NINE_ELEVEN', topic: 'track day' } }]);
    expect(res.data?.customer.interests).toEqual([{ modelLine: 'NINE_ELEVEN', topic: 'track day', count: 1 }]);
    // Attended: no longer cancellable.
    expect((await registration(api, 'cancelEventRegistration', { eventId: trackDay, customerId: gtOwner.gid }, gtOwner.headers)).userErrors).toEqual([{ field: ['input', 'eventId'], code: 'INVALID_STATUS' }]);
  });

  it('refuses to check in someone without a confirmed seat, writing nothing', async () => {
    // Prepare: the event, the member's ledger and interactions as they stand
    const eventBefore = await api.store.repos.events.get(keyOf(trackDay));
    const entriesBefore = await api.store.repos.ledger.allEntries(poorGtOwner.id);
    const interactionsBefore = (await itemsOfType(api.store, 'Interaction')).length;

    // Act
    const checkIn = await registration(api, 'checkInAttendee', { eventId: trackDay, customerId: poorGtOwner.gid }, host);

    // Assess: refused on the member, and no registration, points, interaction or counter written
    expect(checkIn.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_REGISTERED' }]);
    expect(await api.store.repos.events.getRegistration(keyOf(trackDay), poorGtOwner.id)).toBeNull();
    expect(await api.store.repos.ledger.allEntries(poorGtOwner.id)).toEqual(entriesBefore);
    expect((await itemsOfType(api.store, 'Interaction')).length).toBe(interactionsBefore);
    expect(await api.store.repos.events.get(keyOf(trackDay))).toEqual(eventBefore);
  });

  it('hides an event from dealers that do not host it, and its attendees from everyone but its host and the brand', async () => {
    // Act and assess: another hosting dealer finds no such event to manage
    expect((await registration(api, 'checkInAttendee', { eventId: trackDay, customerId: gtOwner.gid }, otherHost)).userErrors).toEqual([{ field: ['input', 'eventId'], code: 'NOT_FOUND' }]);
    const update = await api.call(`mutation($input: UpdateClubEventInput!) { updateClubEvent(input: $input) { userErrors { field code } } }`, { input: { id: trackDay, title: 'Mine now' } }, otherHost);
    expect(update.data?.updateClubEvent.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    // A key without club:events may not create events; analysts may not register anyone.
    const created = await api.call(`mutation($input: CreateClubEventInput!) { createClubEvent(input: $input) { userErrors { code } } }`, { input: eventInput(later(48).toISOString()) }, readOnlyKey);
    expect(created.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byAnalyst = await api.call(`mutation($input: RegisterForEventInput!) { registerForEvent(input: $input) { userErrors { code } } }`, { input: { eventId: trackDay, customerId: poorGtOwner.gid } }, api.bearer('analyst'));
    expect(byAnalyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The programme is public; the attendee list is not.
    const attendees = (headers: Record<string, string>) => api.call(`query($id: ID!) { node(id: $id) { ... on ClubEvent { title registrations { edges { node { status attendeeName } } } myRegistration { status } } } }`, { id: trackDay }, headers);
    for (const headers of [host, api.bearer('analyst'), api.bearer('admin')]) expect((await attendees(headers)).data?.node.registrations.edges).toEqual([{ node: { status: 'CHECKED_IN', attendeeName: expect.any(String) } }]);
    for (const headers of [otherHost, readOnlyKey, poorGtOwner.headers]) expect((await attendees(headers)).data?.node).toMatchObject({ title: 'Track Day Hockenheim', registrations: { edges: [] } });
    expect((await attendees(gtOwner.headers)).data?.node.myRegistration).toEqual({ status: 'CHECKED_IN' });
    // A registration by id: for the member and the event's host; another customer finds nothing.
    const regId = (await api.call(`query($id: ID!) { node(id: $id) { ... on ClubEvent { myRegistration { id } } } }`, { id: trackDay }, gtOwner.headers)).data?.node.myRegistration.id;
    const node = (headers: Record<string, string>) => api.call(`query($id: ID!) { node(id: $id) { ... on EventRegistration { status event { id } } } }`, { id: regId }, headers);
    for (const headers of [gtOwner.headers, host]) expect((await node(headers)).data?.node).toEqual({ status: 'CHECKED_IN', event: { id: trackDay } });
    for (const headers of [poorGtOwner.headers, otherHost]) expect((await node(headers)).data?.node).toBeNull();
    // The member sees their registrations on their membership.
    const own = await api.call(`query($id: ID!) { customer(id: $id) { club { eventRegistrations { edges { node { status event { title } } } } } } }`, { id: gtOwner.gid }, gtOwner.headers);
    expect(own.data?.customer.club.eventRegistrations.edges).toEqual([{ node: { status: 'CHECKED_IN', event: { title: 'Track Day Hockenheim' } } }]);
  });

  it('lists the programme soonest first, from a date on, and by host', async () => {
    // Prepare: a brand event before and after the track day
    const admin = api.bearer('admin');
    const early = (await createEvent(api, admin, eventInput(later(1).toISOString(), { title: 'Breakfast drive' }))).id;
    const late = (await createEvent(api, admin, eventInput(later(24 * 40).toISOString(), { title: 'Alpine tour', kind: 'DRIVING_EXPERIENCE' }))).id;
    const list = async (args: Record<string, unknown>, headers = poorGtOwner.headers) =>
      ((await api.call(`query($from: DateTime, $host: ID) { clubEvents(from: $from, hostDealerId: $host) { edges { node { id host { kind dealerName } } } } }`, args, headers)).data?.clubEvents.edges as { node: { id: string; host: { kind: string; dealerName: string | null } } }[]).map((e) => e.node);

    // Act and assess
    const all = (await list({})).map((n) => n.id);
    expect(all.indexOf(early)).toBeLessThan(all.indexOf(trackDay));
    expect(all.indexOf(trackDay)).toBeLessThan(all.indexOf(late));
    expect((await list({ from: later(3).toISOString() })).map((n) => n.id)).not.toContain(trackDay);
    expect(await list({ host: dealerGid }, otherHost)).toEqual([{ id: trackDay, host: { kind: 'DEALER', dealerName: 'Porsche Zentrum DE-EVT-C' } }]);
  });

  it('lets the hosting dealer register its linked customers, nobody else\'s', async () => {
    // A free evening at the dealership (a points-priced seat is the member's own decision: see above)
    const evening = (await createEvent(api, host, eventInput(later(48).toISOString()))).id;
    const linked = await owner('911 GT3', 300);
    const unlinked = await makeMember(api, START, { points: 300 });
    expect((await registration(api, 'registerForEvent', { eventId: evening, customerId: linked.gid }, host)).registration).toMatchObject({ status: 'CONFIRMED' });
    expect((await registration(api, 'registerForEvent', { eventId: evening, customerId: unlinked.gid }, host)).userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_FOUND' }]);
  });

  it('refuses registrations below the minimum level, after the deadline, and for a cancelled event, whose paid seats it gives back', async () => {
    // Prepare: a brand event for Gold members, and a points-priced one that will be cancelled
    const admin = api.bearer('admin');
    const goldOnly = (await createEvent(api, admin, eventInput(later(72).toISOString(), { eligibility: { minimumLevel: 'GOLD' } }))).id;
    const closing = (await createEvent(api, admin, eventInput(later(72).toISOString(), { registrationDeadline: later(1).toISOString() }))).id;
    const doomed = (await createEvent(api, admin, eventInput(later(72).toISOString(), { pricePoints: 200 }))).id;
    const member = await makeMember(api, START, { points: 500 });
    expect((await registration(api, 'registerForEvent', { eventId: doomed, customerId: member.gid }, member.headers)).registration?.pointsPaid).toBe(200);
    expect(await available(member)).toBe(300);

    // Act and assess
    expect((await registration(api, 'registerForEvent', { eventId: goldOnly, customerId: member.gid }, member.headers)).userErrors).toEqual([{ field: ['input', 'customerId'], code: 'INELIGIBLE_LEVEL' }]);
    now = later(1.5);
    expect((await registration(api, 'registerForEvent', { eventId: closing, customerId: member.gid }, member.headers)).userErrors).toEqual([{ field: ['input', 'eventId'], code: 'REGISTRATION_CLOSED' }]);
    const cancel = await api.call(`mutation($input: CancelClubEventInput!) { cancelClubEvent(input: $input) { clubEvent { status seatsLeft } userErrors { code } } }`, { input: { id: doomed } }, admin);
    expect(cancel.data?.cancelClubEvent).toEqual({ clubEvent: { status: 'CANCELLED', seatsLeft: 10 }, userErrors: [] });
    expect(await available(member)).toBe(500);
    expect((await api.store.repos.events.getRegistration(keyOf(doomed), member.id))?.status).toBe('CANCELLED');
    expect((await registration(api, 'registerForEvent', { eventId: doomed, customerId: member.gid }, member.headers)).userErrors).toEqual([{ field: ['input', 'eventId'], code: 'EVENT_CANCELLED' }]);
    // Cancelling again changes nothing (the points were given back once).
    await api.call(`mutation($input: CancelClubEventInput!) { cancelClubEvent(input: $input) { userErrors { code } } }`, { input: { id: doomed } }, admin);
    expect(await available(member)).toBe(500);
  });
});
