// Metrics against values worked out by hand (and matching scikit-learn's definitions), and splits that keep
// class proportions and partition the rows.
import { describe, expect, it } from 'vitest';
import {
  classificationReport,
  confusionMatrix,
  foldRows,
  quantiles,
  rocAuc,
  rocAucOneVsRest,
  stratifiedFolds,
  stratifiedSplit,
} from '../../src/ml/metrics.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';

const i32 = (a: number[]) => Int32Array.from(a);

describe('classification metrics', () => {
  // truth 0 0 1 1 2 2, predicted 0 1 1 1 2 0
  const truth = i32([0, 0, 1, 1, 2, 2]);
  const predicted = i32([0, 1, 1, 1, 2, 0]);

  it('counts the confusion matrix with truth in rows', () => {
    expect(Array.from(confusionMatrix(truth, predicted, 3))).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 1]);
  });

  it('computes precision, recall, F1, accuracy and macro F1', () => {
    const r = classificationReport(truth, predicted, 3);
    expect(r.perClass.map((c) => c.precision)).toEqual([1 / 2, 2 / 3, 1]);
    expect(r.perClass.map((c) => c.recall)).toEqual([1 / 2, 1, 1 / 2]);
    expect(r.perClass[0].f1).toBeCloseTo(0.5, 12);
    expect(r.perClass[1].f1).toBeCloseTo(0.8, 12);
    expect(r.perClass[2].f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.map((c) => c.support)).toEqual([2, 2, 2]);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.macroF1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });

  it('scores 0 (not NaN) for a class never predicted, and leaves out classes absent from truth and predictions', () => {
    const r = classificationReport(i32([0, 0, 1]), i32([0, 0, 0]), 3);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    // class 2 occurs nowhere: macro over classes 0 and 1 only
    expect(r.macroF1).toBeCloseTo((0.8 + 0) / 2, 12);
  });
});

describe('ROC AUC', () => {
  it('counts pairs, ties as half', () => {
    // positives 0.8, 0.4; negatives 0.5, 0.1, 0.4: 3 + (1 + 0.5) of 6 pairs
    const positive = Uint8Array.from([1, 1, 0, 0, 0]);
    expect(rocAuc(positive, Float64Array.from([0.8, 0.4, 0.5, 0.1, 0.4]))).toBeCloseTo(4.5 / 6, 12);
  });

  it.each([
    ['perfect', [0.9, 0.8, 0.1, 0.2], 1],
    ['reversed', [0.1, 0.2, 0.9, 0.8], 0],
    ['all tied', [0.5, 0.5, 0.5, 0.5], 0.5],
  ])('is %s', (_name, scores, expected) => {
    expect(rocAuc(Uint8Array.from([1, 1, 0, 0]), Float64Array.from(scores))).toBe(expected);
  });

  it('is NaN with only one class present', () => {
    expect(rocAuc(Uint8Array.from([1, 1]), Float64Array.from([0.2, 0.3]))).toBeNaN();
  });

  it('averages one-vs-rest AUCs over the classes', () => {
    // 3 rows, 3 classes, each row most probable for its own class except row 2
    const truth = i32([0, 1, 2]);
    const p = Float64Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.5, 0.2, 0.3]);
    const r = rocAucOneVsRest(truth, p, 3);
    // class 0: positive 0.8 vs negatives 0.2, 0.5 -> 1; class 1: 0.7 vs 0.1, 0.2 -> 1; class 2: 0.3 vs 0.1, 0.1 -> 1
    expect(r.perClass).toEqual([1, 1, 1]);
    const worse = rocAucOneVsRest(truth, Float64Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.5, 0.4, 0.1]), 3);
    // class 2: 0.1 vs 0.1, 0.1 -> 0.5; class 1: 0.7 vs 0.1, 0.4 -> 1
    expect(worse.perClass).toEqual([1, 1, 0.5]);
    expect(worse.macro).toBeCloseTo(2.5 / 3, 12);
  });
});

describe('splits', () => {
  const truth = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : i % 10 === 1 ? 2 : 0)); // 80% / 10% / 10%

  it('holds out the same share of every class, and partitions the rows', () => {
    const { train, test } = stratifiedSplit(truth, 3, 0.2, new SeededRandom(1));
    expect(train.length + test.length).toBe(1000);
    expect(new Set([...train, ...test]).size).toBe(1000);
    const count = (rows: Int32Array, c: number) => rows.filter((r) => truth[r] === c).length;
    expect([count(test, 0), count(test, 1), count(test, 2)]).toEqual([160, 20, 20]);
    expect(Array.from(test)).toEqual([...test].sort((a, b) => a - b));
  });

  it('keeps a row of a two-row class on each side', () => {
    const { train, test } = stratifiedSplit(i32([0, 0, 0, 0, 0, 1, 1]), 2, 0.1, new SeededRandom(2));
    expect(test.filter((r) => r >= 5).length).toBe(1);
    expect(train.filter((r) => r >= 5).length).toBe(1);
  });

  it('deals k folds with every class spread evenly', () => {
    const folds = stratifiedFolds(truth, 3, 5, new SeededRandom(3));
    for (let k = 0; k < 5; k++) {
      const { train, test } = foldRows(folds, k);
      expect(train.length + test.length).toBe(1000);
      expect(test.length).toBe(200);
      expect(test.filter((r) => truth[r] === 1).length).toBe(20);
    }
  });

  it('interpolates quantiles like numpy', () => {
    expect(quantiles(Float64Array.from([1, 2, 3, 4]), [0, 0.5, 1, 0.25])).toEqual([1, 2.5, 4, 1.75]);
  });
});
