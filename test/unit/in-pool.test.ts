import { describe, expect, it } from 'vitest';
import { inPool } from '../../src/shared/in-pool.js';

describe('Function: inPool', () => {
  it('does every value once with at most N in flight, a slow one not holding up the rest', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];

    // Act: value 0 is slow; the other worker takes 1…9 meanwhile
    await inPool([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2, async (v) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, v === 0 ? 50 : 1));
      done.push(v);
      inFlight--;
    });

    // Assess
    expect(most).toBe(2);
    expect([...done].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(done.at(-1)).toBe(0);
  });

  it('stops taking values after a failure and throws it once the workers have stopped', async () => {
    const started: number[] = [];
    await expect(
      inPool([1, 2, 3, 4, 5, 6], 2, async (v) => {
        started.push(v);
        if (v === 2) throw new RangeError('bad value');
        await new Promise((r) => setTimeout(r, 5));
      }),
    ).rejects.toThrow('bad value');
    expect(started.length).toBeLessThan(6);
  });
});
