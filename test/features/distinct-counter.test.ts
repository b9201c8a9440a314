// Distinct counting for the host level: exact up to 32 values, a 128-register HyperLogLog above, whose
// error stays within its documented standard error (9.2%) on average and within 3 standard errors always.
import { describe, expect, it } from 'vitest';
import { DistinctCounters, EXACT_LIMIT } from '../../src/features/distinct-counter.js';
import { mix32 } from '../../src/flow/address-table.js';

describe('DistinctCounters', () => {
  it('counts exactly up to the limit, ignoring repeats', () => {
    const c = new DistinctCounters(2);
    for (let round = 0; round < 3; round++) for (let v = 0; v < EXACT_LIMIT; v++) c.add(1, mix32(v + 1));
    expect(c.estimate(1)).toBe(EXACT_LIMIT);
    expect(c.isEstimated(1)).toBe(false);
    expect(c.estimate(0)).toBe(0);
  });

  it('starts again from 0 after clear, in either mode', () => {
    const c = new DistinctCounters(1);
    for (let v = 0; v < 500; v++) c.add(0, mix32(v));
    expect(c.isEstimated(0)).toBe(true);
    c.clear(0);
    c.add(0, 7);
    c.add(0, 7);
    expect(c.estimate(0)).toBe(1);
  });

  it.each([33, 50, 100, 300, 1000, 10_000, 65_536])('estimates %i distinct values within 3 standard errors (27.6%%)', (n) => {
    const trials = 20;
    const c = new DistinctCounters(trials);
    let relErrorSum = 0;
    for (let t = 0; t < trials; t++) {
      for (let v = 0; v < n; v++) c.add(t, mix32(v * 7919 + t * 1_000_003 + 1));
      const e = c.estimate(t);
      expect(e).toBeGreaterThan(EXACT_LIMIT);
      expect(Math.abs(e - n) / n).toBeLessThan(0.276);
      relErrorSum += Math.abs(e - n) / n;
    }
    // the mean absolute relative error of an unbiased estimator with sigma 9.2% is about 0.8 sigma
    expect(relErrorSum / trials).toBeLessThan(0.1);
  });
});
