// How good a model is, computed the way scikit-learn computes it (so the benchmark can compare figures
// one for one): confusion matrix, per-class precision/recall/F1 (0 when undefined, zero_division=0),
// macro F1 over the classes that occur in truth or prediction, accuracy, ROC AUC with ties counted half
// (the trapezoid rule), one-vs-rest macro AUC, and the stratified splits used to get held-out figures.

import type { SeededRandom } from '../synth/seeded-random.js';

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** rows of this class in the truth */
  support: number;
}

export interface ClassificationReport {
  /** counts[truth * classes + predicted] */
  confusion: Int32Array;
  perClass: ClassScores[];
  accuracy: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
}

export function confusionMatrix(truth: Int32Array, predicted: Int32Array, classes: number): Int32Array {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} true labels but ${predicted.length} predictions`);
  const counts = new Int32Array(classes * classes);
  for (let i = 0; i < truth.length; i++) counts[truth[i] * classes + predicted[i]]++;
  return counts;
}

export function classificationReport(truth: Int32Array, predicted: Int32Array, classes: number): ClassificationReport {
  return reportFromConfusion(confusionMatrix(truth, predicted, classes), classes);
}

export function reportFromConfusion(confusion: Int32Array, classes: number): ClassificationReport {
  const perClass: ClassScores[] = [];
  let correct = 0;
  let total = 0;
  let macroP = 0;
  let macroR = 0;
  let macroF = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    let truePositives = 0;
    let actual = 0;
    let predicted = 0;
    for (let k = 0; k < classes; k++) {
      actual += confusion[c * classes + k];
      predicted += confusion[k * classes + c];
    }
    truePositives = confusion[c * classes + c];
    correct += truePositives;
    total += actual;
    const precision = predicted > 0 ? truePositives / predicted : 0;
    const recall = actual > 0 ? truePositives / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support: actual });
    if (actual > 0 || predicted > 0) {
      present++;
      macroP += precision;
      macroR += recall;
      macroF += f1;
    }
  }
  return {
    confusion,
    perClass,
    accuracy: total > 0 ? correct / total : 0,
    macroPrecision: present > 0 ? macroP / present : 0,
    macroRecall: present > 0 ? macroR / present : 0,
    macroF1: present > 0 ? macroF / present : 0,
  };
}

/**
 * Area under the ROC curve of `scores` for telling positive rows from the others: the probability that a
 * random positive scores above a random negative, ties counting half. NaN when either side is empty.
 */
export function rocAuc(positive: Uint8Array, scores: Float64Array): number {
  let pos = 0;
  for (let i = 0; i < positive.length; i++) pos += positive[i] ? 1 : 0;
  const neg = positive.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  const p = new Float64Array(pos);
  const q = new Float64Array(neg);
  let a = 0;
  let b = 0;
  for (let i = 0; i < positive.length; i++) {
    if (positive[i]) p[a++] = scores[i];
    else q[b++] = scores[i];
  }
  p.sort();
  q.sort();
  // for each positive, the negatives below it plus half of those equal to it
  let below = 0;
  let equalEnd = 0;
  let sum = 0;
  for (let i = 0; i < pos; i++) {
    const s = p[i];
    while (below < neg && q[below] < s) below++;
    if (equalEnd < below) equalEnd = below;
    while (equalEnd < neg && q[equalEnd] === s) equalEnd++;
    sum += below + (equalEnd - below) / 2;
  }
  return sum / pos / neg;
}

/** One-vs-rest AUC per class from class probabilities (rows x classes) and their unweighted mean over classes present. */
export function rocAucOneVsRest(truth: Int32Array, probabilities: Float64Array, classes: number): { perClass: number[]; macro: number } {
  const rows = truth.length;
  const positive = new Uint8Array(rows);
  const scores = new Float64Array(rows);
  const perClass: number[] = [];
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < classes; c++) {
    for (let r = 0; r < rows; r++) {
      positive[r] = truth[r] === c ? 1 : 0;
      scores[r] = probabilities[r * classes + c];
    }
    const auc = rocAuc(positive, scores);
    perClass.push(auc);
    if (!Number.isNaN(auc)) {
      sum += auc;
      counted++;
    }
  }
  return { perClass, macro: counted > 0 ? sum / counted : NaN };
}

/**
 * Rows split into train and test with every class in the same proportion in both (each class shuffled,
 * round(share x its rows) to test, at least one row left on each side when the class has two or more).
 * Both lists come back in ascending row order.
 */
export function stratifiedSplit(truth: Int32Array, classes: number, testShare: number, rng: SeededRandom): { train: Int32Array; test: Int32Array } {
  if (!(testShare > 0 && testShare < 1)) throw new RangeError(`the test share must be between 0 and 1, got ${testShare}`);
  const byClass = rowsByClass(truth, classes);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byClass) {
    shuffle(rows, rng);
    let k = Math.round(rows.length * testShare);
    if (rows.length >= 2) k = Math.min(rows.length - 1, Math.max(1, k));
    for (let i = 0; i < rows.length; i++) (i < k ? test : train).push(rows[i]);
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/** Fold number (0..folds-1) of every row, each class dealt round-robin over the folds after a shuffle. */
export function stratifiedFolds(truth: Int32Array, classes: number, folds: number, rng: SeededRandom): Int32Array {
  if (!(Number.isInteger(folds) && folds >= 2)) throw new RangeError(`cross-validation needs at least 2 folds, got ${folds}`);
  const fold = new Int32Array(truth.length);
  let offset = 0;
  for (const rows of rowsByClass(truth, classes)) {
    shuffle(rows, rng);
    // each class starts where the previous one stopped, so small classes do not all land in fold 0
    for (let i = 0; i < rows.length; i++) fold[rows[i]] = (offset + i) % folds;
    offset = (offset + rows.length) % folds;
  }
  return fold;
}

/** The rows in fold `k` (test) and in every other fold (train). */
export function foldRows(fold: Int32Array, k: number): { train: Int32Array; test: Int32Array } {
  let inFold = 0;
  for (let i = 0; i < fold.length; i++) if (fold[i] === k) inFold++;
  const test = new Int32Array(inFold);
  const train = new Int32Array(fold.length - inFold);
  let a = 0;
  let b = 0;
  for (let i = 0; i < fold.length; i++) {
    if (fold[i] === k) test[a++] = i;
    else train[b++] = i;
  }
  return { train, test };
}

/** Values at the given quantiles (0..1) by linear interpolation, like numpy's default. */
export function quantiles(values: Float64Array, qs: readonly number[]): number[] {
  if (values.length === 0) return qs.map(() => NaN);
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  });
}

function rowsByClass(truth: Int32Array, classes: number): number[][] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < truth.length; i++) byClass[truth[i]].push(i);
  return byClass;
}

function shuffle(rows: number[], rng: SeededRandom): void {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = rows[i];
    rows[i] = rows[j];
    rows[j] = t;
  }
}
