// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { LedgerEntryRecord, LotRecord, MembershipRecord } from '../../src/club/club-records.js';

export type ClubMembershipMapper = MembershipRecord;
export type ClubLedgerEntryMapper = LedgerEntryRecord;
export type ClubPointsLotMapper = LotRecord;
