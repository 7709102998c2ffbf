// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { ClubEventRecord, EventRegistrationRecord } from '../../src/events/event-records.js';

export type ClubEventMapper = ClubEventRecord;
export type EventRegistrationMapper = EventRegistrationRecord;
/** The host is the event's own field: the dealer, or none for the brand. */
export type ClubEventHostMapper = Pick<ClubEventRecord, 'hostDealerId'>;
