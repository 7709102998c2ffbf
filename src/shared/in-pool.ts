/**
 * Runs `work` over `values` with at most `workers` in flight, each worker taking the next
 * value as soon as it is done — unlike `inBatches`, a long item does not hold up the
 * others (a seed replaying members' histories of different lengths, a benchmark's steady
 * load). The first failure is thrown once every worker has stopped.
 *
 * @example
 * await inPool(members, 16, (m) => replayHistory(m));
 */
export async function inPool<T>(values: readonly T[], workers: number, work: (value: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(workers, values.length) }, async () => {
      while (!failed && next < values.length) {
        try {
          await work(values[next++]!);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
