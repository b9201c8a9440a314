// The histogram random forest: perfect on separable data, probabilities that sum to 1 and are exactly 1 when
// the trees agree, class weights that lift a minority's recall, importances that sum to 1 and point at the
// informative feature, depth and leaf-size limits, and the same forest from the same seed on any thread.
import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../../src/ml/feature-matrix.js';
import { classificationReport } from '../../src/ml/metrics.js';
import {
  argmaxClasses,
  assembleForest,
  binFeatures,
  classWeights,
  DEFAULT_RANDOM_FOREST_PARAMS,
  fitRandomForest,
  growTree,
  predictProbabilities,
  prepareForest,
  resolveMaxFeatures,
  TreeScratch,
  type RandomForestModel,
  type RandomForestParams,
} from '../../src/ml/random-forest.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';

const params = (over: Partial<RandomForestParams> = {}): RandomForestParams => ({ ...DEFAULT_RANDOM_FOREST_PARAMS, trees: 20, ...over });

/** Classes as Gaussian blobs: class c centred at `shift * c` on the first `informative` features, noise elsewhere. */
function blobs(rows: number, features: number, classes: number, shift: number, seed: number, prior?: number[]): { data: FeatureMatrix; y: Int32Array } {
  const rng = new SeededRandom(seed);
  const values = new Float64Array(rows * features);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let c = r % classes;
    if (prior) {
      let u = rng.next();
      c = 0;
      while (c < classes - 1 && u >= prior[c]) u -= prior[c++];
    }
    y[r] = c;
    for (let f = 0; f < features; f++) values[f * rows + r] = rng.normal() + (f < 2 ? shift * c : 0);
  }
  return { data: { values, rows, columns: features }, y };
}

function depthOf(model: RandomForestModel, t: number): number {
  const walk = (node: number, depth: number): number => (model.feature[node] < 0 ? depth : Math.max(walk(model.child[node], depth + 1), walk(model.child[node] + 1, depth + 1)));
  return walk(model.treeStart[t], 0);
}

/** Class probabilities by walking each row down each tree on the float thresholds, one node at a time. */
function plainWalk(m: RandomForestModel, data: FeatureMatrix): Float64Array {
  const K = m.classes;
  const trees = m.treeStart.length - 1;
  const out = new Float64Array(data.rows * K);
  for (let r = 0; r < data.rows; r++) {
    for (let t = 0; t < trees; t++) {
      let node = m.treeStart[t];
      // NaN is not <= any threshold: right
      while (m.feature[node] >= 0) node = m.child[node] + +!(data.values[m.feature[node] * data.rows + r] <= m.threshold[node]);
      for (let c = 0; c < K; c++) out[r * K + c] += m.leafValues[m.child[node] * K + c];
    }
    for (let c = 0; c < K; c++) out[r * K + c] /= trees;
  }
  return out;
}

describe('random forest', () => {
  it('is perfect on separable data, with probabilities of exactly 1 (not 0.900001) when every tree agrees', () => {
    const train = blobs(3000, 5, 3, 20, 1);
    const test = blobs(1000, 5, 3, 20, 2);
    const model = fitRandomForest(train.data, train.y, 3, params({ trees: 10, maxFeatures: 'all' }), new SeededRandom(7));
    const p = predictProbabilities(model, test.data);
    const predicted = argmaxClasses(p, 3);
    expect(classificationReport(test.y, predicted, 3).accuracy).toBe(1);
    for (let r = 0; r < test.data.rows; r++) {
      expect(p[r * 3 + test.y[r]]).toBe(1);
    }
  });

  it('gives class probabilities that sum to 1 on overlapping classes', () => {
    const train = blobs(4000, 6, 4, 0.8, 3);
    const model = fitRandomForest(train.data, train.y, 4, params({ minSamplesLeaf: 5 }), new SeededRandom(8));
    const p = predictProbabilities(model, blobs(500, 6, 4, 0.8, 4).data);
    let mixed = 0;
    for (let r = 0; r < 500; r++) {
      let sum = 0;
      for (let c = 0; c < 4; c++) {
        expect(p[r * 4 + c]).toBeGreaterThanOrEqual(0);
        sum += p[r * 4 + c];
      }
      expect(sum).toBeCloseTo(1, 12);
      if (Math.max(...p.subarray(r * 4, r * 4 + 4)) < 1) mixed++;
    }
    expect(mixed).toBeGreaterThan(100);
  });

  it('lifts the recall of a rare class with balanced class weights', () => {
    const prior = [0.97, 0.03];
    const train = blobs(20000, 4, 2, 1.2, 5, prior);
    const test = blobs(20000, 4, 2, 1.2, 6, prior);
    const recall = (classWeight: 'none' | 'balanced') => {
      const m = fitRandomForest(train.data, train.y, 2, params({ classWeight, minSamplesLeaf: 50, trees: 30 }), new SeededRandom(9));
      return classificationReport(test.y, argmaxClasses(predictProbabilities(m, test.data), 2), 2).perClass[1].recall;
    };
    const plain = recall('none');
    const balanced = recall('balanced');
    expect(balanced).toBeGreaterThan(plain + 0.2);
  });

  it('computes balanced class weights as n / (classes x n_c)', () => {
    const y = Int32Array.from([0, 0, 0, 1]);
    expect(Array.from(classWeights(y, 2, Int32Array.from([0, 1, 2, 3]), 'balanced'))).toEqual([4 / 6, 2]);
    expect(Array.from(classWeights(y, 3, Int32Array.from([0, 1, 2, 3]), 'balanced'))).toEqual([4 / 6, 2, 0]);
    expect(Array.from(classWeights(y, 2, Int32Array.from([0, 3]), 'none'))).toEqual([1, 1]);
  });

  it('has importances that sum to 1, highest on the informative features, 0 on a constant one', () => {
    const { data, y } = blobs(5000, 6, 2, 1.5, 10);
    data.values.fill(3, 5 * data.rows, 6 * data.rows); // feature 5 constant
    const model = fitRandomForest(data, y, 2, params({ maxFeatures: 'all', maxDepth: 6 }), new SeededRandom(11));
    const total = model.importance.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(Math.min(model.importance[0], model.importance[1])).toBeGreaterThan(Math.max(model.importance[2], model.importance[3], model.importance[4]));
    expect(model.importance[5]).toBe(0);
  });

  it('respects max depth and min samples per leaf', () => {
    const { data, y } = blobs(5000, 4, 3, 0.5, 12);
    const shallow = fitRandomForest(data, y, 3, params({ maxDepth: 3 }), new SeededRandom(13));
    for (let t = 0; t < 20; t++) expect(depthOf(shallow, t)).toBeLessThanOrEqual(3);
    // without bootstrap every training row lands in a leaf: count them per leaf
    const minLeaf = 40;
    const m = fitRandomForest(data, y, 3, params({ minSamplesLeaf: minLeaf, bootstrap: false, trees: 3 }), new SeededRandom(14));
    for (let t = 0; t < 3; t++) {
      const perLeaf = new Map<number, number>();
      for (let r = 0; r < data.rows; r++) {
        let node = m.treeStart[t];
        while (m.feature[node] >= 0) node = data.values[m.feature[node] * data.rows + r] <= m.threshold[node] ? m.child[node] : m.child[node] + 1;
        perLeaf.set(node, (perLeaf.get(node) ?? 0) + 1);
      }
      expect(Math.min(...perLeaf.values())).toBeGreaterThanOrEqual(minLeaf);
    }
  });

  it('is the same forest from the same seed, whether trees share scratch space or not', () => {
    const { data, y } = blobs(3000, 5, 3, 0.7, 15);
    const a = fitRandomForest(data, y, 3, params(), new SeededRandom(16));
    const b = fitRandomForest(data, y, 3, params(), new SeededRandom(16));
    expect(b.threshold).toEqual(a.threshold);
    expect(b.leafValues).toEqual(a.leafValues);
    // trees grown one by one out of order (as worker threads would) assemble to the same forest
    const { input, seeds } = prepareForest(data, y, 3, params(), new SeededRandom(16));
    const trees = Array.from(seeds, (_s, t) => t)
      .reverse()
      .map((t) => ({ t, tree: growTree(input, params(), seeds[t], new TreeScratch(input)) }))
      .sort((p, q) => p.t - q.t)
      .map((x) => x.tree);
    const c = assembleForest(trees, input.binned, 3);
    expect(c.feature).toEqual(a.feature);
    expect(c.threshold).toEqual(a.threshold);
    expect(c.importance).toEqual(a.importance);
  });

  it('predicts a row range the same as the whole', () => {
    const { data, y } = blobs(2000, 4, 2, 1, 17);
    const m = fitRandomForest(data, y, 2, params({ trees: 5 }), new SeededRandom(18));
    expect(predictProbabilities(m, data, 300, 700)).toEqual(predictProbabilities(m, data).subarray(600, 1400));
  });

  it('predicts exactly what a plain walk over the float thresholds gives, for values on, between and beyond thresholds', () => {
    // 256 bins on continuous data: features with the full 255 distinct thresholds
    const { data, y } = blobs(4000, 3, 3, 1, 21);
    const m = fitRandomForest(data, y, 3, params({ trees: 60, maxBins: 256 }), new SeededRandom(22));
    const thresholds = Array.from(m.threshold.filter((_, i) => m.feature[i] === 0));
    expect(new Set(thresholds).size).toBe(255);
    // probe rows: every threshold exactly, just above it, and the extremes
    const probes: number[][] = [];
    for (const t of thresholds) probes.push([t, t, t], [t + 1e-9, -t, t - 1e-9]);
    probes.push([-Infinity, Infinity, 0], [Infinity, -Infinity, 1e308], [Number.MAX_VALUE, -Number.MAX_VALUE, -0]);
    const rows = probes.length;
    const values = new Float64Array(rows * 3);
    probes.forEach((row, r) => row.forEach((v, f) => (values[f * rows + r] = v)));
    const probe: FeatureMatrix = { values, rows, columns: 3 };
    expect(predictProbabilities(m, probe)).toEqual(plainWalk(m, probe));
  });

  it('predicts exactly what a plain walk gives across blocks of rows, deep trees, NaN and repeated rows', () => {
    // 9,000 rows: two full blocks of 4,096 and a part one; overlapping classes grow deep trees
    const { data, y } = blobs(9000, 5, 4, 0.5, 31);
    const m = fitRandomForest(data, y, 4, params({ trees: 8 }), new SeededRandom(32));
    expect(Math.max(...Array.from({ length: 8 }, (_, t) => depthOf(m, t)))).toBeGreaterThan(15);
    const values = data.values.slice();
    for (let r = 0; r < 9000; r += 7) values[(r % 5) * 9000 + r] = NaN;
    for (let r = 4000; r < 4200; r++) for (let f = 0; f < 5; f++) values[f * 9000 + r] = values[f * 9000 + 17];
    const probe: FeatureMatrix = { values, rows: 9000, columns: 5 };
    expect(predictProbabilities(m, probe)).toEqual(plainWalk(m, probe));
    expect(predictProbabilities(m, probe, 4095, 8193)).toEqual(plainWalk(m, probe).subarray(4095 * 4, 8193 * 4));
  });

  it.each([
    ['sqrt', 40, 6],
    ['log2', 40, 5],
    ['all', 40, 40],
    [0.3, 40, 12],
    [7, 40, 7],
    [100, 40, 40],
  ] as const)('resolves max features %s of %i to %i', (mf, features, expected) => {
    expect(resolveMaxFeatures(mf, features)).toBe(expected);
  });
});

describe('binning', () => {
  it('puts a threshold halfway between neighbours when a feature has few distinct values', () => {
    const values = Float64Array.from([1, 1, 2, 4, 4, 4, 8, 8]);
    const binned = binFeatures({ values, rows: 8, columns: 1 }, 256, new SeededRandom(1));
    expect(Array.from(binned.thresholds[0])).toEqual([1.5, 3, 6]);
    expect(Array.from(binned.bins)).toEqual([0, 0, 1, 2, 2, 2, 3, 3]);
  });

  it('cuts between two clusters in the gap, not inside a cluster, when a feature has many values', () => {
    const rng = new SeededRandom(4);
    // 1000 values around 0, then 1000 around 20: a quantile cut would fall near position 1000 inside one cluster
    const values = Float64Array.from({ length: 2000 }, (_, i) => rng.normal() + (i < 1003 ? 0 : 20));
    const binned = binFeatures({ values, rows: 2000, columns: 1 }, 256, new SeededRandom(5));
    const below = Math.max(...values.subarray(0, 1003));
    const above = Math.min(...values.subarray(1003));
    expect(Array.from(binned.thresholds[0]).some((t) => t > below && t < above)).toBe(true);
  });

  it('cuts a continuous feature into at most maxBins bins of similar size', () => {
    const rng = new SeededRandom(2);
    const n = 10000;
    const values = Float64Array.from({ length: n }, () => rng.normal());
    const binned = binFeatures({ values, rows: n, columns: 1 }, 16, new SeededRandom(3));
    expect(binned.thresholds[0].length).toBe(15);
    const counts = new Array(16).fill(0);
    for (const b of binned.bins) counts[b]++;
    for (const c of counts) expect(Math.abs(c - n / 16)).toBeLessThan(n / 16 / 10);
    // every value sits in the bin its thresholds say
    for (let r = 0; r < n; r++) {
      const b = binned.bins[r];
      if (b > 0) expect(values[r]).toBeGreaterThan(binned.thresholds[0][b - 1]);
      if (b < 15) expect(values[r]).toBeLessThanOrEqual(binned.thresholds[0][b]);
    }
  });
});
