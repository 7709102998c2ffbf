import { expect } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import type { TestApi } from './api.js';

/**
 * Club events through the API, with members made directly in the store (a customer and
 * a membership each): the behaviour under test goes through the Lambda handler, the
 * setup of fifty members does not need to.
 */
export const customerGlobalId = (id: string) => toGlobalId('Customer', id);
export const keyOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

/** A customer who joined the club at `at`, optionally with points available at once (an admin adjustment), linked to `dealerId`. */
export async function makeMember(api: TestApi, at: string, { points = 0, dealerId, join = true }: { points?: number; dealerId?: string; join?: boolean } = {}) {
  const customer = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com`, dealerIds: dealerId ? [dealerId] : [] });
  expect(await api.store.repos.customers.create(customer, dealerId)).toBe('CREATED');
  if (join) {
    const joined = await api.store.repos.ledger.join({ customerId: customer.id, consent: { source: 'APP', at, recordedBy: { kind: 'customer', id: customer.id } }, at });
    expect(joined.ok).toBe(true);
  }
  if (points) expect((await api.store.repos.ledger.adjust({ customerId: customer.id, points, reason: 'Welcome points', at, by: { kind: 'admin', id: 'test' } })).ok).toBe(true);
  return { id: customer.id, gid: customerGlobalId(customer.id), headers: api.bearer('customer', customer.id) };
}

export const EVENT_FIELDS = 'id status capacity seatsLeft confirmedSeats heldSeats waitlistLength checkedIn';
export const REGISTRATION_FIELDS = 'id status sequence companions seats holdExpiresAt pointsPaid';

export async function createEvent(api: TestApi, headers: Record<string, string>, input: Record<string, unknown>) {
  const res = await api.call(`mutation($input: CreateClubEventInput!) { createClubEvent(input: $input) { clubEvent { ${EVENT_FIELDS} } userErrors { field code message } } }`, { input }, headers);
  expect(res.errors).toBeUndefined();
  expect(res.data?.createClubEvent.userErrors).toEqual([]);
  return res.data!.createClubEvent.clubEvent as { id: string; capacity: number; seatsLeft: number };
}

export const eventInput = (startsAt: string, overrides: Record<string, unknown> = {}) => ({
  kind: 'TRACK_DAY',
  title: 'Track Day Hockenheim',
  description: 'A day on the Grand Prix circuit with instructors.',
  location: { name: 'Porsche Experience Centre Hockenheimring', city: 'Hockenheim', country: 'DE' },
  startsAt,
  endsAt: new Date(Date.parse(startsAt) + 8 * 3_600_000).toISOString(),
  capacity: 10,
  ...overrides,
});

type Mutation = 'registerForEvent' | 'cancelEventRegistration' | 'acceptEventSeat' | 'declineEventSeat' | 'checkInAttendee';
const INPUT_TYPE: Record<Mutation, string> = {
  registerForEvent: 'RegisterForEventInput',
  cancelEventRegistration: 'EventRegistrationInput',
  acceptEventSeat: 'EventRegistrationInput',
  declineEventSeat: 'EventRegistrationInput',
  checkInAttendee: 'EventRegistrationInput',
};

/** A registration mutation; answers its payload (registration and user errors). */
export async function registration(api: TestApi, mutation: Mutation, input: Record<string, unknown>, headers: Record<string, string>) {
  const res = await api.call(`mutation($input: ${INPUT_TYPE[mutation]}!) { ${mutation}(input: $input) { registration { ${REGISTRATION_FIELDS} } userErrors { field code } } }`, { input }, headers);
  expect(res.errors).toBeUndefined();
  return res.data![mutation] as { registration: { id: string; status: string; sequence: number; seats: number; holdExpiresAt: string | null; pointsPaid: number | null } | null; userErrors: { field: string[]; code: string }[] };
}

export async function eventState(api: TestApi, id: string, headers = api.bearer('admin')) {
  const res = await api.call(`query($id: ID!) { node(id: $id) { ... on ClubEvent { ${EVENT_FIELDS} waitlist(first: 100) { edges { node { sequence status customer { id } } } } } } }`, { id }, headers);
  expect(res.errors).toBeUndefined();
  return res.data!.node as { seatsLeft: number; confirmedSeats: number; heldSeats: number; waitlistLength: number; checkedIn: number; capacity: number; status: string; waitlist: { edges: { node: { sequence: number; status: string; customer: { id: string } } }[] } };
}
