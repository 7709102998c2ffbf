import { describe, expect, it } from 'vitest';
import { MalformedItemError } from '../../src/store/entity.js';
import { financeContractEntity, orderEntity, surveyEntity, type FinanceContractRecord, type OrderRecord, type SurveyRecord } from '../../src/value/fact-repository.js';

const order: OrderRecord = { id: 'O1', customerId: 'C1', channel: 'DEALER', lines: [{ sku: 'CAP', description: 'Cap', quantity: 2, unitPrice: { amount: '45.00', currency: 'EUR' } }], totalEurMinor: 9_000, dealerId: 'D1', orderedAt: '2026-11-19T10:00:00.000Z' };
const contract: FinanceContractRecord = {
  id: 'F1',
  customerId: 'C1',
  kind: 'LEASE',
  vin: 'WP0ZZZ99ZTS000001',
  principalMinor: 5_000_000,
  monthlyMinor: 120_000,
  startDate: '2026-01-02',
  endDate: '2029-01-02',
  principal: { amountMinor: 5_000_000, currency: 'EUR' },
  monthlyPayment: { amountMinor: 120_000, currency: 'EUR' },
  termMonths: 36,
};
const survey: SurveyRecord = { id: 'S1', customerId: 'C1', at: '2026-11-19T10:00:00.000Z', kind: 'CSAT', score: 4, touchpoint: 'SERVICE', comment: 'Quick.' };

describe('value fact entities', () => {
  it('read back exactly what they wrote', () => {
    expect(orderEntity.fromItem(orderEntity.toItem(order))).toEqual(order);
    expect(financeContractEntity.fromItem(financeContractEntity.toItem(contract))).toEqual(contract);
    expect(surveyEntity.fromItem(surveyEntity.toItem(survey))).toEqual(survey);
  });

  it('refuse an item with a bad or missing field, naming it', () => {
    expect(() => orderEntity.fromItem({ ...orderEntity.toItem(order), channel: 'MAIL' })).toThrow(MalformedItemError);
    expect(() => financeContractEntity.fromItem({ ...financeContractEntity.toItem(contract), termMonths: undefined })).toThrow(/termMonths/);
    expect(() => surveyEntity.fromItem({ ...surveyEntity.toItem(survey), score: '4' })).toThrow(/score/);
  });

  it('refuse an item of another kind', () => {
    expect(() => orderEntity.fromItem(surveyEntity.toItem(survey))).toThrow(MalformedItemError);
  });
});
