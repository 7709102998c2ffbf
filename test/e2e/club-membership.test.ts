import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey } from '../support/fixtures.js';

/** Membership, earning, corrections and who sees what, through the Lambda handler. */
describe('Lambda handler: the owners\' club', () => {
  let api: TestApi;
  const now = new Date('2026-11-25T10:00:00Z');
  let dealerA: { id: string };
  let writerA: Record<string, string>, clubReaderA: Record<string, string>, plainReaderA: Record<string, string>, clubReaderB: Record<string, string>;
  let ann: { id: string }, bob: { id: string }, cleo: { id: string }, dora: { id: string };
  const key = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;
  const customerToken = (globalId: string) => api.bearer('customer', key(globalId));
  const admin = () => api.bearer('admin');

  const CLUB = `club { number status level memberSince leftAt qualifyingPoints balance { available pending debt } lots { points remaining expiresOn pending } expiringSoon { expiresOn points } ledger(first: 10) { edges { node { kind points sourceType reason owedChange draws { points } } } } }`;
  const clubOf = async (id: string, headers = admin()) => {
    const res = await api.call(`query($id: ID!) { customer(id: $id) { id ${CLUB} } }`, { id }, headers);
    expect(res.errors).toBeUndefined();
    return res.data?.customer;
  };
  const join = (customerId: string, headers: Record<string, string>, consent?: { source: string; at: string }) =>
    api.call(`mutation($input: JoinClubInput!) { joinClub(input: $input) { membership { number status level } userErrors { field code } } }`, { input: { customerId, consent } }, headers);
  const order = (customerId: string, amount: string, orderedAt = '2026-11-25T09:00:00Z') =>
    api.call(
      `mutation($id: ID!, $amount: Decimal!, $at: DateTime!) { recordOrder(input: { customerId: $id, channel: ONLINE, orderedAt: $at, lines: [{ sku: "WAP-1", description: "Cap", quantity: 1, unitPrice: { amount: $amount, currency: EUR } }] }) { userErrors { field code } } }`,
      { id: customerId, amount, at: orderedAt },
      admin(),
    );
  const adjust = (input: Record<string, unknown>, headers = admin()) =>
    api.call(`mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { entry { kind points reason } membership { balance { available } } userErrors { field code } } }`, { input }, headers);
  const reverse = (input: Record<string, unknown>) =>
    api.call(`mutation($input: ReversePointsInput!) { reversePoints(input: $input) { entry { kind points owedChange } membership { balance { available pending debt } } userErrors { field code } } }`, { input }, admin());

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealerA = await createDealer(api, 'DE-CLUB-A');
    const dealerB = await createDealer(api, 'DE-CLUB-B');
    writerA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_WRITE'])).secret };
    clubReaderA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_READ', 'CLUB_READ'])).secret };
    plainReaderA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_READ'])).secret };
    clubReaderB = { 'x-api-key': (await issueKey(api, dealerB.id, ['CUSTOMERS_READ', 'CLUB_READ'])).secret };
    ann = await createCustomer(api, writerA, { firstName: 'Ann' });
    bob = await createCustomer(api, writerA, { firstName: 'Bob' });
    cleo = await createCustomer(api, admin(), { firstName: 'Cleo' });
    dora = await createCustomer(api, writerA, { firstName: 'Dora' });
  });
  afterAll(() => api.close());

  it('lets a customer join for themselves with a card number, and only once', async () => {
    // Act
    const res = await join(ann.id, customerToken(ann.id));
    const again = await join(ann.id, customerToken(ann.id));

    // Assess
    expect(res.data?.joinClub).toMatchObject({ membership: { status: 'ACTIVE', level: 'MEMBER' }, userErrors: [] });
    expect(res.data?.joinClub.membership.number).toMatch(/^PC\d{8}$/);
    expect(again.data?.joinClub).toEqual({ membership: null, userErrors: [{ field: ['input', 'customerId'], code: 'ALREADY_MEMBER' }] });
    expect((await clubOf(ann.id)).club).toMatchObject({ number: res.data?.joinClub.membership.number, memberSince: now.toISOString(), balance: { available: 0, pending: 0, debt: 0 } });
    const stored = await api.store.repos.ledger.getMembership(key(ann.id));
    expect(stored?.consent).toEqual({ source: 'APP', at: now.toISOString(), recordedBy: { kind: 'customer', id: key(ann.id) } });
  });

  it("joins a dealer's linked customer only with their recorded consent, and records who recorded it", async () => {
    // Act
    const withoutConsent = await join(bob.id, writerA);
    const futureConsent = await join(bob.id, writerA, { source: 'DEALER', at: '2026-12-01T10:00:00Z' });
    const unlinked = await join(cleo.id, writerA, { source: 'DEALER', at: '2026-11-25T09:00:00Z' });
    const readOnly = await join(bob.id, plainReaderA, { source: 'DEALER', at: '2026-11-25T09:00:00Z' });
    const nobody = await join('Q3VzdG9tZXI6MDFKTk9CT0RZMDAwMDAwMDAwMDAwMDAwMA', writerA, { source: 'DEALER', at: '2026-11-25T09:00:00Z' });
    const ok = await join(bob.id, writerA, { source: 'DEALER', at: '2026-11-25T09:00:00Z' });

    // Assess: each refusal a user error on its field, nothing written; a hidden customer reads as a missing one
    expect(withoutConsent.data?.joinClub.userErrors).toEqual([{ field: ['input', 'consent'], code: 'CONSENT_REQUIRED' }]);
    expect(futureConsent.data?.joinClub.userErrors).toEqual([{ field: ['input', 'consent', 'at'], code: 'IN_FUTURE' }]);
    expect(unlinked.data?.joinClub.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_FOUND' }]);
    expect(nobody.data?.joinClub.userErrors).toEqual(unlinked.data?.joinClub.userErrors);
    expect(readOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await clubOf(cleo.id)).club).toBeNull();
    // A writing key without club:read joins the customer but is not shown the membership.
    expect(ok.data?.joinClub).toEqual({ membership: null, userErrors: [] });
    expect((await api.store.repos.ledger.getMembership(key(bob.id)))?.consent).toEqual({ source: 'DEALER', at: '2026-11-25T09:00:00.000Z', recordedBy: { kind: 'dealer', id: key(dealerA.id) } });
  });

  it('answers a key that may not see memberships the same whether the customer was a member already or not, writing nothing', async () => {
    // Prepare: Ann joined for herself; the writing key of her dealer has no club:read
    const frank = await createCustomer(api, writerA, { firstName: 'Frank' });
    const annBefore = await api.store.repos.ledger.getMembership(key(ann.id));

    // Act
    const fresh = await join(frank.id, writerA, { source: 'DEALER', at: '2026-11-25T09:00:00Z' });
    const existing = await join(ann.id, writerA, { source: 'PAPER', at: '2026-11-25T09:00:00Z' });

    // Assess: the same answer; Ann's membership untouched (her own consent kept)
    expect(existing.data?.joinClub).toEqual(fresh.data?.joinClub);
    expect(existing.data?.joinClub).toEqual({ membership: null, userErrors: [] });
    expect(await api.store.repos.ledger.getMembership(key(ann.id))).toEqual(annBefore);
  });

  it('refuses analysts before anything is read', async () => {
    const res = await join(cleo.id, api.bearer('analyst'), { source: 'PHONE', at: '2026-11-25T09:00:00Z' });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('earns pending points on an order for a member, nothing for a non-member, and shows them soonest expiry first', async () => {
    // Act
    expect((await order(ann.id, '100.00')).data?.recordOrder.userErrors).toEqual([]);
    expect((await order(dora.id, '100.00')).data?.recordOrder.userErrors).toEqual([]);

    // Assess: 2 points per euro, pending for the 14-day return window
    const club = (await clubOf(ann.id)).club;
    expect(club).toMatchObject({ qualifyingPoints: 200, balance: { available: 0, pending: 200, debt: 0 }, lots: [{ points: 200, remaining: 200, expiresOn: '2028-11-30', pending: true }], expiringSoon: [] });
    expect(club.ledger.edges).toEqual([{ node: { kind: 'ACCRUAL', points: 200, sourceType: 'ORDER', reason: null, owedChange: 0, draws: [] } }]);
    expect((await clubOf(dora.id)).club).toBeNull();
    expect(await api.store.repos.ledger.allEntries(key(dora.id))).toEqual([]);
  });

  it('shows a membership to the member, the brand and a linked dealer with club:read; to everyone else exactly as a non-member', async () => {
    // Act
    const asMember = await clubOf(ann.id, customerToken(ann.id));
    const asAnalyst = await clubOf(ann.id, api.bearer('analyst'));
    const asClubReader = await clubOf(ann.id, clubReaderA);
    const withoutScope = await clubOf(ann.id, plainReaderA);
    const nonMemberWithoutScope = await clubOf(dora.id, plainReaderA);
    const nonMemberWithScope = await clubOf(dora.id, clubReaderA);
    const otherDealer = await clubOf(ann.id, clubReaderB);
    const otherCustomer = await clubOf(ann.id, customerToken(bob.id));

    // Assess
    for (const seen of [asMember, asAnalyst, asClubReader]) expect(seen.club.balance).toEqual({ available: 0, pending: 200, debt: 0 });
    expect(withoutScope).toEqual({ id: ann.id, club: null });
    expect(nonMemberWithoutScope).toEqual({ id: dora.id, club: null });
    expect(nonMemberWithScope).toEqual({ id: dora.id, club: null });
    expect(otherDealer).toBeNull();
    expect(otherCustomer).toBeNull();
  });

  it('adjusts with a reason (admins only), refusing bad input with nothing written', async () => {
    // Prepare
    const before = (await clubOf(ann.id)).club.ledger.edges.length;

    // Act
    const noReason = await adjust({ customerId: ann.id, points: 100, reason: '  ' });
    const zero = await adjust({ customerId: ann.id, points: 0, reason: 'Goodwill' });
    const huge = await adjust({ customerId: ann.id, points: 2_000_000, reason: 'Goodwill' });
    const longReason = await adjust({ customerId: ann.id, points: 10, reason: 'x'.repeat(501) });
    const tooMuch = await adjust({ customerId: ann.id, points: -1_000, reason: 'Correction' });
    const nonMember = await adjust({ customerId: dora.id, points: 10, reason: 'Goodwill' });
    const byCustomer = await adjust({ customerId: ann.id, points: 10, reason: 'Goodwill' }, customerToken(ann.id));
    const byDealer = await adjust({ customerId: ann.id, points: 10, reason: 'Goodwill' }, clubReaderA);

    // Assess
    expect(noReason.data?.adjustPoints.userErrors).toEqual([{ field: ['input', 'reason'], code: 'REASON_REQUIRED' }]);
    expect(zero.data?.adjustPoints.userErrors).toEqual([{ field: ['input', 'points'], code: 'INVALID' }]);
    expect(huge.data?.adjustPoints.userErrors).toEqual([{ field: ['input', 'points'], code: 'OUT_OF_RANGE' }]);
    expect(longReason.data?.adjustPoints.userErrors).toEqual([{ field: ['input', 'reason'], code: 'TOO_LONG' }]);
    // Member level: no overdraft; the 200 pending points cover 200 of the 1,000.
    expect(tooMuch.data?.adjustPoints.userErrors).toEqual([{ field: ['input', 'points'], code: 'INSUFFICIENT_POINTS' }]);
    expect(nonMember.data?.adjustPoints.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_A_MEMBER' }]);
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(byDealer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await clubOf(ann.id)).club.ledger.edges).toHaveLength(before);

    // Act: a good one
    const ok = await adjust({ customerId: ann.id, points: 300, reason: 'Goodwill after a late delivery' });
    expect(ok.data?.adjustPoints).toEqual({ entry: { kind: 'ADJUSTMENT', points: 300, reason: 'Goodwill after a late delivery' }, membership: { balance: { available: 300 } }, userErrors: [] });
  });

  it('reverses what a refunded order earned once, and says why it cannot otherwise', async () => {
    // Prepare
    const [accrual] = (await api.store.repos.ledger.allEntries(key(ann.id))).filter((e) => e.kind === 'ACCRUAL');

    // Act
    const input = { customerId: ann.id, sourceType: 'ORDER', sourceId: accrual!.source!.id, reason: 'Order refunded' };
    const ok = await reverse(input);
    const again = await reverse(input);
    const unknown = await reverse({ ...input, sourceId: '01JUNKNOWN0000000000000000' });
    const noReason = await reverse({ ...input, reason: '' });

    // Assess: the pending lot gave its 200 back
    expect(ok.data?.reversePoints).toEqual({ entry: { kind: 'REVERSAL', points: -200, owedChange: 0 }, membership: { balance: { available: 300, pending: 0, debt: 0 } }, userErrors: [] });
    expect(again.data?.reversePoints.userErrors).toEqual([{ field: ['input', 'sourceId'], code: 'ALREADY_REVERSED' }]);
    expect(unknown.data?.reversePoints.userErrors).toEqual([{ field: ['input', 'sourceId'], code: 'NOT_EARNED' }]);
    expect(noReason.data?.reversePoints.userErrors).toEqual([{ field: ['input', 'reason'], code: 'REASON_REQUIRED' }]);
    expect((await clubOf(ann.id)).club.qualifyingPoints).toBe(0);
  });

  it('pages the ledger newest first', async () => {
    const page = async (after?: string) =>
      (await api.call(`query($id: ID!, $after: String) { customer(id: $id) { club { ledger(first: 2, after: $after) { edges { node { kind points } } pageInfo { hasNextPage endCursor } } } } }`, { id: ann.id, after }, admin())).data?.customer.club.ledger;
    const first = await page();
    const second = await page(first.pageInfo.endCursor);
    expect([...first.edges, ...second.edges].map((e: { node: { kind: string; points: number } }) => `${e.node.kind} ${e.node.points}`)).toEqual(['REVERSAL -200', 'ADJUSTMENT 300', 'ACCRUAL 200']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('lets a member leave (earning nothing meanwhile) and rejoin with the same number and points', async () => {
    // Act
    const other = await api.call(`mutation($id: ID!) { leaveClub(input: { customerId: $id }) { userErrors { field code } } }`, { id: ann.id }, customerToken(bob.id));
    const left = await api.call(`mutation($id: ID!) { leaveClub(input: { customerId: $id }) { membership { status leftAt } userErrors { field code } } }`, { id: ann.id }, customerToken(ann.id));
    const twice = await api.call(`mutation($id: ID!) { leaveClub(input: { customerId: $id }) { userErrors { field code } } }`, { id: ann.id }, customerToken(ann.id));
    const byDealer = await api.call(`mutation($id: ID!) { leaveClub(input: { customerId: $id }) { userErrors { field code } } }`, { id: ann.id }, writerA);
    await order(ann.id, '50.00');
    const number = (await clubOf(ann.id)).club.number;
    const back = await join(ann.id, customerToken(ann.id));

    // Assess
    expect(other.data?.leaveClub.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_FOUND' }]);
    expect(left.data?.leaveClub).toEqual({ membership: { status: 'LEFT', leftAt: now.toISOString() }, userErrors: [] });
    expect(twice.data?.leaveClub.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'NOT_A_MEMBER' }]);
    expect(byDealer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(back.data?.joinClub).toMatchObject({ membership: { number, status: 'ACTIVE' }, userErrors: [] });
    expect((await clubOf(ann.id)).club).toMatchObject({ balance: { available: 300, pending: 0 }, memberSince: now.toISOString() });
  });

  it('tells a member which points expire soon, by day, and refuses a window it cannot answer', async () => {
    // Prepare: a member since November 2024 with points earned in December 2024 and October 2025 (last days 2026-12-31 and 2027-10-31)
    const eve = await createCustomer(api, admin(), { firstName: 'Eve' });
    const joinedAt = '2024-11-20T10:00:00.000Z';
    expect((await api.store.repos.ledger.join({ customerId: key(eve.id), consent: { source: 'APP', at: joinedAt, recordedBy: { kind: 'customer', id: key(eve.id) } }, at: joinedAt })).ok).toBe(true);
    await order(eve.id, '40.00', '2024-12-03T10:00:00Z');
    await order(eve.id, '60.00', '2025-10-03T10:00:00Z');
    const soon = (days?: number) => api.call(`query($id: ID!, $days: Int) { customer(id: $id) { club { expiringSoon(days: $days) { expiresOn points } lots { expiresOn remaining } } } }`, { id: eve.id, days }, customerToken(eve.id));

    // Act
    const byDefault = await soon();
    const fortyDays = await soon(40);
    const tooLong = await soon(400);

    // Assess
    expect(byDefault.data?.customer.club).toEqual({ expiringSoon: [], lots: [{ expiresOn: '2026-12-31', remaining: 80 }, { expiresOn: '2027-10-31', remaining: 120 }] });
    expect(fortyDays.data?.customer.club.expiringSoon).toEqual([{ expiresOn: '2026-12-31', points: 80 }]);
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'days' });
  });
});
