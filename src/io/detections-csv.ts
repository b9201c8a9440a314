// results/detections.csv: one row per input row, its identifier cells as they came in, then the model's
// score, the verdict and (random forest) the predicted class. Written atomically: a failure or Ctrl+C
// leaves the previous file, never half of a new one.

import type { Detections } from '../ml/detector.js';
import { FileSink } from './file-sink.js';
import type { IdentifierCells } from './feature-table.js';
import { giveToInvokingUser } from './file-ownership.js';
import { makeOutputDirectory } from './atomic-text-file.js';

export const VERDICT_NORMAL = 'NORMAL';
export const VERDICT_SUSPICIOUS = 'SUSPICIOUS';

/** digits after the point of a score: scores are compared with a threshold, not read to the last bit */
const SCORE_DECIMALS = 6;

/** A score as detections.csv writes it (the per-packet verdicts repeat it, so both must agree). */
export function scoreText(score: number): string {
  return score.toFixed(SCORE_DECIMALS);
}

/** A class name as a CSV cell. */
export function classCell(name: string): string {
  return /[",\n\r]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

export function detectionsHeader(identifiers: IdentifierCells | null, classes: readonly string[] | null): string {
  const names = [...(identifiers?.names ?? ['row']), 'score', 'verdict'];
  if (classes) names.push('predicted_class');
  return names.join(',');
}

export function writeDetectionsCsv(path: string, identifiers: IdentifierCells | null, detections: Detections, classes: readonly string[] | null): void {
  makeOutputDirectory(path);
  const sink = new FileSink(path, { atomic: true });
  try {
    sink.writeAscii(`${detectionsHeader(identifiers, classes)}\n`);
    const classCells = classes?.map(classCell) ?? null;
    const rows = detections.score.length;
    for (let r = 0; r < rows; r++) {
      if (identifiers) {
        const from = identifiers.offsets[r];
        const to = identifiers.offsets[r + 1];
        sink.write(identifiers.bytes.subarray(from, to));
      } else {
        sink.writeAscii(String(r + 1));
      }
      let tail = `,${scoreText(detections.score[r])},${detections.suspicious[r] ? VERDICT_SUSPICIOUS : VERDICT_NORMAL}`;
      if (classCells && detections.predictedClass) tail += `,${classCells[detections.predictedClass[r]]}`;
      sink.writeAscii(`${tail}\n`);
    }
    sink.close();
  } catch (err) {
    sink.abandon();
    throw err;
  }
  giveToInvokingUser(path);
}
