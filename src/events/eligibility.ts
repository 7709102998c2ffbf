import type { ModelLine } from '../catalogue/model-lines.js';
import { CLUB_RULES, type ClubLevel, type ClubRules } from '../club/rules.js';
import type { EventEligibility } from './event-records.js';

/**
 * Who may take a seat at an event: pure rules on plain data (the member's level and the
 * cars they own now), so the registration, the hold offered to the next waitlisted member
 * and the tests all decide the same way.
 */

/** Whether `level` is `minimum` or above, in the programme's order of levels. */
export function levelAtLeast(level: ClubLevel, minimum: ClubLevel, rules: ClubRules = CLUB_RULES): boolean {
  const rank = (l: ClubLevel) => rules.levels.findIndex((r) => r.level === l);
  return rank(level) >= rank(minimum);
}

/**
 * Whether a car's variant is of a variant family named by the event. A term matches a word
 * of the variant exactly or followed only by digits, ignoring case: `GT` matches
 * `911 GT3 RS` and `718 Cayman GT4`, but not `911 Carrera GTS` (a GTS is not a GT car);
 * `Turbo` matches `911 Turbo S`; a term of several words must match consecutive words.
 *
 * @example
 * variantMatches('911 GT3 RS', 'GT') // true
 * variantMatches('911 Carrera GTS', 'GT') // false
 */
export function variantMatches(variant: string, term: string): boolean {
  const words = variant.trim().toLowerCase().split(/\s+/);
  const wanted = term.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (wanted.length === 0) return false;
  const matchesWord = (word: string, t: string) => word === t || (word.startsWith(t) && /^\d+$/.test(word.slice(t.length)));
  for (let start = 0; start + wanted.length <= words.length; start++) {
    if (wanted.every((t, i) => (i === wanted.length - 1 ? matchesWord(words[start + i]!, t) : words[start + i] === t))) return true;
  }
  return false;
}

export interface OwnedCar {
  modelLine: ModelLine;
  variant: string;
}

/** Whether an event asks about the member's cars at all (then they are read; otherwise not). */
export const asksForCars = (e: EventEligibility) => e.modelLines.length > 0 || e.variants.length > 0;

/** Whether one of the cars the member owns now satisfies the event's model-line and variant conditions. */
export function ownsEligibleCar(e: EventEligibility, cars: readonly OwnedCar[]): boolean {
  if (!asksForCars(e)) return true;
  return cars.some((car) => (e.modelLines.length === 0 || e.modelLines.includes(car.modelLine)) && (e.variants.length === 0 || e.variants.some((v) => variantMatches(car.variant, v))));
}

export type Ineligibility = 'INELIGIBLE_LEVEL' | 'INELIGIBLE_MODEL';

/** Why a member may not take a seat, the level first; null when they may. */
export function ineligibility(e: EventEligibility, member: { level: ClubLevel }, cars: readonly OwnedCar[], rules: ClubRules = CLUB_RULES): Ineligibility | null {
  if (e.minimumLevel && !levelAtLeast(member.level, e.minimumLevel, rules)) return 'INELIGIBLE_LEVEL';
  if (!ownsEligibleCar(e, cars)) return 'INELIGIBLE_MODEL';
  return null;
}

/**
 * Which waitlisted registrations get the freed seats: in arrival order, each one whose
 * party fits in the seats still free and who is still eligible (checked lazily, so only
 * the members reached are read), until the seats run out or `maxOffers` are made. A party
 * too large for the seats is passed over, not blocked on: the seats go to the next party
 * that fits, and the larger one keeps its place for the next seats to free.
 */
export async function chooseOffers<T>(candidates: readonly T[], freeSeats: number, seatsOf: (t: T) => number, eligible: (t: T) => Promise<boolean>, maxOffers = Number.POSITIVE_INFINITY): Promise<T[]> {
  const chosen: T[] = [];
  let left = freeSeats;
  for (const candidate of candidates) {
    if (left <= 0 || chosen.length >= maxOffers) break;
    if (seatsOf(candidate) > left) continue;
    if (!(await eligible(candidate))) continue;
    chosen.push(candidate);
    left -= seatsOf(candidate);
  }
  return chosen;
}
