// Worker-thread entry for ml-pool.ts: grows random-forest trees or computes model outputs for row ranges.
// The data arrives once in workerData on SharedArrayBuffers; each message is one job (a tree and its
// seed, or a row range); the pure functions of src/ml do the work.

import { parentPort, workerData } from 'node:worker_threads';
import { modelOutputs, outputsPerRow } from '../ml/detector.js';
import type { FeatureMatrix } from '../ml/feature-matrix.js';
import type { Forest } from '../ml/model-file.js';
import { adoptPredictionLayout, growTree, TreeScratch, type PredictionLayout, type RandomForestParams, type TreeInput } from '../ml/random-forest.js';

export type WorkerSetup =
  | { task: 'grow'; input: TreeInput; params: RandomForestParams }
  | { task: 'outputs'; forest: Forest; data: FeatureMatrix; out: Float64Array; layout?: PredictionLayout };

export type WorkerJob = { tree: number; seed: number } | { from: number; to: number };

const setup = workerData as WorkerSetup;
const port = parentPort!;

if (setup.task === 'grow') {
  const scratch = new TreeScratch(setup.input);
  port.on('message', (job: { tree: number; seed: number }) => {
    const grown = growTree(setup.input, setup.params, job.seed, scratch);
    const buffers = [grown.feature, grown.splitBin, grown.child, grown.leafValues, grown.importance].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ tree: job.tree, grown }, buffers);
  });
} else {
  if (setup.forest.kind === 'random-forest' && setup.layout) adoptPredictionLayout(setup.forest, setup.layout);
  const width = outputsPerRow(setup.forest);
  port.on('message', (job: { from: number; to: number }) => {
    modelOutputs(setup.forest, setup.data, job.from, job.to, setup.out.subarray(job.from * width, job.to * width));
    port.postMessage({ from: job.from, to: job.to });
  });
}
