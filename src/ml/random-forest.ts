// A random forest classifier in the style of scikit-learn's RandomForestClassifier (bootstrap per tree,
// a fresh random subset of features at every split, gini, max depth, min samples per leaf, class weights,
// leaves holding class probabilities averaged over trees, impurity-decrease importances), but with the
// split search on histograms: each feature is cut once into at most 256 bins (at quantiles, or in the gap
// between two clusters of values), and a node finds its best thresholds by one pass over its rows, filling
// the histograms of all the features it drew, plus one pass over the bins in use, instead of sorting.
// `ml-random-forest` rescans all rows for every candidate threshold (O(n^2) per node): see README.
//
// Trees are parallel typed arrays. `growTree` is a pure function of (binned data, parameters, seed), so the
// CLI can run it on worker threads and the forest is the same whichever thread grew which tree.

import { SeededRandom } from '../synth/seeded-random.js';
import { allRows, type FeatureMatrix } from './feature-matrix.js';

export const MAX_BINS_LIMIT = 256;
/** rows used to find the quantile cut points of a feature (as scikit-learn's HistGradientBoosting: 2e5) */
const BINNING_SAMPLE_ROWS = 200_000;

export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

export interface RandomForestParams {
  trees: number;
  /** 0: grow until pure or too small */
  maxDepth: number;
  minSamplesLeaf: number;
  /** features tried per split: 'sqrt', 'log2', 'all', a count (>= 1) or a share (0 < x < 1) */
  maxFeatures: MaxFeatures;
  classWeight: 'none' | 'balanced';
  /** quantile bins per feature, 2..256 */
  maxBins: number;
  bootstrap: boolean;
}

export const DEFAULT_RANDOM_FOREST_PARAMS: RandomForestParams = {
  trees: 100,
  maxDepth: 0,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  classWeight: 'none',
  maxBins: 256,
  bootstrap: true,
};

/** Every feature cut into bins once: bins[r * features + f] (row-major), and the value each bin boundary stands for. */
export interface BinnedFeatures {
  readonly rows: number;
  readonly features: number;
  /** row-major bin numbers (the features a node draws for one row sit together); may sit on a SharedArrayBuffer */
  readonly bins: Uint8Array;
  /** thresholds[f][b]: a value x is in a bin <= b when x <= thresholds[f][b]; length = bins of f minus 1 */
  readonly thresholds: Float64Array[];
}

/** What growTree needs; every array may be shared between threads. */
export interface TreeInput {
  readonly binned: BinnedFeatures;
  /** class index of every row */
  readonly y: Int32Array;
  readonly classes: number;
  /** rows the forest trains on */
  readonly trainRows: Int32Array;
  /** weight of each class (1 without class weights) */
  readonly classWeight: Float64Array;
}

/** One grown tree; nodes in depth-first order, the root first. */
export interface GrownTree {
  /** split feature; -1 for a leaf */
  feature: Int32Array;
  /** split bin: rows with bin <= splitBin go left */
  splitBin: Int32Array;
  /** internal node: its left child (the right one is left + 1); leaf: its probability row */
  child: Int32Array;
  /** probability rows of the leaves that are not pure, `classes` numbers each; a pure leaf of class c uses row c of the forest's one-hot rows */
  leafValues: Float64Array;
  /** weighted impurity decrease per feature, summed over the tree's splits */
  importance: Float64Array;
}

export interface RandomForestModel {
  readonly kind: 'random-forest';
  readonly features: number;
  readonly classes: number;
  /** tree t owns nodes treeStart[t] .. treeStart[t+1]-1; its root is the first */
  readonly treeStart: Int32Array;
  readonly feature: Int32Array;
  /** x <= threshold goes left */
  readonly threshold: Float64Array;
  /** internal node: left child (right = left + 1); leaf: row of leafValues */
  readonly child: Int32Array;
  /** class probabilities, `classes` per row; rows 0..classes-1 are one-hot, shared by every pure leaf */
  readonly leafValues: Float64Array;
  /** mean decrease in impurity per feature, normalised to sum to 1 (all 0 when no tree split) */
  readonly importance: Float64Array;
}

/** Number of features tried at each split, as scikit-learn resolves max_features. */
export function resolveMaxFeatures(maxFeatures: MaxFeatures, features: number): number {
  let k: number;
  if (maxFeatures === 'sqrt') k = Math.floor(Math.sqrt(features));
  else if (maxFeatures === 'log2') k = Math.floor(Math.log2(features));
  else if (maxFeatures === 'all') k = features;
  else if (maxFeatures > 0 && maxFeatures < 1) k = Math.floor(maxFeatures * features);
  else k = Math.floor(maxFeatures);
  return Math.max(1, Math.min(features, k));
}

/** Class weights: 1 each, or scikit-learn's 'balanced' n / (classes present * n_c) over the training rows. */
export function classWeights(y: Int32Array, classes: number, rows: Int32Array, mode: 'none' | 'balanced'): Float64Array {
  const weights = new Float64Array(classes).fill(1);
  if (mode === 'none') return weights;
  const counts = new Float64Array(classes);
  for (let i = 0; i < rows.length; i++) counts[y[rows[i]]]++;
  let present = 0;
  for (let c = 0; c < classes; c++) if (counts[c] > 0) present++;
  for (let c = 0; c < classes; c++) weights[c] = counts[c] > 0 ? rows.length / (present * counts[c]) : 0;
  return weights;
}

/**
 * Cuts every feature into at most `maxBins` bins. A feature with no more distinct values than bins gets one
 * bin per value and thresholds halfway between neighbours (exactly scikit-learn's candidate splits);
 * otherwise the cut points come from a sample of the rows (see cutPoints), again halfway between two values.
 * `out` lets the caller put the bins on a SharedArrayBuffer.
 */
export function binFeatures(data: FeatureMatrix, maxBins: number, rng: SeededRandom, rows?: Int32Array, out?: Uint8Array): BinnedFeatures {
  if (!(maxBins >= 2 && maxBins <= MAX_BINS_LIMIT)) throw new RangeError(`maxBins must be in 2..${MAX_BINS_LIMIT}, got ${maxBins}`);
  const n = data.rows;
  const bins = out ?? new Uint8Array(n * data.columns);
  if (bins.length !== n * data.columns) throw new RangeError('the bins array does not fit the data');
  const source = rows ?? null;
  const sourceRows = source ? source.length : n;
  const sampleSize = Math.min(sourceRows, BINNING_SAMPLE_ROWS);
  // one sample of row numbers for every feature (sorted, so reading a column walks forward)
  let sampleRows: Int32Array;
  if (sampleSize === sourceRows) sampleRows = source ? Int32Array.from(source) : allRows(n);
  else {
    const pool = source ? Int32Array.from(source) : allRows(n);
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(rng.next() * (sourceRows - i));
      const t = pool[j];
      pool[j] = pool[i];
      pool[i] = t;
    }
    sampleRows = pool.slice(0, sampleSize).sort();
  }
  const column = new Float64Array(sampleSize);
  const thresholds: Float64Array[] = [];
  const F = data.columns;
  // every feature's cut points padded with +Infinity to 256, for a search of exactly 8 steps without branches
  const padded = new Float64Array(F * MAX_BINS_LIMIT).fill(Infinity);
  for (let f = 0; f < F; f++) {
    const base = f * n;
    for (let i = 0; i < sampleSize; i++) column[i] = data.values[base + sampleRows[i]];
    column.sort();
    const cuts = cutPoints(column, maxBins);
    thresholds.push(cuts);
    padded.set(cuts, f * MAX_BINS_LIMIT);
  }
  // bin = number of cut points below x; rows in blocks so the row-major writes stay in cache
  const BLOCK = 2048;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let f = 0; f < F; f++) {
      const base = f * n;
      const c = f * MAX_BINS_LIMIT;
      for (let r = start; r < end; r++) {
        bins[r * F + f] = cutsBelow(padded, c, data.values[base + r]);
      }
    }
  }
  return { rows: n, features: data.columns, bins, thresholds };
}

/** How many of the 256 ascending cut points at cuts[c..c+255] (padded with +Infinity) are below x: 8 steps, no branches. */
function cutsBelow(cuts: Float64Array, c: number, x: number): number {
  let i = 0;
  i += 128 * +(cuts[c + i + 127] < x);
  i += 64 * +(cuts[c + i + 63] < x);
  i += 32 * +(cuts[c + i + 31] < x);
  i += 16 * +(cuts[c + i + 15] < x);
  i += 8 * +(cuts[c + i + 7] < x);
  i += 4 * +(cuts[c + i + 3] < x);
  i += 2 * +(cuts[c + i + 1] < x);
  return i + +(cuts[c + i] < x);
}

/**
 * Thresholds halfway between distinct values: all of them if few enough; else one per quantile window
 * (the stretch of sorted values around each of the maxBins-1 evenly spaced quantiles): at the quantile,
 * unless one gap takes at least half of the window's span, then in that gap. Plain quantile cuts would
 * leave the gap between two clusters (where an exact splitter like scikit-learn's puts its threshold)
 * inside one bin.
 */
function cutPoints(sorted: Float64Array, maxBins: number): Float64Array {
  const m = sorted.length;
  const distinct: number[] = [];
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  const cuts: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) cuts.push(midpoint(distinct[i - 1], distinct[i]));
    return Float64Array.from(cuts);
  }
  const width = m / maxBins;
  for (let b = 1; b < maxBins; b++) {
    // gaps sorted[i] -> sorted[i + 1] for i in the window around quantile position b * width
    const from = Math.max(0, Math.ceil((b - 0.5) * width) - 1);
    const to = Math.min(m - 2, Math.ceil((b + 0.5) * width) - 2);
    let best = -1;
    let bestGap = 0;
    for (let i = from; i <= to; i++) {
      const gap = sorted[i + 1] - sorted[i];
      if (gap > bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    if (best < 0) continue; // one repeated value fills the window
    // a real gap (at least half the window's span) wins; else the quantile itself, for bins of equal size
    if (bestGap < 0.5 * (sorted[to + 1] - sorted[from])) {
      const q = Math.min(m - 2, Math.max(from, Math.ceil(b * width) - 1));
      let k = q + 1;
      while (k < m && sorted[k] === sorted[q]) k++;
      if (k >= m) continue;
      best = k - 1;
    }
    const cut = midpoint(sorted[best], sorted[best + 1]);
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]) cuts.push(cut);
  }
  return Float64Array.from(cuts);
}

function midpoint(a: number, b: number): number {
  const mid = a / 2 + b / 2;
  return mid >= b || mid < a ? a : mid + 0; // + 0 turns -0 into 0
}

/** Scratch space for growing trees, reused from tree to tree on one thread. */
export class TreeScratch {
  readonly order: Int32Array;
  readonly orderClass: Int32Array;
  readonly orderWeight: Float64Array;
  /** the right-going rows while a node is partitioned */
  readonly spillOrder: Int32Array;
  readonly spillClass: Int32Array;
  readonly spillWeight: Float64Array;
  readonly draws: Int32Array;
  readonly histWeight: Float64Array;
  readonly histCount: Int32Array;
  readonly featurePool: Int32Array;
  /** per feature of a batch: the histogram slots in use (feature q's bins at q * 256 ...) */
  readonly touched: Int32Array;
  readonly used: Int32Array;
  readonly batchFeature: Int32Array;

  constructor(input: TreeInput) {
    const n = input.trainRows.length;
    this.order = new Int32Array(n);
    this.orderClass = new Int32Array(n);
    this.orderWeight = new Float64Array(n);
    this.spillOrder = new Int32Array(n);
    this.spillClass = new Int32Array(n);
    this.spillWeight = new Float64Array(n);
    this.draws = new Int32Array(input.binned.rows);
    const F = input.binned.features;
    this.histWeight = new Float64Array(F * MAX_BINS_LIMIT * input.classes);
    this.histCount = new Int32Array(F * MAX_BINS_LIMIT);
    this.featurePool = new Int32Array(F);
    this.touched = new Int32Array(F * MAX_BINS_LIMIT);
    this.used = new Int32Array(F);
    this.batchFeature = new Int32Array(F);
  }
}

/**
 * Grows one tree: a bootstrap sample of the training rows (each row weighted by how often it was drawn
 * times its class weight), then depth-first splits on the best gini threshold among `maxFeatures` random
 * features, until a node is pure, at max depth, or cannot leave minSamplesLeaf rows on both sides.
 */
export function growTree(input: TreeInput, params: RandomForestParams, seed: number, scratch = new TreeScratch(input)): GrownTree {
  const rng = new SeededRandom(seed);
  const { binned, y, trainRows, classWeight } = input;
  const K = input.classes;
  const F = binned.features;
  const bins = binned.bins;
  const mtry = resolveMaxFeatures(params.maxFeatures, F);
  const minLeaf = Math.max(1, params.minSamplesLeaf);
  const maxDepth = params.maxDepth > 0 ? params.maxDepth : Number.MAX_SAFE_INTEGER;
  const { order, orderClass, orderWeight, spillOrder, spillClass, spillWeight, draws, histWeight, histCount, featurePool, touched, used, batchFeature } = scratch;

  // bootstrap: as scikit-learn, rows drawn n times with replacement become weights; undrawn rows are left out
  let size = 0;
  if (params.bootstrap) {
    const m = trainRows.length;
    for (let i = 0; i < m; i++) draws[trainRows[Math.floor(rng.next() * m)]]++;
    for (let i = 0; i < m; i++) {
      const r = trainRows[i];
      const d = draws[r];
      if (d === 0) continue;
      draws[r] = 0;
      order[size] = r;
      orderClass[size] = y[r];
      orderWeight[size] = d * classWeight[y[r]];
      size++;
    }
  } else {
    for (let i = 0; i < trainRows.length; i++) {
      const r = trainRows[i];
      order[size] = r;
      orderClass[size] = y[r];
      orderWeight[size] = classWeight[y[r]];
      size++;
    }
  }
  for (let f = 0; f < F; f++) featurePool[f] = f;

  const nodes = new NodeArrays(Math.max(16, Math.min(2 * size, 1 << 16)));
  const leafValues = new GrowableFloats(K * 64);
  const importance = new Float64Array(F);
  const nodeTotals = new Float64Array(K);
  const leftTotals = new Float64Array(K);
  const rightTotals = new Float64Array(K);
  // a depth-first stack of (node, lo, hi, depth), and beside it each waiting node's class weights
  const stack: number[] = [];
  let totalsStack = new Float64Array(64 * K);
  nodes.add();
  stack.push(0, 0, size, 0);
  for (let i = 0; i < size; i++) totalsStack[orderClass[i]] += orderWeight[i];

  while (stack.length > 0) {
    const depth = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    const node = stack.pop()!;
    const waiting = stack.length / 4;
    for (let c = 0; c < K; c++) nodeTotals[c] = totalsStack[waiting * K + c];
    let weight = 0;
    let sumSquares = 0;
    let nonZero = 0;
    let onlyClass = 0;
    for (let c = 0; c < K; c++) {
      const t = nodeTotals[c];
      weight += t;
      sumSquares += t * t;
      if (t > 0) {
        nonZero++;
        onlyClass = c;
      }
    }
    const count = hi - lo;
    if (nonZero <= 1 || depth >= maxDepth || count < 2 * minLeaf || weight <= 0) {
      makeLeaf(node, nonZero, onlyClass, weight);
      continue;
    }

    // best split: the largest sum_k wL_k^2 / WL + sum_k wR_k^2 / WR, which is the smallest weighted gini of the
    // children. Features are drawn as scikit-learn draws them (without replacement, until mtry of them are
    // not constant on the node), in batches: one pass over the node's rows fills the histograms of a whole
    // batch, then each feature's thresholds are scanned in draw order.
    let bestScore = -Infinity;
    let bestFeature = -1;
    let bestBin = -1;
    let visited = 0;
    let drawn = 0;
    while (visited < mtry && drawn < F) {
      const batch = Math.min(mtry - visited, F - drawn);
      for (let q = 0; q < batch; q++) {
        const k = drawn + q;
        const j = k + Math.floor(rng.next() * (F - k));
        const f = featurePool[j];
        featurePool[j] = featurePool[k];
        featurePool[k] = f;
        batchFeature[q] = f;
        used[q] = 0;
      }
      drawn += batch;
      for (let i = lo; i < hi; i++) {
        const rowBase = order[i] * F;
        const cls = orderClass[i];
        const w = orderWeight[i];
        for (let q = 0; q < batch; q++) {
          const hb = q * MAX_BINS_LIMIT + bins[rowBase + batchFeature[q]];
          if (histCount[hb]++ === 0) touched[q * MAX_BINS_LIMIT + used[q]++] = hb;
          histWeight[hb * K + cls] += w;
        }
      }
      for (let q = 0; q < batch; q++) {
        const usedBins = used[q];
        const list = q * MAX_BINS_LIMIT;
        if (usedBins > 1) {
          visited++; // a feature constant on the node does not count, as in scikit-learn
          sortBins(touched, list, usedBins);
          leftTotals.fill(0);
          let leftCount = 0;
          for (let u = 0; u < usedBins - 1; u++) {
            const hb = touched[list + u];
            leftCount += histCount[hb];
            const off = hb * K;
            let leftWeight = 0;
            let leftSquares = 0;
            let rightSquares = 0;
            for (let c = 0; c < K; c++) {
              const wl = (leftTotals[c] += histWeight[off + c]);
              const wr = nodeTotals[c] - wl;
              leftWeight += wl;
              leftSquares += wl * wl;
              rightSquares += wr * wr;
            }
            if (leftCount < minLeaf) continue;
            if (count - leftCount < minLeaf) break;
            const rightWeight = weight - leftWeight;
            if (leftWeight <= 0 || rightWeight <= 0) continue;
            const score = leftSquares / leftWeight + rightSquares / rightWeight;
            if (score > bestScore) {
              bestScore = score;
              bestFeature = batchFeature[q];
              bestBin = hb - list;
            }
          }
        }
        for (let u = 0; u < usedBins; u++) {
          const hb = touched[list + u];
          histCount[hb] = 0;
          const off = hb * K;
          for (let c = 0; c < K; c++) histWeight[off + c] = 0;
        }
      }
    }
    if (bestFeature < 0) {
      makeLeaf(node, nonZero, onlyClass, weight);
      continue;
    }
    // weighted impurity decrease: W gini(node) - WL gini(L) - WR gini(R) = bestScore - sumSquares / W
    importance[bestFeature] += bestScore - sumSquares / weight;
    // rows with bin <= bestBin to the front, keeping their order (so later passes read `bins` forwards),
    // the others spilled and copied back behind them; the children's class weights summed on the way
    // (summed, not subtracted from the parent's: a pure child must come out exactly pure)
    leftTotals.fill(0);
    rightTotals.fill(0);
    let i = lo;
    let spilled = 0;
    for (let k = lo; k < hi; k++) {
      const r = order[k];
      if (bins[r * F + bestFeature] <= bestBin) {
        order[i] = r;
        orderClass[i] = orderClass[k];
        orderWeight[i] = orderWeight[k];
        leftTotals[orderClass[k]] += orderWeight[k];
        i++;
      } else {
        spillOrder[spilled] = r;
        spillClass[spilled] = orderClass[k];
        spillWeight[spilled] = orderWeight[k];
        rightTotals[orderClass[k]] += orderWeight[k];
        spilled++;
      }
    }
    order.set(spillOrder.subarray(0, spilled), i);
    orderClass.set(spillClass.subarray(0, spilled), i);
    orderWeight.set(spillWeight.subarray(0, spilled), i);
    const left = nodes.add();
    nodes.add();
    nodes.feature[node] = bestFeature;
    nodes.splitBin[node] = bestBin;
    nodes.child[node] = left;
    // the right child is pushed first so the left subtree is grown first
    const slot = stack.length / 4;
    if ((slot + 2) * K > totalsStack.length) {
      const bigger = new Float64Array(totalsStack.length * 2);
      bigger.set(totalsStack);
      totalsStack = bigger;
    }
    for (let c = 0; c < K; c++) {
      totalsStack[slot * K + c] = rightTotals[c];
      totalsStack[(slot + 1) * K + c] = leftTotals[c];
    }
    stack.push(left + 1, i, hi, depth + 1);
    stack.push(left, lo, i, depth + 1);
  }

  return {
    feature: nodes.feature.slice(0, nodes.size),
    splitBin: nodes.splitBin.slice(0, nodes.size),
    child: nodes.child.slice(0, nodes.size),
    leafValues: leafValues.values.slice(0, leafValues.size),
    importance,
  };

  function makeLeaf(node: number, nonZero: number, onlyClass: number, weight: number): void {
    nodes.feature[node] = -1;
    nodes.splitBin[node] = -1;
    if (nonZero <= 1) {
      nodes.child[node] = onlyClass; // one of the forest's one-hot rows: a unanimous forest says exactly 1
      return;
    }
    const row = leafValues.size / K;
    for (let c = 0; c < K; c++) leafValues.push(nodeTotals[c] / weight);
    nodes.child[node] = K + row;
  }
}

/** Sorts a[from .. from+n): insertion sort for the short lists of deep nodes, the built-in sort for long ones. */
function sortBins(a: Int32Array, from: number, n: number): void {
  if (n > 48) {
    a.subarray(from, from + n).sort();
    return;
  }
  for (let i = from + 1; i < from + n; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= from && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Puts grown trees together in the given order: split bins become threshold values, pure leaves point at
 * the shared one-hot rows, and importances are averaged as scikit-learn does (each tree's normalised to
 * sum 1, trees without a split left out, the mean normalised again).
 */
export function assembleForest(trees: readonly GrownTree[], binned: BinnedFeatures, classes: number): RandomForestModel {
  const K = classes;
  const F = binned.features;
  let totalNodes = 0;
  let totalLeafRows = K;
  for (const t of trees) {
    totalNodes += t.feature.length;
    totalLeafRows += t.leafValues.length / K;
  }
  const treeStart = new Int32Array(trees.length + 1);
  const feature = new Int32Array(totalNodes);
  const threshold = new Float64Array(totalNodes);
  const child = new Int32Array(totalNodes);
  const leafValues = new Float64Array(totalLeafRows * K);
  for (let c = 0; c < K; c++) leafValues[c * K + c] = 1;
  const importance = new Float64Array(F);
  let usefulTrees = 0;
  let nodeBase = 0;
  let rowBase = K;
  trees.forEach((t, index) => {
    treeStart[index] = nodeBase;
    const m = t.feature.length;
    for (let i = 0; i < m; i++) {
      const f = t.feature[i];
      feature[nodeBase + i] = f;
      if (f >= 0) {
        threshold[nodeBase + i] = binned.thresholds[f][t.splitBin[i]];
        child[nodeBase + i] = nodeBase + t.child[i];
      } else {
        const row = t.child[i];
        child[nodeBase + i] = row < K ? row : rowBase + (row - K);
      }
    }
    leafValues.set(t.leafValues, rowBase * K);
    let sum = 0;
    for (let f = 0; f < F; f++) sum += t.importance[f];
    if (sum > 0) {
      usefulTrees++;
      for (let f = 0; f < F; f++) importance[f] += t.importance[f] / sum;
    }
    nodeBase += m;
    rowBase += t.leafValues.length / K;
  });
  treeStart[trees.length] = nodeBase;
  if (usefulTrees > 0) {
    let sum = 0;
    for (let f = 0; f < F; f++) sum += importance[f];
    for (let f = 0; f < F; f++) importance[f] = sum > 0 ? importance[f] / sum : 0;
  }
  return { kind: 'random-forest', features: F, classes: K, treeStart, feature, threshold, child, leafValues, importance };
}

/** Per-tree seeds drawn up front from the one generator, so any thread can grow any tree. */
export function treeSeeds(rng: SeededRandom, trees: number): Uint32Array {
  const seeds = new Uint32Array(trees);
  for (let t = 0; t < trees; t++) seeds[t] = rng.nextSeed();
  return seeds;
}

/**
 * Everything a tree needs, in one fixed order of draws from `rng` (bin sample, then one seed per tree), so
 * a forest grown here or on worker threads is the same. `allocate` places the big arrays (a
 * SharedArrayBuffer for threads).
 */
export function prepareForest(
  data: FeatureMatrix,
  y: Int32Array,
  classes: number,
  params: RandomForestParams,
  rng: SeededRandom,
  rows?: Int32Array,
  allocate: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): { input: TreeInput; seeds: Uint32Array } {
  if (y.length !== data.rows) throw new RangeError(`${data.rows} rows but ${y.length} labels`);
  const trainRows = new Int32Array(allocate((rows ? rows.length : data.rows) * 4));
  if (rows) trainRows.set(rows);
  else for (let i = 0; i < data.rows; i++) trainRows[i] = i;
  if (trainRows.length === 0) throw new RangeError('a random forest needs at least one row');
  const labels = new Int32Array(allocate(y.length * 4));
  labels.set(y);
  const binned = binFeatures(data, params.maxBins, rng, trainRows, new Uint8Array(allocate(data.rows * data.columns)));
  const input: TreeInput = { binned, y: labels, classes, trainRows, classWeight: classWeights(y, classes, trainRows, params.classWeight) };
  return { input, seeds: treeSeeds(rng, params.trees) };
}

/** Fits a forest on this thread. */
export function fitRandomForest(
  data: FeatureMatrix,
  y: Int32Array,
  classes: number,
  params: RandomForestParams,
  rng: SeededRandom,
  rows?: Int32Array,
): RandomForestModel {
  const { input, seeds } = prepareForest(data, y, classes, params, rng, rows);
  const scratch = new TreeScratch(input);
  const trees: GrownTree[] = [];
  for (let t = 0; t < params.trees; t++) trees.push(growTree(input, params, seeds[t], scratch));
  return assembleForest(trees, input.binned, classes);
}

/**
 * Rows predicted together. Each tree sorts a block's rows down its nodes (below), and its cost per node is
 * paid once per block: 4,096 rows reach most nodes of a deep tree, and their bins (4 KiB per feature) stay in
 * the L1 cache while a node sorts them.
 */
const PREDICT_BLOCK_ROWS = 4096;
/** A node's rows fewer than this walk down one by one: sorting them would cost more than the walk. */
const WALK_BELOW_ROWS = 5;
/** split bin of a leaf (splits use bins 0..254: with 255 thresholds a row's bin is 0..255) */
const LEAF_BIN = 255;

/**
 * The forest laid out for prediction. A forest grown on binned data has at most 255 distinct thresholds (maxBins - 1) per
 * feature, so each block of rows is binned once against them (bin = thresholds below x; x <= threshold j
 * exactly when bin <= j) and every node is 8 bytes: [feature | split bin << 16, left child], a leaf
 * [LEAF_BIN << 16, offset of its probability row in leafValues]. Built once per forest, in shared memory:
 * worker threads adopt the one their parent built.
 */
export interface PredictionLayout {
  nodes: Int32Array;
  /** per feature its distinct thresholds ascending, padded with +Infinity to 256 (a branch-free 8-step search) */
  cuts: Float64Array;
  /** splits on the longest path from a root to a leaf */
  maxDepth: number;
}

const layouts = new WeakMap<RandomForestModel, PredictionLayout>();

/** Why this forest cannot be laid out for prediction, or null (a forest netml grew always can); lays it out if it can. */
export function predictionLayoutProblem(model: RandomForestModel): string | null {
  const built = layouts.get(model) ?? layOut(model);
  if (typeof built === 'string') return built;
  layouts.set(model, built);
  return null;
}

export function predictionLayout(model: RandomForestModel): PredictionLayout {
  const problem = predictionLayoutProblem(model);
  if (problem) throw new RangeError(`this forest cannot be used for prediction: ${problem}`);
  return layouts.get(model)!;
}

/** A worker thread predicts with the layout its parent built for the same forest. */
export function adoptPredictionLayout(model: RandomForestModel, layout: PredictionLayout): void {
  layouts.set(model, layout);
}

function layOut(model: RandomForestModel): PredictionLayout | string {
  const F = model.features;
  const N = model.feature.length;
  if (F > 0xffff) return `${F} features (at most 65,535)`;
  const perFeature = Array.from({ length: F }, () => new Set<number>());
  for (let i = 0; i < N; i++) if (model.feature[i] >= 0) perFeature[model.feature[i]].add(model.threshold[i]);
  const crowded = perFeature.findIndex((set) => set.size > LEAF_BIN);
  if (crowded >= 0) return `feature ${crowded} has ${perFeature[crowded].size} distinct thresholds (at most ${LEAF_BIN})`;
  const cuts = new Float64Array(new SharedArrayBuffer(F * MAX_BINS_LIMIT * 8)).fill(Infinity);
  const binOf = perFeature.map((set, f) => {
    const sorted = Float64Array.from(set).sort();
    cuts.set(sorted, f * MAX_BINS_LIMIT);
    return new Map(Array.from(sorted, (t, j) => [t, j]));
  });
  const nodes = new Int32Array(new SharedArrayBuffer(2 * N * 4));
  // children come after their parent (the model file checks it), so one pass finds the longest path to
  // every node (in a file whose nodes share a child too)
  const depth = new Int32Array(N);
  let maxDepth = 0;
  for (let i = 0; i < N; i++) {
    const f = model.feature[i];
    maxDepth = Math.max(maxDepth, depth[i]);
    if (f >= 0) {
      const left = model.child[i];
      depth[left] = Math.max(depth[left], depth[i] + 1);
      depth[left + 1] = Math.max(depth[left + 1], depth[i] + 1);
    }
    if (f < 0) {
      nodes[2 * i] = LEAF_BIN << 16;
      nodes[2 * i + 1] = model.child[i] * model.classes;
    } else {
      nodes[2 * i] = f | ((binOf[f].get(model.threshold[i]) as number) << 16);
      nodes[2 * i + 1] = model.child[i];
    }
  }
  return { nodes, cuts, maxDepth };
}

/** Rows start..start+m-1 of the column-major matrix as bins, column-major too: block[f * PREDICT_BLOCK_ROWS + r]. */
function binBlock(values: Float64Array, n: number, F: number, start: number, m: number, cuts: Float64Array, block: Uint8Array): void {
  for (let f = 0; f < F; f++) {
    const src = f * n + start;
    const c = f * MAX_BINS_LIMIT;
    const dst = f * PREDICT_BLOCK_ROWS;
    for (let r = 0; r < m; r++) {
      const x = values[src + r];
      // NaN is never <= a threshold, so it goes right everywhere: the top bin
      block[dst + r] = x === x ? cutsBelow(cuts, c, x) : LEAF_BIN;
    }
  }
}

/**
 * Class probabilities of rows from..to-1: out[(r - from) * classes + c], the mean over trees of each tree's
 * leaf distribution (scikit-learn's predict_proba). A sum of ones divided by the tree count is exactly 1.
 *
 * Each tree takes a block of rows at once and sorts them down its nodes depth-first: a node partitions its
 * rows into those going left and right, and each child goes on with its part. One row walking alone waits at
 * every level for the node it loads next; a partition's steps do not depend on each other, so the processor
 * overlaps them (1.3x the speed of walking four rows in step, on 100 trees of mean depth 21).
 */
export function predictProbabilities(
  model: RandomForestModel,
  data: FeatureMatrix,
  from = 0,
  to = data.rows,
  out: Float64Array = new Float64Array((to - from) * model.classes),
): Float64Array {
  if (data.columns !== model.features) throw new RangeError(`the model has ${model.features} features, the data ${data.columns}`);
  const { nodes, cuts, maxDepth } = predictionLayout(model);
  const { leafValues, treeStart } = model;
  const K = model.classes;
  const trees = treeStart.length - 1;
  const F = data.columns;
  const block = new Uint8Array(PREDICT_BLOCK_ROWS * F);
  const rowsOf = new Int32Array(PREDICT_BLOCK_ROWS);
  // (node, lo, hi) of the nodes waiting to sort rowsOf[lo..hi-1]: the right sibling of each node on the
  // current path, and the two children just pushed
  const waiting = new Int32Array(3 * (maxDepth + 2));
  out.fill(0, 0, (to - from) * K);
  for (let start = from; start < to; start += PREDICT_BLOCK_ROWS) {
    const m = Math.min(PREDICT_BLOCK_ROWS, to - start);
    binBlock(data.values, data.rows, F, start, m, cuts, block);
    const outBase = (start - from) * K;
    for (let t = 0; t < trees; t++) {
      for (let r = 0; r < m; r++) rowsOf[r] = r;
      waiting[0] = treeStart[t];
      waiting[1] = 0;
      waiting[2] = m;
      let top = 3;
      while (top > 0) {
        const hi = waiting[--top];
        const lo = waiting[--top];
        const node = waiting[--top];
        if (hi - lo < WALK_BELOW_ROWS) {
          for (let i = lo; i < hi; i++) {
            const r = rowsOf[i];
            let a = node;
            for (;;) {
              const split = nodes[2 * a];
              if (split >>> 16 === LEAF_BIN) break;
              a = nodes[2 * a + 1] + +(block[(split & 0xffff) * PREDICT_BLOCK_ROWS + r] > split >>> 16);
            }
            addRow(out, outBase + r * K, leafValues, nodes[2 * a + 1], K);
          }
          continue;
        }
        const split = nodes[2 * node];
        const bin = split >>> 16;
        if (bin === LEAF_BIN) {
          const leaf = nodes[2 * node + 1];
          for (let i = lo; i < hi; i++) addRow(out, outBase + rowsOf[i] * K, leafValues, leaf, K);
          continue;
        }
        // Lomuto's partition without a branch: rows going left gather in front of p, the swap is always made
        const column = (split & 0xffff) * PREDICT_BLOCK_ROWS;
        let p = lo;
        for (let i = lo; i < hi; i++) {
          const r = rowsOf[i];
          rowsOf[i] = rowsOf[p];
          rowsOf[p] = r;
          p += +(block[column + r] <= bin);
        }
        const left = nodes[2 * node + 1];
        if (p < hi) {
          waiting[top++] = left + 1;
          waiting[top++] = p;
          waiting[top++] = hi;
        }
        if (p > lo) {
          waiting[top++] = left;
          waiting[top++] = lo;
          waiting[top++] = p;
        }
      }
    }
    for (let i = outBase; i < outBase + m * K; i++) out[i] /= trees;
  }
  return out;
}

function addRow(out: Float64Array, at: number, leafValues: Float64Array, from: number, K: number): void {
  for (let c = 0; c < K; c++) out[at + c] += leafValues[from + c];
}

/** The most probable class of each row (the first on a tie, as numpy's argmax). */
export function argmaxClasses(probabilities: Float64Array, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestP = probabilities[r * classes];
    for (let c = 1; c < classes; c++) {
      const p = probabilities[r * classes + c];
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Node arrays that grow by doubling while a tree is grown. */
class NodeArrays {
  feature: Int32Array;
  splitBin: Int32Array;
  child: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.feature = new Int32Array(capacity);
    this.splitBin = new Int32Array(capacity);
    this.child = new Int32Array(capacity);
  }

  add(): number {
    if (this.size === this.feature.length) {
      const grow = <T extends Int32Array>(a: T): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.feature = grow(this.feature);
      this.splitBin = grow(this.splitBin);
      this.child = grow(this.child);
    }
    return this.size++;
  }
}

class GrowableFloats {
  values: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(8, capacity));
  }

  push(v: number): void {
    if (this.size === this.values.length) {
      const b = new Float64Array(this.values.length * 2);
      b.set(this.values);
      this.values = b;
    }
    this.values[this.size++] = v;
  }
}
