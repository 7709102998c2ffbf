import { userError, type UserError } from '../shared/user-error.js';
import { checkIntRange, checkMoney, checkText } from '../shared/validation.js';
import type { Money } from '../shared/money.js';
import { isKnownServiceItem, maintenanceItem, serviceItemName } from './maintenance-catalogue.js';
import type { PerformedItem, ServiceLine } from './service-visit.js';

export interface ServiceLineInput {
  description: string;
  quantity?: number | null;
  amount: { amount: string; currency: string };
}

export interface ServiceItemInput {
  code: string;
  description?: string | null;
  parts?: readonly ServiceLineInput[] | null;
  labour?: readonly ServiceLineInput[] | null;
}

export const MAX_ITEMS = 30;
export const MAX_LINES = 50;
/** A workshop invoice (and each of its lines) in euros, scaled per currency: far above an engine rebuild. */
const MAX_INVOICE = 1_000_000;

/**
 * Checks a visit's items and invoice: known catalogue codes, sane lines, one currency,
 * and a total that is the sum of the lines when lines are given. Returns the parsed
 * items and total when there is nothing to fix.
 */
export function checkServiceItems(
  items: readonly ServiceItemInput[],
  totalInput: { amount: string; currency: string },
): { errors: UserError[]; items?: PerformedItem[]; total?: Money } {
  const errors: UserError[] = [];
  if (items.length === 0) errors.push(userError('items', 'REQUIRED', 'Record at least one item performed.'));
  if (items.length > MAX_ITEMS) errors.push(userError('items', 'TOO_MANY', `At most ${MAX_ITEMS} items per visit.`));
  const total = checkMoney('totalAmount', totalInput, { maxEuros: MAX_INVOICE });
  errors.push(...total.errors);

  const parsed: PerformedItem[] = [];
  let linesSum = 0;
  let lineCount = 0;
  items.forEach((item, i) => {
    const code = item.code.trim().toUpperCase();
    if (!isKnownServiceItem(code)) errors.push(userError(`items.${i}.code`, 'UNKNOWN_SERVICE_ITEM', `"${item.code}" is not in the service catalogue.`));
    if (item.description != null) errors.push(...checkText(`items.${i}.description`, item.description, { max: 200 }));
    const lines = (kind: 'parts' | 'labour'): ServiceLine[] =>
      (item[kind] ?? []).flatMap((line, n) => {
        const field = `items.${i}.${kind}.${n}`;
        lineCount++;
        const lineErrors = [...checkText(`${field}.description`, line.description, { max: 200 })];
        const quantity = line.quantity ?? 1;
        if (!(quantity > 0 && quantity <= 1_000)) lineErrors.push(userError(`${field}.quantity`, 'OUT_OF_RANGE', 'Quantity must be more than 0 and at most 1000.'));
        const money = checkMoney(`${field}.amount`, line.amount, { maxEuros: MAX_INVOICE });
        lineErrors.push(...money.errors);
        if (money.money && total.money && money.money.currency !== total.money.currency) {
          lineErrors.push(userError(`${field}.amount.currency`, 'INVALID', `All lines must be in the total's currency (${total.money.currency}).`));
        }
        errors.push(...lineErrors);
        if (lineErrors.length || !money.money) return [];
        linesSum += money.money.amountMinor; // ≤ 50 lines of a bounded amount: a safe integer
        return [{ description: line.description.trim(), quantity, amount: money.money }];
      });
    parsed.push({ code, description: item.description?.trim() || maintenanceItem(code)?.description || serviceItemName(code), parts: lines('parts'), labour: lines('labour') });
  });
  if (lineCount > MAX_LINES) errors.push(userError('items', 'TOO_MANY', `At most ${MAX_LINES} invoice lines per visit.`));
  if (errors.length === 0 && lineCount > 0 && total.money && linesSum !== total.money.amountMinor) {
    errors.push(userError('totalAmount.amount', 'INVALID', 'The total must be the sum of the parts and labour lines.'));
  }
  return errors.length ? { errors } : { errors, items: parsed, total: total.money };
}

export function checkWaitTime(minutes: number): UserError[] {
  return checkIntRange('waitTimeMinutes', minutes, 0, 7 * 24 * 60);
}
