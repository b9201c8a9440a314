// One seeded generator for every choice the lab makes (pauses, order, file picks, word lists), so that
// `--seed N` replays the same schedule. mulberry32: 32-bit state, period 2^32, plenty for a few thousand draws.

/** @param {number} seed */
export function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** @param {number} low @param {number} high */
    uniform: (low, high) => low + (high - low) * next(),
    /** @param {number} low @param {number} high  both inclusive */
    integer: (low, high) => low + Math.floor((high - low + 1) * next()),
    /** @template T @param {T[]} items */
    pick: (items) => items[Math.floor(items.length * next())],
    /** @template T @param {[T, number][]} weighted  pairs of item and weight */
    pickWeighted: (weighted) => {
      const total = weighted.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [item, w] of weighted) if ((r -= w) < 0) return item;
      return weighted[weighted.length - 1][0];
    },
    /** Fisher-Yates on a copy. @template T @param {T[]} items */
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor((i + 1) * next());
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}
