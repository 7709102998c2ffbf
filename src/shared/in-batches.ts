/**
 * Runs `work` over values, `size` at a time. A failure is thrown only once its batch has
 * settled, so a job that fails leaves no write still in flight behind the error.
 */
export async function inBatches<T>(values: readonly T[], size: number, work: (value: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < values.length; i += size) {
    const results = await Promise.allSettled(values.slice(i, i + size).map(work));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }
}
