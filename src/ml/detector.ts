// A trained model applied to a matrix of feature rows, wherever the rows came from (a features CSV now,
// a capture run through extract later): first the raw model output (anomaly scores, or class
// probabilities) for a row range, which the CLI may spread over threads, then a verdict per row.

import { scoreIsolationForest } from './isolation-forest.js';
import type { FeatureMatrix } from './feature-matrix.js';
import type { Forest, NetmlModel } from './model-file.js';
import { predictProbabilities } from './random-forest.js';

export interface Detections {
  /** isolation forest: anomaly score in (0, 1]; random forest: 1 - P(normal class) */
  score: Float64Array;
  /** 1 for SUSPICIOUS */
  suspicious: Uint8Array;
  /** random forest: index into model.classes; null for an isolation forest */
  predictedClass: Int32Array | null;
  suspiciousCount: number;
}

/** Numbers of model output per row: 1 score, or one probability per class. */
export function outputsPerRow(forest: Forest): number {
  return forest.kind === 'isolation-forest' ? 1 : forest.classes;
}

/** Raw output of rows from..to-1 into out[(r - from) * outputsPerRow ...]. */
export function modelOutputs(forest: Forest, data: FeatureMatrix, from: number, to: number, out: Float64Array): void {
  if (forest.kind === 'isolation-forest') scoreIsolationForest(forest, data, from, to, out);
  else predictProbabilities(forest, data, from, to, out);
}

/** Verdicts from raw outputs: above the threshold (isolation forest), or any class but the normal one (random forest). */
export function verdicts(model: NetmlModel, outputs: Float64Array, rows: number): Detections {
  const score = new Float64Array(rows);
  const suspicious = new Uint8Array(rows);
  let suspiciousCount = 0;
  const forest = model.forest;
  if (forest.kind === 'isolation-forest') {
    const threshold = model.threshold ?? 1;
    for (let r = 0; r < rows; r++) {
      const s = outputs[r];
      score[r] = s;
      if (s > threshold) {
        suspicious[r] = 1;
        suspiciousCount++;
      }
    }
    return { score, suspicious, predictedClass: null, suspiciousCount };
  }
  const K = forest.classes;
  const normal = model.classes ? model.classes.indexOf(model.normalLabel) : -1;
  const predictedClass = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * K;
    let best = 0;
    for (let c = 1; c < K; c++) if (outputs[o + c] > outputs[o + best]) best = c;
    predictedClass[r] = best;
    score[r] = normal >= 0 ? 1 - outputs[o + normal] : outputs[o + best];
    if (best !== normal) {
      suspicious[r] = 1;
      suspiciousCount++;
    }
  }
  return { score, suspicious, predictedClass, suspiciousCount };
}

/** Both steps on this thread. */
export function detect(model: NetmlModel, data: FeatureMatrix): Detections {
  const out = new Float64Array(data.rows * outputsPerRow(model.forest));
  modelOutputs(model.forest, data, 0, data.rows, out);
  return verdicts(model, out, data.rows);
}
