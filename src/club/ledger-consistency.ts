import type { Store } from '../store/store.js';
import type { LedgerEntryRecord, LotRecord, MembershipRecord } from './club-records.js';
import { isLive, sumOfEntries } from './ledger.js';
import { LedgerRepository } from './ledger-repository.js';

/**
 * The auditor's check: recomputes a member's balance and every lot from the append-only
 * entries and compares them with what is stored. An empty list means the ledger is
 * consistent; each discrepancy names what disagrees and by how much.
 */
export interface LedgerDiscrepancy {
  check: 'MEMBERSHIP' | 'BALANCE_IS_SUM_OF_ENTRIES' | 'OWED_IS_SUM_OF_ENTRIES' | 'LOTS_LESS_OWED_IS_BALANCE' | 'LOT_REMAINING' | 'LOT_CREATED' | 'ENTRY_DRAWS' | 'OWED_WITH_POINTS_IN_LOTS' | 'NEGATIVE';
  message: string;
  lotId?: string;
  entryId?: string;
}

/** What an entry moved through lots: + given to a lot, − taken from it. */
function lotMovements(e: LedgerEntryRecord): { lotId: string; points: number }[] {
  const sign = e.points < 0 ? -1 : 1;
  return (e.draws ?? []).map((d) => ({ lotId: d.lotId, points: sign * d.points }));
}

/**
 * Pure: the discrepancies between a membership, its lots and its entries. `at` decides
 * which lots are still live (for "owed only while every live lot is empty").
 */
export function ledgerDiscrepancies(m: MembershipRecord, lots: readonly LotRecord[], entries: readonly LedgerEntryRecord[], at: string): LedgerDiscrepancy[] {
  const found: LedgerDiscrepancy[] = [];
  const sum = sumOfEntries(entries);
  if (sum !== m.balance) found.push({ check: 'BALANCE_IS_SUM_OF_ENTRIES', message: `balance ${m.balance}, Σ entries ${sum}` });
  // Entries record what became owed (−) and what settled it (+).
  const owed = -entries.reduce((s, e) => s + (e.owedChange ?? 0), 0);
  if (owed !== m.owed) found.push({ check: 'OWED_IS_SUM_OF_ENTRIES', message: `owed ${m.owed}, entries say ${owed}` });
  const inLots = lots.reduce((s, l) => s + l.remaining, 0);
  if (inLots - m.owed !== m.balance) found.push({ check: 'LOTS_LESS_OWED_IS_BALANCE', message: `Σ lots ${inLots} − owed ${m.owed} ≠ balance ${m.balance}` });
  if (m.owed < 0) found.push({ check: 'NEGATIVE', message: `owed ${m.owed}` });
  if (m.owed > 0 && lots.some((l) => l.remaining > 0 && isLive(l, at))) found.push({ check: 'OWED_WITH_POINTS_IN_LOTS', message: `owed ${m.owed} while a live lot holds points` });

  const created = new Map<string, number>();
  const moved = new Map<string, number>();
  for (const e of entries) {
    if (e.lotId) created.set(e.lotId, (created.get(e.lotId) ?? 0) + e.points - (e.owedChange ?? 0));
    for (const mv of lotMovements(e)) moved.set(mv.lotId, (moved.get(mv.lotId) ?? 0) + mv.points);
    // Every point of an entry is accounted for: by its lot, its draws, or what is owed.
    const drawn = (e.draws ?? []).reduce((s, d) => s + d.points, 0);
    const accounted = e.lotId ? e.points : e.points < 0 ? -(drawn - (e.owedChange ?? 0)) : drawn + (e.owedChange ?? 0);
    if (accounted !== e.points) found.push({ check: 'ENTRY_DRAWS', entryId: e.id, message: `${e.kind} of ${e.points} accounts for ${accounted} (draws ${drawn}, owed change ${e.owedChange ?? 0})` });
  }
  for (const lot of lots) {
    if (lot.remaining < 0) found.push({ check: 'NEGATIVE', lotId: lot.id, message: `lot remaining ${lot.remaining}` });
    const made = created.get(lot.id);
    if (made !== lot.points) found.push({ check: 'LOT_CREATED', lotId: lot.id, message: `lot of ${lot.points}, created by entries with ${made ?? 'none'}` });
    const expected = lot.points + (moved.get(lot.id) ?? 0);
    if (expected !== lot.remaining) found.push({ check: 'LOT_REMAINING', lotId: lot.id, message: `lot remaining ${lot.remaining}, entries say ${expected}` });
  }
  return found;
}

/**
 * Reads a member's membership, every lot and every entry (consistently) and checks them.
 *
 * @example
 * expect(await checkLedger(store, customerId)).toEqual([]);
 */
export async function checkLedger(store: Store, customerId: string, at: string = new Date().toISOString()): Promise<LedgerDiscrepancy[]> {
  const ledger = new LedgerRepository(store);
  const [m, lots, entries] = await Promise.all([ledger.getMembership(customerId), ledger.allLots(customerId), ledger.allEntries(customerId)]);
  if (!m) return lots.length || entries.length ? [{ check: 'MEMBERSHIP', message: 'lots or entries without a membership' }] : [];
  return ledgerDiscrepancies(m, lots, entries, at);
}
