// Spreads the two expensive ML loops over the machine's cores: growing random-forest trees (one job per
// tree, each with its own seed, so the forest does not depend on which thread grew what) and computing
// model outputs (one job per block of rows). The data goes to the workers once, on SharedArrayBuffers.
// With one thread, or when running from TypeScript sources (tests), the same jobs run on this thread,
// yielding between jobs so Ctrl+C is seen.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ExitCode, NetmlError } from '../errors.js';
import { modelOutputs, outputsPerRow } from '../ml/detector.js';
import { distinctRows, selectRows, type FeatureMatrix } from '../ml/feature-matrix.js';
import type { Forest } from '../ml/model-file.js';
import { growTree, predictionLayout, TreeScratch, type GrownTree, type RandomForestParams, type TreeInput } from '../ml/random-forest.js';
import type { WorkerSetup } from './ml-worker.js';

export interface PoolControl {
  threads: number;
  /** polled between jobs; true stops the work with an InterruptedError */
  interrupted?: () => boolean;
  onProgress?: (done: number, total: number) => void;
}

/** rows per output job: big enough that messaging costs nothing, small enough to balance two threads */
const ROWS_PER_JOB = 32768;

export class InterruptedError extends NetmlError {
  constructor(what: string) {
    super(`interrupted while ${what}; nothing was written`, ExitCode.interrupted, 'run the command again and let it finish');
  }
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Workers need the compiled worker file; under the TypeScript test runner everything runs on this thread. */
function workerUrl(): URL | null {
  if (!import.meta.url.endsWith('.js')) return null;
  return new URL('./ml-worker.js', import.meta.url);
}

export async function growTrees(input: TreeInput, params: RandomForestParams, seeds: Uint32Array, control: PoolControl): Promise<GrownTree[]> {
  const trees: GrownTree[] = new Array(seeds.length);
  const jobs = Array.from(seeds, (seed, tree) => ({ tree, seed }));
  let done = 0;
  const url = workerUrl();
  const shared = input.binned.bins.buffer instanceof SharedArrayBuffer && input.y.buffer instanceof SharedArrayBuffer;
  if (control.threads <= 1 || !url || !shared) {
    const scratch = new TreeScratch(input);
    for (const job of jobs) {
      await yieldToEvents();
      if (control.interrupted?.()) throw new InterruptedError('growing trees');
      trees[job.tree] = growTree(input, params, job.seed, scratch);
      control.onProgress?.(++done, jobs.length);
    }
    return trees;
  }
  const setup: WorkerSetup = { task: 'grow', input, params };
  await runJobs(url, setup, jobs, control, 'growing trees', (_job, result: { tree: number; grown: GrownTree }) => {
    trees[result.tree] = result.grown;
    control.onProgress?.(++done, jobs.length);
  });
  return trees;
}

/** below this share of distinct rows, only the distinct ones are scored and the outputs copied to their twins */
const DEDUPLICATE_BELOW = 0.8;

/**
 * Scores (isolation forest) or class probabilities (random forest) of every row of `data`. Rows that repeat
 * an earlier one exactly are scored once (a flood's flows are identical but for their addresses).
 */
export async function computeOutputs(forest: Forest, data: FeatureMatrix, control: PoolControl): Promise<Float64Array> {
  const { first, of } = distinctRows(data);
  if (first.length >= DEDUPLICATE_BELOW * data.rows) return computeAll(forest, data, control);
  const width = outputsPerRow(forest);
  const distinct = await computeAll(forest, selectRows(data, first, control.threads > 1), {
    ...control,
    onProgress: control.onProgress && ((done, total) => control.onProgress!(Math.round((done / total) * data.rows), data.rows)),
  });
  const out = new Float64Array(data.rows * width);
  for (let r = 0; r < data.rows; r++) {
    const from = of[r] * width;
    for (let k = 0; k < width; k++) out[r * width + k] = distinct[from + k];
  }
  return out;
}

async function computeAll(forest: Forest, data: FeatureMatrix, control: PoolControl): Promise<Float64Array> {
  const width = outputsPerRow(forest);
  const jobs: { from: number; to: number }[] = [];
  for (let from = 0; from < data.rows; from += ROWS_PER_JOB) jobs.push({ from, to: Math.min(data.rows, from + ROWS_PER_JOB) });
  let done = 0;
  const url = workerUrl();
  if (control.threads <= 1 || !url || jobs.length < 2) {
    const out = new Float64Array(data.rows * width);
    for (const job of jobs) {
      await yieldToEvents();
      if (control.interrupted?.()) throw new InterruptedError('scoring');
      modelOutputs(forest, data, job.from, job.to, out.subarray(job.from * width, job.to * width));
      control.onProgress?.((done += job.to - job.from), data.rows);
    }
    return out;
  }
  const sharedData = data.values.buffer instanceof SharedArrayBuffer ? data : toShared(data);
  const out = new Float64Array(new SharedArrayBuffer(data.rows * width * 8));
  // a random forest's prediction layout is built once here and shared, not once per thread
  const layout = forest.kind === 'random-forest' ? predictionLayout(forest) : undefined;
  const setup: WorkerSetup = { task: 'outputs', forest, data: sharedData, out, layout };
  await runJobs(url, setup, jobs, control, 'scoring', (job) => {
    control.onProgress?.((done += job.to - job.from), data.rows);
  });
  return out;
}

/** Hands jobs to up to `threads` workers as they become free; resolves when all results are in. */
function runJobs<J, R>(url: URL, setup: WorkerSetup, jobs: J[], control: PoolControl, what: string, onResult: (job: J, result: R) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    const stopAll = () => {
      clearInterval(poll);
      for (const w of workers) void w.terminate();
    };
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(err);
    };
    const poll = setInterval(() => {
      if (control.interrupted?.()) fail(new InterruptedError(what));
    }, 100);
    const give = (w: Worker, inFlight: Map<Worker, J>) => {
      if (next >= jobs.length) {
        void w.terminate();
        return;
      }
      const job = jobs[next++];
      inFlight.set(w, job);
      w.postMessage(job);
    };
    const inFlight = new Map<Worker, J>();
    const count = Math.max(1, Math.min(control.threads, jobs.length));
    for (let i = 0; i < count; i++) {
      const w = new Worker(url, { workerData: setup });
      workers.push(w);
      w.on('message', (result: R) => {
        if (failed) return;
        const job = inFlight.get(w)!;
        inFlight.delete(w);
        onResult(job, result);
        finished++;
        if (finished === jobs.length) {
          stopAll();
          resolve();
          return;
        }
        give(w, inFlight);
      });
      w.on('error', (err) => fail(new NetmlError(`a worker thread failed while ${what}: ${err.message}`, ExitCode.internal, 'run again with --threads 1, and report it', { cause: err })));
      w.on('exit', (code) => {
        if (!failed && finished < jobs.length && inFlight.has(w) && code !== 0) fail(new NetmlError(`a worker thread exited with code ${code} while ${what}`, ExitCode.internal, 'run again with --threads 1'));
      });
      give(w, inFlight);
    }
    if (jobs.length === 0) {
      stopAll();
      resolve();
    }
  });
}

function toShared(data: FeatureMatrix): FeatureMatrix {
  const values = new Float64Array(new SharedArrayBuffer(data.values.length * 8));
  values.set(data.values);
  return { values, rows: data.rows, columns: data.columns };
}

/**
 * Lets the event loop deliver what is pending. Two hops through setImmediate: a Ctrl+C that arrived during
 * synchronous work (reading the table, growing an isolation forest) is delivered in the poll phase, which
 * one hop can skip (an immediate queued from a poll callback runs in the same loop turn, before the next poll).
 */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Call right before writing results: throws InterruptedError if Ctrl+C or SIGTERM came at any point, even
 * during synchronous work or after the last job was handed out (the worker pool polls every 100 ms only).
 */
export async function throwIfInterrupted(control: Pick<PoolControl, 'interrupted'>, what: string): Promise<void> {
  await yieldToEvents();
  if (control.interrupted?.()) throw new InterruptedError(what);
}
