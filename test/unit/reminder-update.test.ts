import { describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { anchorItem, isWideWindow, needsReading, readingRequestFor } from '../../src/reminder/reading-request.js';
import type { ReminderRecord } from '../../src/reminder/reminder.js';
import { broughtForward, reminderItems } from '../../src/reminder/reminder-update.js';
import type { ItemPrediction } from '../../src/service/prediction.js';
import { makeVehicle, type VehicleRecord } from '../../src/vehicle/vehicle.js';

const item = (code: string, likely: string, earlyDue: string, window?: [string, string]): ItemPrediction => ({
  code,
  dueDate: likely,
  basis: 'MILEAGE',
  confidence: 0.8,
  earlyDue,
  ...(window ? { dueWindow: { earliest: window[0], likely, latest: window[1] } } : {}),
});
const planned = (items: ItemPrediction[], overrides: Partial<VehicleRecord> = {}) =>
  makeVehicle({ servicePlan: { rate: { kmPerYear: 12_000, source: 'HISTORY', quality: 1 }, items, earlyDue: items.map((i) => i.earlyDue!).sort()[0] }, remindedCycle: 1, ...overrides });

describe('Function: anchorItem / isWideWindow', () => {
  it('times a reminder by the earliest anchor, not the earliest likely date', () => {
    const calendar = item('BRAKE_FLUID', '2026-12-10', '2026-12-10');
    const uncertain = item('OIL_SERVICE', '2026-12-20', '2026-12-05', ['2026-12-08', '2027-01-10']);
    expect(anchorItem([calendar, uncertain])?.code).toBe('OIL_SERVICE');
    expect(anchorItem([])).toBeUndefined();
  });

  it('calls a window wide beyond ±3 days', () => {
    expect(isWideWindow({ earliest: '2026-12-01', likely: '2026-12-04', latest: '2026-12-07' })).toBe(false);
    expect(isWideWindow({ earliest: '2026-12-01', likely: '2026-12-04', latest: '2026-12-08' })).toBe(true);
  });
});

describe('Function: readingRequestFor', () => {
  const now = new Date('2026-12-01T06:00:00Z');
  const wide = () => planned([item('OIL_SERVICE', '2027-01-01', '2026-12-20', ['2026-12-22', '2027-01-20'])], { remindedCycle: 0, odometerReadAt: '2026-10-01T00:00:00.000Z' });
  const owner = makeCustomer({ consents: { SMS: { channel: 'SMS', granted: true, source: 'app', recordedAt: '2026-01-01T00:00:00.000Z' } } });

  it('asks through the owner’s channel for the current cycle', () => {
    expect(readingRequestFor(wide(), owner, now)).toMatchObject({ cycle: 1, channel: 'SMS', reason: 'WIDE_WINDOW', dueWindow: { earliest: '2026-12-22', latest: '2027-01-20' } });
  });

  it.each([
    ['read 13 days ago', { odometerReadAt: '2026-11-18T07:00:00.000Z' }],
    ['asked this cycle', { readingRequestedCycle: 1 }],
    ['already reminded', { remindedCycle: 1 }],
  ] as const)('does not ask a car %s', (_, overrides) => {
    expect(needsReading({ ...wide(), ...overrides }, now)).toBe(false);
  });

  it('does not ask an owner who consented to nothing', () => {
    expect(readingRequestFor(wide(), makeCustomer({ consents: {} }), now)).toBeNull();
  });
});

describe('Function: broughtForward', () => {
  const reminder: ReminderRecord = {
    vin: 'WP0ZZZ99ZTS392124',
    cycle: 1,
    customerId: 'C',
    dealerId: 'D',
    dueDate: '2026-12-15',
    items: [{ code: 'OIL_SERVICE', dueDate: '2026-12-15', basis: 'MILEAGE', recommendedProducts: [{ name: 'as sent', specification: null } as never] }],
    channel: 'EMAIL',
    deliverable: true,
    status: 'OPEN',
    createdAt: '2026-12-01T06:00:00.000Z',
  };
  const at = '2026-12-03T10:00:00.000Z';

  it('moves the date earlier, keeps what was recommended, adds items now due and counts the revision', () => {
    const vehicle = planned([item('OIL_SERVICE', '2026-12-12', '2026-12-08', ['2026-12-06', '2026-12-20']), item('CABIN_FILTER', '2026-12-16', '2026-12-16'), item('SPARK_PLUGS', '2027-06-01', '2027-06-01')]);
    const updated = broughtForward(reminder, vehicle, at)!;
    expect(updated).toMatchObject({ dueDate: '2026-12-08', revision: 2, updatedAt: at, status: 'OPEN', createdAt: reminder.createdAt });
    expect(updated.items.map((i) => [i.code, i.dueDate])).toEqual([['OIL_SERVICE', '2026-12-08'], ['CABIN_FILTER', '2026-12-16']]);
    expect(updated.items[0]!.recommendedProducts).toEqual(reminder.items[0]!.recommendedProducts);
    expect(broughtForward({ ...updated }, vehicle, at)).toBeNull();
  });

  it.each([
    ['a later date', '2026-12-20', 'OPEN'],
    ['the same date', '2026-12-15', 'OPEN'],
    ['a booked reminder', '2026-12-05', 'BOOKED'],
    ['a dismissed reminder', '2026-12-05', 'DISMISSED'],
  ] as const)('changes nothing for %s', (_, anchor, status) => {
    expect(broughtForward({ ...reminder, status }, planned([item('OIL_SERVICE', anchor, anchor)]), at)).toBeNull();
  });

  it('lists a reminder’s items earliest anchor first', () => {
    const items = reminderItems(makeVehicle(), [item('A', '2026-12-05', '2026-12-05'), item('B', '2026-12-09', '2026-12-01', ['2026-11-30', '2026-12-30'])], '2026-11-25');
    expect(items.map((i) => i.code)).toEqual(['B', 'A']);
  });
});
