// Per-second counters over a capture of any length in bounded memory: bins start 1 s wide and, when the span
// outgrows MAX_BINS, neighbours merge pairwise (2 s, 4 s, ...), so an hour-long capture and a day-long one
// both fit in a few hundred kilobytes. A chart then groups whole bins into its columns.

/** How a channel folds values: totals (bytes, packets) or the largest value (scores). */
export type BinFold = 'sum' | 'max';

/** 16384 one-second bins: 4.5 hours before the first merge; a chart never has more than a few hundred columns. */
export const MAX_BINS = 16384;

export class TimeBins {
  readonly folds: readonly BinFold[];
  /** width of one bin in seconds (or rows, for inputs without time): 1, 2, 4, ... */
  binWidth: number;
  /** index (time / binWidth, floored) of bins[0]; NaN before the first value */
  private firstIndex = Number.NaN;
  /** number of bins in use */
  length = 0;
  private channels: Float64Array[];
  private readonly maxBins: number;

  constructor(folds: readonly BinFold[], options: { binWidth?: number; maxBins?: number } = {}) {
    this.folds = folds;
    this.binWidth = options.binWidth ?? 1;
    this.maxBins = Math.max(2, options.maxBins ?? MAX_BINS);
    this.channels = folds.map((fold) => emptyChannel(64, fold));
  }

  /** Start of the first bin (a multiple of binWidth), NaN when nothing was added. */
  get start(): number {
    return this.firstIndex * this.binWidth;
  }

  /** Adds `value` to `channel` in the bin holding time `t`; a non-finite time or value is ignored. */
  add(t: number, channel: number, value: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(value)) return;
    const bin = this.binOf(t);
    const c = this.channels[channel];
    if (this.folds[channel] === 'sum') c[bin] += value;
    else if (!(c[bin] >= value)) c[bin] = value; // NaN (empty) or smaller
  }

  /** The bin index for time t, growing (or merging) the bins so that it exists. */
  binOf(t: number): number {
    let index = Math.floor(t / this.binWidth);
    if (Number.isNaN(this.firstIndex)) {
      this.firstIndex = index;
      this.length = 1;
      return 0;
    }
    while (index - this.firstIndex >= this.maxBins || this.firstIndex + this.length - index > this.maxBins) {
      this.merge();
      index = Math.floor(t / this.binWidth);
    }
    if (index < this.firstIndex) {
      this.prepend(this.firstIndex - index);
    }
    const bin = index - this.firstIndex;
    if (bin >= this.length) {
      this.ensureCapacity(bin + 1);
      this.length = bin + 1;
    }
    return bin;
  }

  /** Channel `channel` of the bins in use (a view; empty 'max' bins hold NaN). */
  values(channel: number): Float64Array {
    return this.channels[channel].subarray(0, this.length);
  }

  /** Doubles the bin width, folding neighbours; bins stay aligned to multiples of the new width. */
  private merge(): void {
    const newFirst = Math.floor(this.firstIndex / 2);
    const newLength = Math.floor((this.firstIndex + this.length - 1) / 2) - newFirst + 1;
    this.channels = this.channels.map((c, k) => {
      const fold = this.folds[k];
      const merged = emptyChannel(Math.max(64, c.length), fold);
      for (let i = 0; i < this.length; i++) {
        const j = Math.floor((this.firstIndex + i) / 2) - newFirst;
        merged[j] = foldPair(merged[j], c[i], fold);
      }
      return merged;
    });
    this.firstIndex = newFirst;
    this.length = newLength;
    this.binWidth *= 2;
  }

  private prepend(count: number): void {
    this.channels = this.channels.map((c, k) => {
      const grown = emptyChannel(capacityFor(this.length + count, c.length), this.folds[k]);
      grown.set(c.subarray(0, this.length), count);
      return grown;
    });
    this.firstIndex -= count;
    this.length += count;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.channels[0].length) return;
    this.channels = this.channels.map((c, k) => {
      const grown = emptyChannel(capacityFor(needed, c.length), this.folds[k]);
      grown.set(c.subarray(0, this.length));
      return grown;
    });
  }
}

function emptyChannel(size: number, fold: BinFold): Float64Array {
  const c = new Float64Array(size);
  if (fold === 'max') c.fill(Number.NaN);
  return c;
}

function capacityFor(needed: number, current: number): number {
  let size = Math.max(64, current);
  while (size < needed) size *= 2;
  return size;
}

function foldPair(a: number, b: number, fold: BinFold): number {
  if (fold === 'sum') return a + b;
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.max(a, b);
}

/** Bins grouped into chart columns: each column covers `binsPerColumn` whole bins, or one bin spans `repeat` columns. */
export interface ColumnSeries {
  values: Float64Array;
  /** seconds (or rows) one column stands for */
  columnWidth: number;
  /** columns one bin was stretched over (1 when bins were grouped or fit exactly) */
  repeat: number;
  /** start of the first column */
  start: number;
}

/**
 * Fits `bins` (width `binWidth`, starting at `start`) into at most `columns` columns. Longer series are
 * grouped by a whole number of bins per column (so every column covers the same time); shorter ones are
 * stretched by a whole number of columns per bin. `fold` says how a group becomes one value: the mean rate
 * ('rate': sum / column width), the total ('sum') or the largest value ('max', NaN when all are empty).
 */
export function binsToColumns(bins: ArrayLike<number>, binWidth: number, start: number, columns: number, fold: 'rate' | 'sum' | 'max'): ColumnSeries {
  const n = bins.length;
  const cols = Math.max(1, Math.floor(columns));
  if (n === 0) return { values: new Float64Array(0), columnWidth: binWidth, repeat: 1, start };
  if (n <= cols) {
    const repeat = Math.max(1, Math.floor(cols / n));
    const values = new Float64Array(n * repeat);
    for (let i = 0; i < n; i++) {
      const v = fold === 'rate' ? bins[i] / binWidth : bins[i];
      values.fill(v, i * repeat, (i + 1) * repeat);
    }
    return { values, columnWidth: binWidth / repeat, repeat, start };
  }
  const per = Math.ceil(n / cols);
  const m = Math.ceil(n / per);
  const values = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let acc = fold === 'max' ? Number.NaN : 0;
    const to = Math.min(n, (j + 1) * per);
    for (let i = j * per; i < to; i++) {
      const v = bins[i];
      if (fold === 'max') {
        if (!Number.isNaN(v) && !(acc >= v)) acc = v;
      } else acc += v;
    }
    values[j] = fold === 'rate' ? acc / (per * binWidth) : acc;
  }
  return { values, columnWidth: per * binWidth, repeat: 1, start };
}
