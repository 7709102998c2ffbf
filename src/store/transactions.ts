import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Runs a write transaction. When DynamoDB cancels it because conditions failed, the
 * result names which items' conditions failed (by position), so the caller can turn
 * that into a precise user error; every other fault is thrown.
 */
export async function transactWrite(
  doc: DynamoDBDocumentClient,
  items: TransactItem[],
): Promise<{ ok: true } | { ok: false; failedConditions: number[]; conflicted: boolean }> {
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: items }));
    return { ok: true };
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      // A concurrent transaction on the same item (TransactionConflict) means the item is
      // changing under us: for our version- and existence-guarded writes that is the same
      // answer as a failed condition. Anything else (throttling, validation) is a fault.
      // `conflicted` tells a writer that can tell the two apart (a batch of facts retries a
      // conflict with backoff and reads nothing back) that the items may well be fine.
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict' ? [i] : []));
      if (failed.length > 0) return { ok: false, failedConditions: failed, conflicted: reasons.some((r) => r.Code === 'TransactionConflict') };
    }
    throw error;
  }
}
