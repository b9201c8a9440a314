// Isolation Forest as Liu et al. 2008 define it: c(n) against known values, scores in (0, 1], anomalies above
// inliers, a subsample per tree with its height limit, a threshold that flags the asked share, determinism.
import { describe, expect, it } from 'vitest';
import { matrixFromRows, type FeatureMatrix } from '../../src/ml/feature-matrix.js';
import { averagePathLength, calibrateThreshold, fitIsolationForest, scoreIsolationForest, type IsolationForestModel } from '../../src/ml/isolation-forest.js';
import { rocAuc } from '../../src/ml/metrics.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';

/** `rows` points: a Gaussian cluster, and every 100th row uniform in [-6, 6]^features (the anomalies). */
function clusterWithOutliers(rows: number, features: number, seed: number): { data: FeatureMatrix; anomaly: Uint8Array } {
  const rng = new SeededRandom(seed);
  const values = new Float64Array(rows * features);
  const anomaly = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    anomaly[r] = r % 100 === 0 ? 1 : 0;
    for (let f = 0; f < features; f++) values[f * rows + r] = anomaly[r] ? -6 + 12 * rng.next() : rng.normal();
  }
  return { data: { values, rows, columns: features }, anomaly };
}

function treeDepth(model: IsolationForestModel, t: number): number {
  const walk = (node: number, depth: number): number => (model.feature[node] < 0 ? depth : Math.max(walk(model.left[node], depth + 1), walk(model.left[node] + 1, depth + 1)));
  return walk(model.treeStart[t], 0);
}

describe('c(n), the average path length of an unsuccessful BST search', () => {
  // reference values: scikit-learn's _average_path_length
  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 1.20739236],
    [10, 3.74888048],
    [256, 10.24477092],
    [1000, 12.96994089],
  ])('c(%i) = %f', (n, expected) => {
    expect(averagePathLength(n)).toBeCloseTo(expected, 7);
  });
});

describe('isolation forest', () => {
  const { data, anomaly } = clusterWithOutliers(20000, 6, 11);
  const model = fitIsolationForest(data, { trees: 100, subsampleSize: 256 }, new SeededRandom(1));
  const scores = scoreIsolationForest(model, data);

  it('scores every row in (0, 1]', () => {
    for (const s of scores) {
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('scores anomalies above inliers, with anomalies above 0.5 and inliers below', () => {
    let a = 0;
    let n = 0;
    for (let r = 0; r < scores.length; r++) (anomaly[r] ? (a += scores[r]) : (n += scores[r]));
    const meanAnomaly = a / 200;
    const meanInlier = n / (scores.length - 200);
    expect(meanAnomaly).toBeGreaterThan(0.6);
    expect(meanInlier).toBeLessThan(0.5);
    expect(rocAuc(anomaly, scores)).toBeGreaterThan(0.99);
  });

  it('grows each tree on psi rows and stops at the height limit ceil(log2 psi)', () => {
    expect(model.subsampleSize).toBe(256);
    for (let t = 0; t < 100; t++) {
      expect(model.treeStart[t + 1] - model.treeStart[t]).toBeLessThanOrEqual(2 * 256 - 1);
      expect(treeDepth(model, t)).toBeLessThanOrEqual(8);
    }
    const small = fitIsolationForest(data, { trees: 10, subsampleSize: 16 }, new SeededRandom(2));
    for (let t = 0; t < 10; t++) expect(treeDepth(small, t)).toBeLessThanOrEqual(4);
  });

  it('stores at external nodes depth + c(size), so a row in a leaf of 1 scores its depth', () => {
    for (let i = 0; i < model.feature.length; i++) {
      if (model.feature[i] >= 0) continue;
      expect(model.value[i]).toBeGreaterThanOrEqual(1);
      expect(model.value[i]).toBeLessThanOrEqual(8 + averagePathLength(256));
    }
  });

  it('uses min(psi, rows) when there are fewer rows than psi', () => {
    const tiny = matrixFromRows([[0], [1], [2], [50]]);
    const m = fitIsolationForest(tiny, { trees: 50, subsampleSize: 256 }, new SeededRandom(3));
    expect(m.subsampleSize).toBe(4);
    const s = scoreIsolationForest(m, tiny);
    expect(s[3]).toBeGreaterThan(s[1]);
  });

  it.each([
    ['identical rows', [[1, 1], [1, 1], [1, 1]]],
    ['a single row', [[5, -5]]],
    ['a constant column', [[0, 1], [0, 2], [0, 3], [0, 40]]],
  ])('gives scores in (0, 1] on %s', (_name, rows) => {
    const d = matrixFromRows(rows);
    const m = fitIsolationForest(d, { trees: 20, subsampleSize: 256 }, new SeededRandom(4));
    for (const s of scoreIsolationForest(m, d)) {
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('is the same forest for the same seed and another for another seed', () => {
    const again = fitIsolationForest(data, { trees: 100, subsampleSize: 256 }, new SeededRandom(1));
    expect(again.value).toEqual(model.value);
    expect(again.feature).toEqual(model.feature);
    const other = fitIsolationForest(data, { trees: 100, subsampleSize: 256 }, new SeededRandom(2));
    expect(other.value).not.toEqual(model.value);
  });

  it('trains on a subset of rows when asked', () => {
    const inliers = Int32Array.from({ length: data.rows }, (_, r) => r).filter((r) => !anomaly[r]);
    const m = fitIsolationForest(data, { trees: 50, subsampleSize: 256 }, new SeededRandom(5), inliers);
    expect(rocAuc(anomaly, scoreIsolationForest(m, data))).toBeGreaterThan(0.99);
  });

  it('scores a row range into the given slice', () => {
    const part = scoreIsolationForest(model, data, 100, 300);
    expect(part).toEqual(scores.subarray(100, 300));
  });
});

describe('threshold calibration', () => {
  it('puts exactly floor(fpr x n) distinct scores above the threshold', () => {
    const scores = Float64Array.from({ length: 100 }, (_, i) => i / 100);
    expect(calibrateThreshold(scores, 0.05)).toBe(0.94);
    expect(calibrateThreshold(scores, 0.001)).toBe(0.99);
  });

  it.each([0.001, 0.01, 0.05, 0.1])('flags about %f of the training rows of a forest', (fpr) => {
    const { data } = clusterWithOutliers(10000, 4, 21);
    const m = fitIsolationForest(data, { trees: 50, subsampleSize: 256 }, new SeededRandom(6));
    const s = scoreIsolationForest(m, data);
    const t = calibrateThreshold(s, fpr);
    const flagged = s.filter((v) => v > t).length / s.length;
    expect(flagged).toBeLessThanOrEqual(fpr);
    expect(flagged).toBeGreaterThan(fpr * 0.8);
  });
});
