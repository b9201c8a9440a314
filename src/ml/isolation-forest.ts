// Isolation Forest as in Liu, Ting & Zhou, "Isolation Forest", ICDM 2008: every tree is grown on its own
// subsample of psi rows drawn without replacement, to a height limit of ceil(log2 psi), splitting on a
// random feature at a random value between the node's min and max; a row's path length is the depth of the
// external node it reaches plus c(size) for the rows that node still held; the score is 2^(-E(h)/c(psi)).
// The `isolation-forest` npm package skips the subsample (every tree sees the whole data set), which is
// why its scores bunch up below 0.5: see README.
//
// Trees are parallel typed arrays (the whole forest in one set), children stored side by side, so scoring
// is a tight loop over numbers. All randomness comes from the SeededRandom passed in.

import type { SeededRandom } from '../synth/seeded-random.js';
import { allRows, type FeatureMatrix } from './feature-matrix.js';

export const EULER_GAMMA = 0.5772156649;

export interface IsolationForestParams {
  /** number of trees (Liu et al.: path lengths converge well before 100) */
  trees: number;
  /** psi, rows per tree (Liu et al.: 256 is enough for a wide range of data) */
  subsampleSize: number;
}

export const DEFAULT_ISOLATION_FOREST_PARAMS: IsolationForestParams = { trees: 100, subsampleSize: 256 };

export interface IsolationForestModel {
  readonly kind: 'isolation-forest';
  readonly features: number;
  /** psi actually used: min(subsampleSize, training rows) */
  readonly subsampleSize: number;
  /** tree t owns nodes treeStart[t] .. treeStart[t+1]-1; its root is the first */
  readonly treeStart: Int32Array;
  /** split feature of an internal node; -1 for an external node */
  readonly feature: Int32Array;
  /** split value of an internal node (x <= value goes left); for an external node its path length, depth + c(size) */
  readonly value: Float64Array;
  /** left child of an internal node (the right child is left + 1); -1 for an external node */
  readonly left: Int32Array;
}

/** H(i), the harmonic number, by ln(i) + Euler's constant (Liu et al. 2008, section 2). */
export function harmonic(i: number): number {
  return Math.log(i) + EULER_GAMMA;
}

/**
 * c(n) = 2H(n-1) - 2(n-1)/n: the average path length of an unsuccessful search in a binary search tree of n
 * nodes, which normalises path lengths (Liu et al. 2008, equation 1); c(2) = 1 and c(n <= 1) = 0.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * harmonic(n - 1) - (2 * (n - 1)) / n;
}

/** Grows the forest on `rows` of `data` (all rows by default). */
export function fitIsolationForest(data: FeatureMatrix, params: IsolationForestParams, rng: SeededRandom, rows?: Int32Array): IsolationForestModel {
  const candidates = rows ? Int32Array.from(rows) : allRows(data.rows);
  const n = candidates.length;
  if (n === 0) throw new RangeError('an isolation forest needs at least one row');
  if (!(params.trees >= 1) || !(params.subsampleSize >= 1)) throw new RangeError('trees and subsampleSize must be at least 1');
  const psi = Math.min(params.subsampleSize, n);
  const heightLimit = Math.ceil(Math.log2(psi));
  const features = data.columns;
  const maxNodes = 2 * psi - 1;
  const feature = new Int32Array(params.trees * maxNodes);
  const value = new Float64Array(params.trees * maxNodes);
  const left = new Int32Array(params.trees * maxNodes);
  const treeStart = new Int32Array(params.trees + 1);
  const sample = new Float64Array(psi * features); // the tree's rows, column-major
  const order = new Int32Array(psi);
  const pool = allRows(features);
  let next = 0;

  const grow = (node: number, lo: number, hi: number, depth: number): void => {
    const size = hi - lo;
    if (depth >= heightLimit || size <= 1) return external(node, depth, size);
    // a random feature among those not constant on this node (drawn without replacement, like scikit-learn),
    // so a constant column never wastes a level; when every feature is constant the node is external
    let chosen = -1;
    let min = 0;
    let max = 0;
    for (let k = 0; k < features; k++) {
      const j = k + Math.floor(rng.next() * (features - k));
      const f = pool[j];
      pool[j] = pool[k];
      pool[k] = f;
      const base = f * psi;
      min = Infinity;
      max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = sample[base + order[i]];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (max > min) {
        chosen = f;
        break;
      }
    }
    if (chosen < 0) return external(node, depth, size);
    let split = min + rng.next() * (max - min);
    if (!(split < max)) split = min; // rounding can reach max; both sides must keep a row
    const base = chosen * psi;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (sample[base + order[i]] <= split) i++;
      else {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        j--;
      }
    }
    const child = next;
    next += 2;
    feature[node] = chosen;
    value[node] = split;
    left[node] = child;
    grow(child, lo, i, depth + 1);
    grow(child + 1, i, hi, depth + 1);
  };
  const external = (node: number, depth: number, size: number): void => {
    feature[node] = -1;
    value[node] = depth + averagePathLength(size);
    left[node] = -1;
  };

  for (let t = 0; t < params.trees; t++) {
    // partial Fisher-Yates: the first psi entries become a uniform sample without replacement
    for (let i = 0; i < psi; i++) {
      const j = i + Math.floor(rng.next() * (n - i));
      const r = candidates[j];
      candidates[j] = candidates[i];
      candidates[i] = r;
    }
    for (let f = 0; f < features; f++) {
      const src = f * data.rows;
      const dst = f * psi;
      for (let i = 0; i < psi; i++) sample[dst + i] = data.values[src + candidates[i]];
    }
    for (let i = 0; i < psi; i++) order[i] = i;
    treeStart[t] = next;
    const root = next++;
    grow(root, 0, psi, 0);
  }
  treeStart[params.trees] = next;
  return {
    kind: 'isolation-forest',
    features,
    subsampleSize: psi,
    treeStart,
    feature: feature.slice(0, next),
    value: value.slice(0, next),
    left: left.slice(0, next),
  };
}

/** rows scored together: their features are copied row-major so a tree walk reads one short run of memory */
const SCORE_BLOCK_ROWS = 256;

/**
 * The forest laid out for scoring: one 16-byte record per node (split value as a float64, then feature and
 * left child as int32), external nodes turned into self-loops (value +Infinity, left child itself), so
 * every walk takes exactly `height` steps with no test for the end and no branch on the comparison.
 */
interface ScoringLayout {
  values: Float64Array;
  ints: Int32Array;
  pathLength: Float64Array;
  height: number;
}

function scoringLayout(model: IsolationForestModel): ScoringLayout {
  const nodes = model.feature.length;
  const buffer = new ArrayBuffer(nodes * 16);
  const values = new Float64Array(buffer);
  const ints = new Int32Array(buffer);
  const pathLength = new Float64Array(nodes);
  const depth = new Int32Array(nodes);
  let height = 0;
  for (let t = 0; t < model.treeStart.length - 1; t++) depth[model.treeStart[t]] = 0;
  for (let i = 0; i < nodes; i++) {
    if (model.feature[i] < 0) {
      values[2 * i] = Infinity;
      ints[4 * i + 2] = 0;
      ints[4 * i + 3] = i;
      pathLength[i] = model.value[i];
      if (depth[i] > height) height = depth[i];
    } else {
      values[2 * i] = model.value[i];
      ints[4 * i + 2] = model.feature[i];
      ints[4 * i + 3] = model.left[i];
      // children always come after their parent, so depths fill in one forward pass
      depth[model.left[i]] = depth[i] + 1;
      depth[model.left[i] + 1] = depth[i] + 1;
    }
  }
  return { values, ints, pathLength, height };
}

/**
 * Anomaly scores in (0, 1] of rows from..to-1 of `data` into `out[0 .. to-from-1]`: near 1 is isolated
 * quickly (anomalous), well below 0.5 is ordinary.
 */
export function scoreIsolationForest(model: IsolationForestModel, data: FeatureMatrix, from = 0, to = data.rows, out: Float64Array = new Float64Array(to - from)): Float64Array {
  if (data.columns !== model.features) throw new RangeError(`the model has ${model.features} features, the data ${data.columns}`);
  const { values: split, ints, pathLength, height } = scoringLayout(model);
  const treeStart = model.treeStart;
  const trees = treeStart.length - 1;
  const F = data.columns;
  const n = data.rows;
  const values = data.values;
  const norm = averagePathLength(model.subsampleSize);
  const block = new Float64Array(SCORE_BLOCK_ROWS * F);
  const pathSum = new Float64Array(SCORE_BLOCK_ROWS);
  for (let start = from; start < to; start += SCORE_BLOCK_ROWS) {
    const m = Math.min(SCORE_BLOCK_ROWS, to - start);
    for (let f = 0; f < F; f++) {
      const src = f * n + start;
      for (let r = 0; r < m; r++) block[r * F + f] = values[src + r];
    }
    pathSum.fill(0);
    for (let t = 0; t < trees; t++) {
      const root = treeStart[t];
      let r = 0;
      // four rows walk the tree together: their loads overlap instead of waiting on each other
      for (; r + 4 <= m; r += 4) {
        const o0 = r * F;
        const o1 = o0 + F;
        const o2 = o1 + F;
        const o3 = o2 + F;
        let a = root;
        let b = root;
        let c = root;
        let d = root;
        for (let step = 0; step < height; step++) {
          a = ints[4 * a + 3] + +(block[o0 + ints[4 * a + 2]] > split[2 * a]);
          b = ints[4 * b + 3] + +(block[o1 + ints[4 * b + 2]] > split[2 * b]);
          c = ints[4 * c + 3] + +(block[o2 + ints[4 * c + 2]] > split[2 * c]);
          d = ints[4 * d + 3] + +(block[o3 + ints[4 * d + 2]] > split[2 * d]);
        }
        pathSum[r] += pathLength[a];
        pathSum[r + 1] += pathLength[b];
        pathSum[r + 2] += pathLength[c];
        pathSum[r + 3] += pathLength[d];
      }
      for (; r < m; r++) {
        const o = r * F;
        let a = root;
        for (let step = 0; step < height; step++) a = ints[4 * a + 3] + +(block[o + ints[4 * a + 2]] > split[2 * a]);
        pathSum[r] += pathLength[a];
      }
    }
    // a one-row forest has c(psi) = 0 and every path 0: nothing can be told apart, score 1 like E(h) -> 0
    for (let r = 0; r < m; r++) out[start - from + r] = norm > 0 ? Math.pow(2, -(pathSum[r] / trees) / norm) : 1;
  }
  return out;
}

/**
 * The score above which a row is called suspicious, so that a share `falsePositiveRate` of the given
 * (normal) training scores lies strictly above it: their (1 - fpr) quantile, taken as an actual score.
 */
export function calibrateThreshold(scores: Float64Array, falsePositiveRate: number): number {
  if (scores.length === 0) throw new RangeError('no scores to calibrate on');
  if (!(falsePositiveRate >= 0 && falsePositiveRate < 1)) throw new RangeError(`the false-positive rate must be in [0, 1), got ${falsePositiveRate}`);
  const sorted = Float64Array.from(scores).sort();
  const allowedAbove = Math.floor(falsePositiveRate * sorted.length + 1e-9);
  return sorted[sorted.length - 1 - allowedAbove];
}
