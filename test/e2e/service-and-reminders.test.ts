import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { ALL_SCOPES, createCustomer, createDealer, issueKey, nextVin } from '../support/fixtures.js';

/**
 * Service history, predictions, reminders and the dealer forecast through the Lambda
 * handler, with a clock the test moves.
 */
describe('Lambda handler: service visits, reminders and forecast', () => {
  let api: TestApi;
  let now = new Date('2026-03-20T09:00:00Z');
  let dealerA: { id: string }, dealerB: { id: string };
  let keyA: Record<string, string>, keyB: Record<string, string>, readOnlyA: Record<string, string>;
  let owner: { id: string };
  const vin = nextVin();
  const SERVICE_SCOPES = [...ALL_SCOPES, 'SERVICE_WRITE'];

  const register = (headers: Record<string, string>, input: Record<string, unknown>) =>
    api.call(`mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { vin } userErrors { field code } } }`, { input }, headers);
  const car = (ownerId: string, vin: string, modelLine: string, powertrain: string, purchaseDate: string) => ({
    vin,
    ownerId,
    modelLine,
    variant: modelLine,
    powertrain,
    modelYear: Number(purchaseDate.slice(0, 4)),
    purchaseDate,
    purchasePrice: { amount: '100000', currency: 'EUR' },
    odometerKm: 10,
    odometerReadAt: `${purchaseDate}T10:00:00Z`,
  });
  const runJob = (at: string) =>
    runRemindersJob(
      { reminders: api.store.repos.reminders, customers: api.store.repos.customers, logger: createLogger({}, { level: 'error', write: () => true }) },
      { now: new Date(at) },
    );

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealerA = await createDealer(api, 'DE-SVC-A');
    dealerB = await createDealer(api, 'DE-SVC-B');
    keyA = { 'x-api-key': (await issueKey(api, dealerA.id, SERVICE_SCOPES)).secret };
    keyB = { 'x-api-key': (await issueKey(api, dealerB.id, SERVICE_SCOPES)).secret };
    readOnlyA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_READ', 'VEHICLES_READ'])).secret };
    owner = await createCustomer(api, keyA);
    await api.call(
      `mutation($id: ID!) { setConsents(input: { customerId: $id, consents: [{ channel: PUSH, granted: false, source: "app" }, { channel: EMAIL, granted: true, source: "app" }] }) { userErrors { code } } }`,
      { id: owner.id },
      api.bearer('admin'),
    );
    // A 911 bought on 2025-03-25: its first oil service is due on 2026-03-25 by the calendar —
    // certainly so once a reading shows it far from 15,000 km (with the registration reading
    // alone, the car might drive twice the 911 norm, and the reminder would go out earlier).
    expect((await register(keyA, car(owner.id, vin, 'NINE_ELEVEN', 'PETROL', '2025-03-25'))).data?.registerVehicle.userErrors).toEqual([]);
    const reading = await api.call(`mutation { recordOdometerReading(input: { vin: "${vin}", km: 6000, readAt: "2026-03-01T09:00:00Z" }) { userErrors { code } } }`, {}, keyA);
    expect(reading.data?.recordOdometerReading.userErrors).toEqual([]);
  });
  afterAll(() => api.close());

  const visit = (overrides: Record<string, unknown> = {}) => ({
    vin,
    performedAt: '2026-03-19T10:00:00Z',
    odometerKm: 7_900,
    kind: 'MAINTENANCE',
    items: [{ code: 'OIL_SERVICE', parts: [{ description: 'Mobil 1 0W-40, 9 l', quantity: 9, amount: { amount: '180.00', currency: 'EUR' } }], labour: [{ description: 'Oil service', quantity: 1.5, amount: { amount: '270.00', currency: 'EUR' } }] }],
    totalAmount: { amount: '450.00', currency: 'EUR' },
    waitTimeMinutes: 75,
    firstTimeFix: true,
    ...overrides,
  });
  const recordVisit = (input: Record<string, unknown>, headers = keyA) =>
    api.call(
      `mutation($input: RecordServiceVisitInput!) { recordServiceVisit(input: $input) { serviceVisit { id kind totalAmount { amount } items { code name } } vehicle { odometer { km } } completedReminder { status } userErrors { field code } } }`,
      { input },
      headers,
    );
  const history = async () => (await api.call(`query($vin: String!) { vehicle(vin: $vin) { odometer { km } serviceHistory { edges { node { id } } } } }`, { vin }, api.bearer('admin'))).data?.vehicle;

  it('predicts the next service from the calendar and the car’s own mileage, with the approved oil', async () => {
    const res = await api.call(
      `query($vin: String!) { vehicle(vin: $vin) { nextService { item { code intervalMonths intervalKm } dueDate dueOdometerKm basis confidence recommendedProducts { name specification } } mileageRate { source kmPerYear } } }`,
      { vin },
      keyA,
    );
    expect(res.data?.vehicle).toEqual({
      nextService: {
        item: { code: 'OIL_SERVICE', intervalMonths: 12, intervalKm: 15_000 },
        dueDate: '2026-03-25',
        dueOdometerKm: 15_010,
        basis: 'CALENDAR',
        confidence: expect.any(Number),
        recommendedProducts: [{ name: 'Mobil 1 ESP X3 0W-40', specification: 'Porsche A40' }, { name: 'Genuine oil filter', specification: null }],
      },
      mileageRate: { source: 'HISTORY', kmPerYear: expect.any(Number) },
    });
    // 5,990 km in 341 days (6,400 km/year), leaning a little towards the 911 table's 8,000 while it is one interval.
    expect(res.data?.vehicle.mileageRate.kmPerYear).toBeGreaterThan(6_300);
    expect(res.data?.vehicle.mileageRate.kmPerYear).toBeLessThan(7_500);
    // 9,000 km in the 24 days left is beyond any plausible rate: the calendar date is as good as certain.
    expect(res.data?.vehicle.nextService.confidence).toBeGreaterThanOrEqual(0.99);
  });

  it('refuses bad visits with a code per problem and writes nothing', async () => {
    const before = await history();
    const cases: [Record<string, unknown>, Record<string, string>, string, string][] = [
      [{ performedAt: '2026-03-21T10:00:00Z' }, keyA, 'input.performedAt', 'IN_FUTURE'],
      [{ odometerKm: 5 }, keyA, 'input.odometerKm', 'ODOMETER_DECREASE'],
      [{ vin: nextVin() }, keyA, 'input.vin', 'NOT_FOUND'],
      [{}, keyB, 'input.vin', 'NOT_FOUND'],
      [{ items: [{ code: 'FLUX_CAPACITOR' }], totalAmount: { amount: '10', currency: 'EUR' } }, keyA, 'input.items.0.code', 'UNKNOWN_SERVICE_ITEM'],
      [{ totalAmount: { amount: '-450.00', currency: 'EUR' } }, keyA, 'input.totalAmount.amount', 'NEGATIVE_AMOUNT'],
      [{ totalAmount: { amount: '500.00', currency: 'EUR' } }, keyA, 'input.totalAmount.amount', 'INVALID'],
      [{ items: [{ code: 'OIL_SERVICE', labour: [{ description: 'x', amount: { amount: '-1', currency: 'EUR' } }] }], totalAmount: { amount: '0', currency: 'EUR' } }, keyA, 'input.items.0.labour.0.amount.amount', 'NEGATIVE_AMOUNT'],
      [{ waitTimeMinutes: -3 }, keyA, 'input.waitTimeMinutes', 'OUT_OF_RANGE'],
    ];
    for (const [override, headers, field, code] of cases) {
      const res = await recordVisit(visit(override), headers);
      expect(res.data?.recordServiceVisit.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]), JSON.stringify(override)).toEqual([[field, code]]);
    }
    expect(await history()).toEqual(before);
    const noScope = await recordVisit(visit(), readOnlyA);
    expect(noScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  describe('a reminder’s life', () => {
    let reminderId: string;
    const reminderQuery = `query($id: ID!) { node(id: $id) { ... on MaintenanceReminder { status channel deliverable dueDate items { item { code } dueDate basis recommendedProducts { specification } } booking { appointmentAt dealer { id } } completedAt } } }`;

    it('is created once by the job 14 days ahead, through the channel the owner consented to', async () => {
      // The job on 2026-03-10 sees the oil service due 2026-03-25 (within 14 days + 1).
      expect((await runJob('2026-03-10T06:00:00Z')).remindersCreated).toBe(0);
      expect((await runJob('2026-03-11T06:00:00Z')).remindersCreated).toBe(1);
      expect((await runJob('2026-03-11T06:00:00Z')).remindersCreated).toBe(0);
      const res = await api.call(`query($id: ID!) { customer(id: $id) { reminders { edges { node { id status } } } } }`, { id: owner.id }, api.bearer('customer', Buffer.from(owner.id, 'base64url').toString().split(':')[1]));
      expect(res.data?.customer.reminders.edges).toHaveLength(1);
      reminderId = res.data?.customer.reminders.edges[0].node.id;
      const reminder = await api.call(reminderQuery, { id: reminderId }, keyA);
      expect(reminder.data?.node).toMatchObject({ status: 'OPEN', channel: 'EMAIL', deliverable: true, dueDate: '2026-03-25', items: [{ item: { code: 'OIL_SERVICE' }, dueDate: '2026-03-25', basis: 'CALENDAR', recommendedProducts: [{ specification: 'Porsche A40' }, { specification: null }] }] });
    });

    it('is invisible to another dealer and read-only for analysts', async () => {
      expect((await api.call(reminderQuery, { id: reminderId }, keyB)).data?.node).toBeNull();
      const ack = await api.call(`mutation($id: ID!) { acknowledgeReminder(input: { id: $id }) { reminder { status } } }`, { id: reminderId }, api.bearer('analyst'));
      expect(ack.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const other = await api.call(`mutation($id: ID!) { acknowledgeReminder(input: { id: $id }) { userErrors { code } } }`, { id: reminderId }, keyB);
      expect(other.data?.acknowledgeReminder.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    });

    it('is acknowledged and booked by the owner', async () => {
      const customer = api.bearer('customer', Buffer.from(owner.id, 'base64url').toString().split(':')[1]);
      const ack = await api.call(`mutation($id: ID!) { acknowledgeReminder(input: { id: $id }) { reminder { status acknowledgedAt } userErrors { code } } }`, { id: reminderId }, customer);
      expect(ack.data?.acknowledgeReminder.reminder).toEqual({ status: 'ACKNOWLEDGED', acknowledgedAt: now.toISOString() });
      const again = await api.call(`mutation($id: ID!) { acknowledgeReminder(input: { id: $id }) { userErrors { code } } }`, { id: reminderId }, customer);
      expect(again.data?.acknowledgeReminder.userErrors).toEqual([{ code: 'INVALID_STATUS' }]);
      const past = await api.call(`mutation($id: ID!) { bookServiceFromReminder(input: { id: $id, appointmentAt: "2026-03-01T09:00:00Z" }) { userErrors { field code } } }`, { id: reminderId }, customer);
      expect(past.data?.bookServiceFromReminder.userErrors).toEqual([{ field: ['input', 'appointmentAt'], code: 'INVALID_DATE' }]);
      const book = await api.call(`mutation($id: ID!) { bookServiceFromReminder(input: { id: $id, appointmentAt: "2026-03-24T08:30:00+01:00" }) { reminder { status booking { appointmentAt dealer { id } } } userErrors { code } } }`, { id: reminderId }, customer);
      expect(book.data?.bookServiceFromReminder.reminder).toEqual({ status: 'BOOKED', booking: { appointmentAt: '2026-03-24T07:30:00.000Z', dealer: { id: dealerA.id } } });
    });

    it('is completed by the visit that performs its items, which also moves the next due date', async () => {
      // Act: the workshop records the oil service
      const res = await recordVisit(visit());
      // Assess
      expect(res.data?.recordServiceVisit).toMatchObject({ serviceVisit: { kind: 'MAINTENANCE', totalAmount: { amount: '450.00' }, items: [{ code: 'OIL_SERVICE', name: 'Oil service' }] }, vehicle: { odometer: { km: 7_900 } }, completedReminder: { status: 'COMPLETED' }, userErrors: [] });
      const after = await api.call(
        `query($vin: String!) { vehicle(vin: $vin) { nextService { item { code } dueDate } servicePlan { item { code } lastPerformedAt } serviceHistory { edges { node { waitTimeMinutes firstTimeFix dealer { id } } } } reminders(status: COMPLETED) { edges { node { id } } } } }`,
        { vin },
        keyA,
      );
      const vehicle = after.data?.vehicle;
      expect(vehicle.servicePlan.find((p: { item: { code: string } }) => p.item.code === 'OIL_SERVICE').lastPerformedAt).toBe('2026-03-19');
      expect(vehicle.nextService.dueDate > '2026-03-25').toBe(true);
      expect(vehicle.serviceHistory.edges).toEqual([{ node: { waitTimeMinutes: 75, firstTimeFix: true, dealer: { id: dealerA.id } } }]);
      expect(vehicle.reminders.edges).toEqual([{ node: { id: reminderId } }]);
      const dismiss = await api.call(`mutation($id: ID!) { dismissReminder(input: { id: $id, reason: "done" }) { userErrors { code } } }`, { id: reminderId }, keyA);
      expect(dismiss.data?.dismissReminder.userErrors).toEqual([{ code: 'INVALID_STATUS' }]);
      const customerHistory = await api.call(`query($id: ID!) { customer(id: $id) { serviceHistory { edges { node { vehicle { vin } } } } } }`, { id: owner.id }, keyA);
      expect(customerHistory.data?.customer.serviceHistory.edges).toEqual([{ node: { vehicle: { vin } } }]);
    });

    it('can be dismissed with a reason by the dealer', async () => {
      // A second car, due now, reminded, then dismissed because it was sold privately.
      const secondVin = nextVin();
      expect((await register(keyA, car(owner.id, secondVin, 'MACAN', 'PETROL', '2025-03-30'))).data?.registerVehicle.userErrors).toEqual([]);
      expect((await runJob('2026-03-20T06:00:00Z')).remindersCreated).toBe(1);
      const list = await api.call(`query($vin: String!) { vehicle(vin: $vin) { reminders(status: OPEN) { edges { node { id } } } } }`, { vin: secondVin }, keyA);
      const id = list.data?.vehicle.reminders.edges[0].node.id;
      const empty = await api.call(`mutation($id: ID!) { dismissReminder(input: { id: $id, reason: " " }) { userErrors { field code } } }`, { id }, keyA);
      expect(empty.data?.dismissReminder.userErrors).toEqual([{ field: ['input', 'reason'], code: 'REQUIRED' }]);
      const res = await api.call(`mutation($id: ID!) { dismissReminder(input: { id: $id, reason: "Sold privately" }) { reminder { status dismissal { reason dismissedAt } } } }`, { id }, keyA);
      expect(res.data?.dismissReminder.reminder).toEqual({ status: 'DISMISSED', dismissal: { reason: 'Sold privately', dismissedAt: now.toISOString() } });
    });
  });

  describe('the dealer forecast', () => {
    it('expects per day and week the sum of the cars’ probabilities, with a band, for the dealer’s own cars, against a hand-computed plan', async () => {
      // Prepare: on 2026-12-01, dealer C services five cars. Four have a reading on 11-20 far
      // from any distance interval, so their calendar dates are certain:
      //   Macan petrol bought 2025-12-10 → oil service 2026-12-10
      //   Macan petrol bought 2025-12-12 → oil service 2026-12-12
      //   Taycan bought 2024-12-15 → inspection, brake fluid, cabin filter, HV battery on 2026-12-15
      //   911 bought 2025-11-25 → oil service 2026-11-25: overdue
      // The fifth, a Macan bought 2026-01-05 with its registration reading alone, is likely due
      // by the calendar on 2027-01-05 but might have driven 15,000 km sooner: a little of it
      // falls in the period. Dealer B has a Macan due 2026-12-10, which C must not see.
      now = new Date('2026-12-01T08:00:00Z');
      const dealerC = await createDealer(api, 'DE-SVC-C');
      const keyC = { 'x-api-key': (await issueKey(api, dealerC.id, SERVICE_SCOPES)).secret };
      const c = await createCustomer(api, keyC);
      const b = await createCustomer(api, keyB);
      const cars: [Record<string, string>, string, string, string, string, number | null][] = [
        [keyC, c.id, 'MACAN', 'PETROL', '2025-12-10', 5_000],
        [keyC, c.id, 'MACAN', 'PETROL', '2025-12-12', 5_000],
        [keyC, c.id, 'TAYCAN', 'ELECTRIC', '2024-12-15', 12_000],
        [keyC, c.id, 'NINE_ELEVEN', 'PETROL', '2025-11-25', 5_000],
        [keyC, c.id, 'MACAN', 'PETROL', '2026-01-05', null],
        [keyB, b.id, 'MACAN', 'PETROL', '2025-12-10', 5_000],
      ];
      const vins: string[] = [];
      for (const [key, ownerId, line, powertrain, bought, km] of cars) {
        const v = nextVin();
        vins.push(v);
        expect((await register(key, car(ownerId, v, line, powertrain, bought))).data?.registerVehicle.userErrors).toEqual([]);
        if (km === null) continue;
        const reading = await api.call(`mutation { recordOdometerReading(input: { vin: "${v}", km: ${km}, readAt: "2026-11-20T09:00:00Z" }) { userErrors { code } } }`, {}, key);
        expect(reading.data?.recordOdometerReading.userErrors).toEqual([]);
      }
      // Act
      const res = await api.call(
        `query($id: ID!) { dealer(id: $id) { serviceForecast(days: 15) { from to expectedVisits low high overdueVehicles days { date expectedVisits items { item { code } count } vehicles { vin } } weeks { weekStart expectedVisits low high items { item { code } count } } } } }`,
        { id: dealerC.id },
        keyC,
      );
      // Assess
      expect(res.errors).toBeUndefined();
      const forecast = res.data?.dealer.serviceForecast;
      expect(forecast).toMatchObject({ from: '2026-12-01', to: '2026-12-15', overdueVehicles: 1 });
      // Three certain visits and a small share of the uncertain Macan, spread over the days.
      const uncertain = forecast.expectedVisits - 3;
      expect(uncertain).toBeGreaterThan(0);
      expect(uncertain).toBeLessThan(0.5);
      expect(forecast.low).toBe(3);
      expect(forecast.high).toBe(4);
      expect(forecast.days).toHaveLength(15);
      const certain = (date: string) => forecast.days.find((d: { date: string }) => d.date === date);
      const oil = [{ item: { code: 'OIL_SERVICE' }, count: 1 }];
      const taycan = ['BRAKE_FLUID', 'CABIN_FILTER', 'HV_BATTERY_CHECK', 'INSPECTION'].map((code) => ({ item: { code }, count: 1 }));
      for (const [date, items, vin] of [['2026-12-10', oil, vins[0]], ['2026-12-12', oil, vins[1]], ['2026-12-15', taycan, vins[2]]] as const) {
        const day = certain(date);
        expect(day.expectedVisits, date).toBeGreaterThanOrEqual(1);
        expect(day.expectedVisits, date).toBeLessThan(1.1);
        expect(day.items, date).toEqual(expect.arrayContaining(items.map((i) => ({ item: i.item, count: expect.closeTo(1, 0) }))));
        expect(day.vehicles, date).toEqual([{ vin }]);
      }
      // The uncertain Macan is listed nowhere (its likely date is in January), yet counts a little every day.
      const others = forecast.days.filter((d: { date: string }) => !['2026-12-10', '2026-12-12', '2026-12-15'].includes(d.date));
      expect(others.every((d: { expectedVisits: number; vehicles: unknown[] }) => d.expectedVisits < 0.1 && d.vehicles.length === 0)).toBe(true);
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      expect(sum(forecast.days.map((d: { expectedVisits: number }) => d.expectedVisits))).toBeCloseTo(forecast.expectedVisits, 1);
      expect(forecast.weeks.map((w: { weekStart: string; low: number; high: number }) => [w.weekStart, w.low, w.high])).toEqual([
        ['2026-11-30', 0, 1],
        ['2026-12-07', 2, 3],
        ['2026-12-14', 1, 2],
      ]);
      for (const week of forecast.weeks) {
        expect(week.low).toBeLessThanOrEqual(week.expectedVisits);
        expect(week.high).toBeGreaterThanOrEqual(week.expectedVisits);
      }
      expect(forecast.weeks.map((w: { expectedVisits: number }) => Math.floor(w.expectedVisits))).toEqual([0, 2, 1]);
      // Another dealer's key sees neither the dealer nor its forecast.
      expect((await api.call(`query($id: ID!) { dealer(id: $id) { serviceForecast { expectedVisits } } }`, { id: dealerC.id }, keyB)).data?.dealer).toBeNull();
      const tooLong = await api.call(`query($id: ID!) { dealer(id: $id) { serviceForecast(days: 365) { expectedVisits } } }`, { id: dealerC.id }, keyC);
      expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });
});
