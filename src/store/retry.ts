/** Exponential backoff with full jitter, as AWS recommends for retries of unprocessed items. */
export function backoffDelayMs(attempt: number, baseMs = 25, capMs = 2_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
