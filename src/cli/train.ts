// `netml train`: the third pipeline stage. A features CSV in, a model file out (models/<model>.json), and an
// evaluation printed and written to results/train-report.json. Isolation Forest learns what ordinary
// traffic looks like (no labels needed); Random Forest learns the classes of the `label` column.
// This file wires options to src/ml and reports; the numeric work is there.

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { BadDataError, ExitCode, UsageError } from '../errors.js';
import { writeTextFileAtomically } from '../io/atomic-text-file.js';
import { checkOutputs } from '../io/output-paths.js';
import type { FeatureTable } from '../io/feature-table.js';
import { derivedVersion, FEATURE_SETS, readFeatureSetTable, type FeatureSetName } from '../io/feature-set-table.js';
import { allRows, selectRows } from '../ml/feature-matrix.js';
import { calibrateThreshold, DEFAULT_ISOLATION_FOREST_PARAMS, fitIsolationForest, type IsolationForestParams } from '../ml/isolation-forest.js';
import {
  classificationReport,
  foldRows,
  quantiles,
  reportFromConfusion,
  rocAuc,
  rocAucOneVsRest,
  stratifiedFolds,
  stratifiedSplit,
  type ClassificationReport,
} from '../ml/metrics.js';
import { serializeModel, type NetmlModel } from '../ml/model-file.js';
import {
  argmaxClasses,
  assembleForest,
  DEFAULT_RANDOM_FOREST_PARAMS,
  prepareForest,
  resolveMaxFeatures,
  type MaxFeatures,
  type RandomForestModel,
  type RandomForestParams,
} from '../ml/random-forest.js';
import { DEFAULT_LABEL } from '../schema/flow-columns.js';
import { SeededRandom } from '../synth/seeded-random.js';
import { formatCount, formatSeconds } from '../viz/format.js';
import { bar, gridTable } from '../viz/grid-table.js';
import { keyValueTable, tableWidth, useColour } from '../viz/table.js';
import { Interruption } from './interruption.js';
import type { CliIo } from './main.js';
import { computeOutputs, defaultThreads, growTrees, throwIfInterrupted, type PoolControl } from './ml-pool.js';
import { parsePositiveInt, parseSeed } from './option-parsers.js';
import { StatusLine } from './status-line.js';
import { readVersion } from './version.js';

export interface TrainOptions {
  model: string;
  input: string;
  output?: string;
  report: string;
  trees: number;
  seed: number;
  fpr?: number;
  subsample?: number;
  normalOnly?: boolean;
  maxDepth?: number;
  minSamplesLeaf?: number;
  maxFeatures?: string;
  classWeight?: string;
  maxBins?: number;
  testSplit?: number;
  cv?: number;
  /** default: the table's (normal; BENIGN for CIC tables) */
  normalLabel?: string;
  includeIdentifiers?: boolean;
  features: FeatureSetName;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
}

const MODEL_KINDS: Record<string, NetmlModel['kind']> = { iforest: 'isolation-forest', rf: 'random-forest' };
const DEFAULT_FPR = 0.01;
const DEFAULT_TEST_SPLIT = 0.2;
const TOP_FEATURES = 15;
const HISTOGRAM_BINS = 20;

const EXAMPLES = `
Examples:
  netml train --model iforest                      learn normal traffic from dataset/features.csv -> models/iforest.json
  netml train --model iforest --fpr 0.001          flag 0.1% of the training flows (a stricter threshold)
  netml train --model iforest --normal-only        train only on rows labelled normal (needs the label column)
  netml train --model rf                           classes from the label column; 20% held out for evaluation
  netml train --model rf --cv 5 --class-weight balanced --trees 200
  netml train --model rf --input lab.csv --output models/lab-rf.json --seed 7 --json
  netml train --model iforest --features client-activity --normal-only
                                                   learn from what each flow's client did around it (scans,
                                                   floods, brute force stand out) instead of the flow's own columns

Outputs (paths are options):
  models/<model>.json        the model: JSON with the feature schema, columns, parameters, seed, threshold,
                             a fingerprint of the training data (sha256 of the CSV) and the evaluation
  results/train-report.json  everything printed, plus timings

Same data, same options and seed: byte-identical model file.
Exit codes: 0 ok, 64 bad usage, 65 bad input data, 66 missing input, 73 cannot write, 130 interrupted.`;

function parseFeatureSet(value: string): FeatureSetName {
  if (!(FEATURE_SETS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${FEATURE_SETS.join(' or ')}`);
  return value as FeatureSetName;
}

export function registerTrain(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('train')
    .summary('train an Isolation Forest or a Random Forest on a features CSV -> models/<model>.json')
    .description(
      'Train a model on a feature table written by `netml extract` (any --level or --format) and print how good it is.\n' +
        'iforest: Isolation Forest (Liu et al. 2008), unsupervised: learns what ordinary traffic looks like; the threshold is set so that --fpr of the training rows score above it.\n' +
        'rf: Random Forest, supervised: learns the classes of the label column (`netml extract --labels`).',
    )
    .requiredOption('-m, --model <kind>', 'iforest or rf')
    .option('-i, --input <path>', 'features CSV to train on', 'dataset/features.csv')
    .option('-o, --output <path>', 'where to write the model (default: models/<model>.json)')
    .option('--report <path>', 'where to write the evaluation', 'results/train-report.json')
    .option('--trees <n>', 'number of trees', parsePositiveInt, 100)
    .option('--seed <n>', 'random seed, 0 to 4294967295: the same seed and data give the same model', parseSeed, 1)
    .option('--fpr <rate>', `iforest: share of training rows allowed above the threshold (default ${DEFAULT_FPR})`, parseShare)
    .option('--subsample <n>', `iforest: rows per tree, psi (default ${DEFAULT_ISOLATION_FOREST_PARAMS.subsampleSize})`, parsePositiveInt)
    .option('--normal-only', 'iforest: train only on rows whose label is --normal-label')
    .option('--max-depth <n>', 'rf: deepest split level (default: no limit)', parsePositiveInt)
    .option('--min-samples-leaf <n>', 'rf: fewest training rows in a leaf (default 1)', parsePositiveInt)
    .option('--max-features <x>', 'rf: features tried per split: sqrt, log2, all, a count or a share like 0.3 (default sqrt)')
    .option('--class-weight <mode>', 'rf: balanced weighs classes by the inverse of their frequency (default: none)')
    .option('--max-bins <n>', `rf: quantile bins per feature, 2-256 (default ${DEFAULT_RANDOM_FOREST_PARAMS.maxBins})`, parsePositiveInt)
    .option('--test-split <share>', `rf: share of rows held out (stratified) for the evaluation; 0 to train on all (default ${DEFAULT_TEST_SPLIT})`, parseShareOrZero)
    .option('--cv <k>', 'rf: evaluate by stratified k-fold cross-validation instead; the model is then trained on all rows', parsePositiveInt)
    .option('--normal-label <name>', 'the label of ordinary traffic (default: normal; BENIGN in --format cic tables unless their rows say normal)')
    .option('--features <set>', 'flow: the table\'s own numeric columns; client-activity: what each flow\'s client did in the 1 s and 10 s around it, derived from the table (see README)', parseFeatureSet, 'flow')
    .option('--include-identifiers', 'also train on numeric identifier columns (ports, times, flow id): usually a mistake')
    .option('--threads <n>', 'worker threads (default: the number of cores)', parsePositiveInt)
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'no progress line and no tables (errors still go to stderr)')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: TrainOptions) => {
      result.exitCode = await train(opts, io);
    });
}

interface TrainReport {
  kind: NetmlModel['kind'];
  model: string;
  input: string;
  inputSha256: string;
  schemaVersion: string;
  featureLevel: string;
  rows: number;
  features: number;
  featureNames: string[];
  parameters: Record<string, string | number | boolean>;
  seed: number;
  threads: number;
  evaluation: Record<string, unknown>;
  timing: { loadSeconds: number; fitSeconds: number; scoreSeconds: number; evaluateSeconds: number; totalSeconds: number };
  netmlVersion: string;
}

async function train(opts: TrainOptions, io: CliIo): Promise<number> {
  const kind = MODEL_KINDS[opts.model];
  if (!kind) throw new UsageError(`--model must be iforest or rf, got "${opts.model}"`);
  checkOptionsFitModel(opts, kind);
  if (opts.features !== 'flow' && opts.includeIdentifiers) {
    throw new UsageError(`--include-identifiers adds identifier columns to the table's own features; --features ${opts.features} has columns of its own`, 'drop one of the two options');
  }
  const output = opts.output ?? `models/${opts.model}.json`;
  // before any work: a long training must not end in "cannot write", nor overwrite its own input
  checkOutputs(
    [
      ['--output', output],
      ['--report', opts.report],
    ],
    [['--input', opts.input]],
  );
  const started = performance.now();
  const status = new StatusLine(io.stderr, opts.quiet === true || opts.json === true);
  const interruption = new Interruption();
  const threads = opts.threads ?? defaultThreads();
  const control: PoolControl = { threads, interrupted: () => interruption.interrupted };
  try {
    const table = readFeatureSetTable(opts.input, opts.features, {
      includeIdentifiers: opts.includeIdentifiers === true,
      requireLabels:
        kind === 'random-forest' ? 'a random forest learns from labelled rows' : opts.normalOnly === true ? '--normal-only keeps the rows labelled as ordinary traffic' : false,
      shared: threads > 1,
      hash: true,
      onProgress: (done, total) => status.update(`reading ${opts.input}: ${((100 * done) / total).toFixed(0)}%`),
    });
    if (table.matrix.rows === 0) {
      throw new BadDataError(`${opts.input} has a header but no rows: nothing to train on`, 'extract features from a capture that holds traffic (`netml extract`)');
    }
    opts = { ...opts, normalLabel: opts.normalLabel ?? normalLabelOf(table) };
    if (kind === 'random-forest') {
      checkClasses(table, opts);
      for (const note of rareClasses(table)) io.stderr.write(`netml: warning: ${opts.input}: ${note}\n`);
    }
    const loadSeconds = (performance.now() - started) / 1000;
    const trained =
      kind === 'isolation-forest' ? await trainIsolationForest(table, opts, control, status) : await trainRandomForest(table, opts, control, status);
    status.clear();
    const model: NetmlModel = {
      kind,
      netmlVersion: readVersion(),
      schemaVersion: table.schema.version,
      featureLevel: table.schema.level,
      featureNames: table.featureNames,
      derivedFeatures: derivedVersion(opts.features),
      parameters: trained.parameters,
      seed: opts.seed,
      threshold: trained.threshold,
      classes: trained.classes,
      normalLabel: opts.normalLabel!,
      trainingData: { rows: trained.trainingRows, columns: table.featureNames.length, sha256: table.sha256 ?? '' },
      metrics: trained.evaluation as NetmlModel['metrics'],
      forest: trained.forest,
    };
    await throwIfInterrupted(control, 'training');
    writeTextFileAtomically(output, serializeModel(model));
    const report: TrainReport = {
      kind,
      model: output,
      input: opts.input,
      inputSha256: table.sha256 ?? '',
      schemaVersion: table.schema.version,
      featureLevel: table.schema.level,
      rows: table.matrix.rows,
      features: table.featureNames.length,
      featureNames: table.featureNames,
      parameters: trained.parameters,
      seed: opts.seed,
      threads,
      evaluation: trained.evaluation,
      timing: { loadSeconds, fitSeconds: trained.fitSeconds, scoreSeconds: trained.scoreSeconds, evaluateSeconds: trained.evaluateSeconds, totalSeconds: (performance.now() - started) / 1000 },
      netmlVersion: readVersion(),
    };
    writeTextFileAtomically(opts.report, `${JSON.stringify(report, null, 2)}\n`);
    print(report, opts, io);
    return ExitCode.ok;
  } finally {
    status.clear();
    interruption.release();
  }
}

interface Trained {
  forest: NetmlModel['forest'];
  parameters: Record<string, string | number | boolean>;
  threshold: number | null;
  classes: string[] | null;
  trainingRows: number;
  evaluation: Record<string, unknown>;
  fitSeconds: number;
  /** model outputs only (scores or probabilities), part of evaluateSeconds */
  scoreSeconds: number;
  evaluateSeconds: number;
}

async function trainIsolationForest(table: FeatureTable, opts: TrainOptions, control: PoolControl, status: StatusLine): Promise<Trained> {
  const params: IsolationForestParams = { trees: opts.trees, subsampleSize: opts.subsample ?? DEFAULT_ISOLATION_FOREST_PARAMS.subsampleSize };
  const fpr = opts.fpr ?? DEFAULT_FPR;
  const labels = table.labels;
  let trainRows = allRows(table.matrix.rows);
  if (opts.normalOnly) {
    const normal = labels!.classes.indexOf(opts.normalLabel!);
    if (normal < 0) {
      throw new UsageError(`--normal-only: no row of ${opts.input} is labelled "${opts.normalLabel}" (labels: ${labels!.classes.join(', ')})`, 'name the label of ordinary traffic with --normal-label');
    }
    trainRows = trainRows.filter((r) => labels!.y[r] === normal);
  }
  const fitStarted = performance.now();
  status.update(`growing ${params.trees} isolation trees`);
  const forest = fitIsolationForest(table.matrix, params, new SeededRandom(opts.seed), trainRows);
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  const evaluateStarted = performance.now();
  control.onProgress = (done, total) => status.update(`scoring ${formatCount(done)} / ${formatCount(total)} rows`);
  const scores = await computeOutputs(forest, table.matrix, control);
  const scoreSeconds = (performance.now() - evaluateStarted) / 1000;
  const trainScores = trainRows.length === scores.length ? scores : Float64Array.from(trainRows, (r) => scores[r]);
  const threshold = calibrateThreshold(trainScores, fpr);
  const evaluation = isolationEvaluation(scores, trainScores, threshold, fpr, table, opts);
  return {
    forest,
    parameters: { trees: params.trees, subsampleSize: params.subsampleSize, subsampleUsed: forest.subsampleSize, falsePositiveRate: fpr, trainedOn: opts.normalOnly ? opts.normalLabel! : 'all rows' },
    threshold,
    classes: null,
    trainingRows: trainRows.length,
    evaluation,
    fitSeconds,
    scoreSeconds,
    evaluateSeconds: (performance.now() - evaluateStarted) / 1000,
  };
}

function isolationEvaluation(scores: Float64Array, trainScores: Float64Array, threshold: number, fpr: number, table: FeatureTable, opts: TrainOptions): Record<string, unknown> {
  let flagged = 0;
  let sum = 0;
  for (const s of trainScores) {
    if (s > threshold) flagged++;
    sum += s;
  }
  const [min, p01, p50, p90, p99, max] = quantiles(trainScores, [0, 0.01, 0.5, 0.9, 0.99, 1]);
  const histogram: { from: number; to: number; rows: number }[] = [];
  for (let b = 0; b < HISTOGRAM_BINS; b++) histogram.push({ from: b / HISTOGRAM_BINS, to: (b + 1) / HISTOGRAM_BINS, rows: 0 });
  for (const s of trainScores) histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(s * HISTOGRAM_BINS))].rows++;
  const evaluation: Record<string, unknown> = {
    method: 'training scores',
    trainingRows: trainScores.length,
    threshold,
    targetFalsePositiveRate: fpr,
    flaggedTrainingRows: flagged,
    flaggedTrainingShare: flagged / trainScores.length,
    scores: { min, p01, p50, p90, p99, max, mean: sum / trainScores.length },
    histogram,
  };
  const labels = table.labels;
  if (labels) {
    // how each label fares against the threshold, over all rows (the training ones included)
    const normal = labels.classes.indexOf(opts.normalLabel!);
    const byLabel = labels.classes.map((label) => ({ label, rows: 0, flagged: 0, flaggedShare: 0, meanScore: 0 }));
    const positive = new Uint8Array(scores.length);
    for (let r = 0; r < scores.length; r++) {
      const entry = byLabel[labels.y[r]];
      entry.rows++;
      entry.meanScore += scores[r];
      if (scores[r] > threshold) entry.flagged++;
      positive[r] = labels.y[r] !== normal ? 1 : 0;
    }
    for (const e of byLabel) {
      e.flaggedShare = e.rows > 0 ? e.flagged / e.rows : 0;
      e.meanScore = e.rows > 0 ? e.meanScore / e.rows : 0;
    }
    evaluation.byLabel = byLabel;
    const auc = rocAuc(positive, scores);
    evaluation.rocAuc = Number.isNaN(auc) ? null : auc;
  }
  return evaluation;
}

async function trainRandomForest(table: FeatureTable, opts: TrainOptions, control: PoolControl, status: StatusLine): Promise<Trained> {
  const labels = table.labels!;
  const K = labels.classes.length;
  const F = table.featureNames.length;
  const params: RandomForestParams = {
    trees: opts.trees,
    maxDepth: opts.maxDepth ?? DEFAULT_RANDOM_FOREST_PARAMS.maxDepth,
    minSamplesLeaf: opts.minSamplesLeaf ?? DEFAULT_RANDOM_FOREST_PARAMS.minSamplesLeaf,
    maxFeatures: parseMaxFeatures(opts.maxFeatures),
    classWeight: parseClassWeight(opts.classWeight),
    maxBins: opts.maxBins ?? DEFAULT_RANDOM_FOREST_PARAMS.maxBins,
    bootstrap: true,
  };
  if (params.maxBins < 2 || params.maxBins > 256) throw new UsageError(`--max-bins must be between 2 and 256, got ${params.maxBins}`);
  const rng = new SeededRandom(opts.seed);
  const testShare = opts.cv !== undefined ? 0 : (opts.testSplit ?? DEFAULT_TEST_SPLIT);
  const parameters: Record<string, string | number | boolean> = {
    trees: params.trees,
    maxDepth: params.maxDepth,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: String(params.maxFeatures),
    featuresPerSplit: resolveMaxFeatures(params.maxFeatures, F),
    classWeight: params.classWeight,
    maxBins: params.maxBins,
    bootstrap: params.bootstrap,
    evaluation: opts.cv !== undefined ? `${opts.cv}-fold cross-validation` : testShare > 0 ? `stratified hold-out ${testShare}` : 'none',
  };
  let fitSeconds = 0;
  let scoreSeconds = 0;
  let evaluateSeconds = 0;
  const fit = async (rows: Int32Array, what: string): Promise<RandomForestModel> => {
    const t0 = performance.now();
    const { input, seeds } = prepareForest(table.matrix, labels.y, K, params, rng, rows, (bytes) => (control.threads > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)));
    control.onProgress = (done, total) => status.update(`${what}: tree ${done} / ${total}`);
    const trees = await growTrees(input, params, seeds, control);
    const forest = assembleForest(trees, input.binned, K);
    fitSeconds += (performance.now() - t0) / 1000;
    return forest;
  };
  const evaluate = async (forest: RandomForestModel, rows: Int32Array): Promise<Float64Array> => {
    const t0 = performance.now();
    control.onProgress = (done, total) => status.update(`evaluating: ${formatCount(done)} / ${formatCount(total)} rows`);
    const subset = selectRows(table.matrix, rows, control.threads > 1);
    const t1 = performance.now();
    const all = await computeOutputs(forest, subset, control);
    scoreSeconds += (performance.now() - t1) / 1000;
    evaluateSeconds += (performance.now() - t0) / 1000;
    return all;
  };

  let forest: RandomForestModel;
  let trainingRows: number;
  let evaluation: Record<string, unknown>;
  if (opts.cv !== undefined) {
    if (opts.cv < 2) throw new UsageError(`--cv needs at least 2 folds, got ${opts.cv}`);
    if (opts.cv > table.matrix.rows) throw new UsageError(`--cv ${opts.cv}: ${table.matrix.rows} rows are too few for ${opts.cv} folds`, 'use fewer folds');
    const folds = stratifiedFolds(labels.y, K, opts.cv, rng);
    // every fold checked before the first is trained: an empty one must not show up after an hour of work
    for (let k = 0; k < opts.cv; k++) {
      const { train: trainPart, test } = foldRows(folds, k);
      if (trainPart.length === 0 || test.length === 0) throw new UsageError(`--cv ${opts.cv}: fold ${k + 1} is empty; ${table.matrix.rows} rows are too few`, 'use fewer folds');
    }
    const truth: number[] = [];
    const probabilities: number[] = [];
    const perFold: { fold: number; accuracy: number; macroF1: number }[] = [];
    for (let k = 0; k < opts.cv; k++) {
      const { train: trainPart, test } = foldRows(folds, k);
      if (trainPart.length === 0 || test.length === 0) throw new UsageError(`--cv ${opts.cv}: fold ${k + 1} is empty; ${table.matrix.rows} rows are too few`, 'use fewer folds');
      const foldForest = await fit(trainPart, `fold ${k + 1}/${opts.cv}`);
      const p = await evaluate(foldForest, test);
      const y = Int32Array.from(test, (r) => labels.y[r]);
      const rep = classificationReport(y, argmaxClasses(p, K), K);
      perFold.push({ fold: k + 1, accuracy: rep.accuracy, macroF1: rep.macroF1 });
      for (let i = 0; i < test.length; i++) truth.push(y[i]);
      for (let i = 0; i < p.length; i++) probabilities.push(p[i]);
    }
    const y = Int32Array.from(truth);
    const p = Float64Array.from(probabilities);
    evaluation = classifierEvaluation(`${opts.cv}-fold cross-validation (pooled out-of-fold predictions)`, y, p, labels.classes, table.matrix.rows, y.length);
    evaluation.perFold = perFold;
    forest = await fit(allRows(table.matrix.rows), 'final model on all rows');
    trainingRows = table.matrix.rows;
  } else if (testShare > 0) {
    const { train: trainPart, test } = stratifiedSplit(labels.y, K, testShare, rng);
    if (trainPart.length === 0 || test.length === 0) throw new UsageError(`--test-split ${testShare} leaves no rows on one side`, 'use --test-split 0 to train on every row without an evaluation');
    forest = await fit(trainPart, 'training');
    const p = await evaluate(forest, test);
    const y = Int32Array.from(test, (r) => labels.y[r]);
    evaluation = classifierEvaluation(`stratified hold-out: ${formatCount(test.length)} rows (${testShare})`, y, p, labels.classes, trainPart.length, test.length);
    trainingRows = trainPart.length;
  } else {
    forest = await fit(allRows(table.matrix.rows), 'training');
    evaluation = { method: 'none (--test-split 0): trained on every row' };
    trainingRows = table.matrix.rows;
  }
  evaluation.topFeatures = topFeatures(forest.importance, table.featureNames);
  evaluation.importance = Object.fromEntries(table.featureNames.map((name, f) => [name, forest.importance[f]]));
  return { forest, parameters, threshold: null, classes: labels.classes, trainingRows, evaluation, fitSeconds, scoreSeconds, evaluateSeconds };
}

function classifierEvaluation(method: string, y: Int32Array, probabilities: Float64Array, classes: string[], trainRows: number, testRows: number): Record<string, unknown> {
  const K = classes.length;
  const rep: ClassificationReport = reportFromConfusion(classificationReport(y, argmaxClasses(probabilities, K), K).confusion, K);
  const auc = rocAucOneVsRest(y, probabilities, K);
  const matrix: number[][] = [];
  for (let t = 0; t < K; t++) matrix.push(Array.from(rep.confusion.subarray(t * K, (t + 1) * K)));
  return {
    method,
    trainRows,
    testRows,
    accuracy: rep.accuracy,
    macroPrecision: rep.macroPrecision,
    macroRecall: rep.macroRecall,
    macroF1: rep.macroF1,
    rocAucMacro: Number.isNaN(auc.macro) ? null : auc.macro,
    perClass: classes.map((name, c) => ({ class: name, ...rep.perClass[c], rocAuc: Number.isNaN(auc.perClass[c]) ? null : auc.perClass[c] })),
    confusion: { classes, rowsAreTruth: true, matrix },
  };
}

function topFeatures(importance: Float64Array, names: string[]): { feature: string; importance: number }[] {
  return names
    .map((feature, f) => ({ feature, importance: importance[f] }))
    .sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature))
    .slice(0, TOP_FEATURES);
}

/**
 * The label of ordinary traffic when --normal-label is not given: the one extract gives rows no rule matches
 * (normal; BENIGN in a CIC table), or `normal` where the rules file's "default" named it so in a CIC table.
 */
function normalLabelOf(table: FeatureTable): string {
  const classes = table.labels?.classes ?? [];
  const usual = table.schema.normalLabel;
  return !classes.includes(usual) && classes.includes(DEFAULT_LABEL) ? DEFAULT_LABEL : usual;
}

/** Classes too small to learn from or to evaluate: a rules file whose time window missed looks like this. */
function rareClasses(table: FeatureTable): string[] {
  const { classes, y } = table.labels!;
  const counts = new Array<number>(classes.length).fill(0);
  for (let r = 0; r < y.length; r++) counts[y[r]]++;
  return classes.flatMap((c, k) =>
    counts[k] < RARE_CLASS_ROWS
      ? [`class "${c}" has only ${counts[k]} row${counts[k] === 1 ? '' : 's'}: the forest learns little from it and the evaluation can hardly measure it (check the --labels rules that made it)`]
      : [],
  );
}

const RARE_CLASS_ROWS = 10;

/** A random forest needs two classes, one of them the label of ordinary traffic: else every row is SUSPICIOUS. */
function checkClasses(table: FeatureTable, opts: TrainOptions): void {
  const classes = table.labels!.classes;
  if (!classes.includes(opts.normalLabel!)) {
    throw new UsageError(
      `no row of ${opts.input} is labelled "${opts.normalLabel}" (labels: ${classes.join(', ')}): detect would call every row SUSPICIOUS`,
      'name the label of ordinary traffic with --normal-label',
    );
  }
  if (classes.length < 2) {
    throw new BadDataError(
      `every row of ${opts.input} is labelled "${classes[0]}": a random forest needs at least two classes`,
      'add label rules for the other traffic (`netml extract --labels rules`), or train an isolation forest (`netml train --model iforest`)',
    );
  }
}

function checkOptionsFitModel(opts: TrainOptions, kind: NetmlModel['kind']): void {
  const rfOnly: [keyof TrainOptions, string][] = [
    ['maxDepth', '--max-depth'],
    ['minSamplesLeaf', '--min-samples-leaf'],
    ['maxFeatures', '--max-features'],
    ['classWeight', '--class-weight'],
    ['maxBins', '--max-bins'],
    ['testSplit', '--test-split'],
    ['cv', '--cv'],
  ];
  const iforestOnly: [keyof TrainOptions, string][] = [
    ['fpr', '--fpr'],
    ['subsample', '--subsample'],
    ['normalOnly', '--normal-only'],
  ];
  const wrong = (kind === 'isolation-forest' ? rfOnly : iforestOnly).filter(([key]) => opts[key] !== undefined).map(([, flag]) => flag);
  if (wrong.length > 0) {
    const other = kind === 'isolation-forest' ? 'rf' : 'iforest';
    throw new UsageError(`${wrong.join(', ')} apply to --model ${other}, not to --model ${opts.model}`, `drop ${wrong.length > 1 ? 'them' : 'it'}, or use --model ${other}`);
  }
  if (opts.cv !== undefined && opts.testSplit !== undefined) throw new UsageError('--cv and --test-split are two ways to evaluate: give one', 'drop one of them');
}

function parseMaxFeatures(text: string | undefined): MaxFeatures {
  if (text === undefined) return DEFAULT_RANDOM_FOREST_PARAMS.maxFeatures;
  if (text === 'sqrt' || text === 'log2' || text === 'all') return text;
  const n = Number(text);
  if (Number.isFinite(n) && n > 0 && (n < 1 || Number.isInteger(n))) return n;
  throw new UsageError(`--max-features must be sqrt, log2, all, a whole number of features or a share between 0 and 1, got "${text}"`);
}

function parseClassWeight(text: string | undefined): 'none' | 'balanced' {
  if (text === undefined || text === 'none') return 'none';
  if (text === 'balanced') return 'balanced';
  throw new UsageError(`--class-weight must be balanced or none, got "${text}"`);
}

function parseShare(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`expected a share between 0 and 1 (like 0.01), got "${value}"`);
  return n;
}

function parseShareOrZero(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`expected a share from 0 up to (not including) 1, like 0.2, got "${value}"`);
  return n;
}

function print(report: TrainReport, opts: TrainOptions, io: CliIo): void {
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (opts.quiet) return;
  const colour = useColour(io.stdout);
  const e = report.evaluation as Record<string, any>;
  const rows: [string, string][] = [
    ['model', `${report.kind} -> ${report.model}`],
    ['trained on', `${report.input}: ${formatCount(report.rows)} rows x ${report.features} features (${report.schemaVersion}, one row per ${report.featureLevel})`],
    ['parameters', lines(Object.entries(report.parameters).map(([k, v]) => `${k} ${v}`), 4)],
    ['seed', String(report.seed)],
  ];
  const out: string[] = [];
  if (report.kind === 'isolation-forest') {
    rows.push(['threshold', `${fixed(e.threshold, 4)}: ${formatCount(e.flaggedTrainingRows)} of ${formatCount(e.trainingRows)} training rows above it (${pct(e.flaggedTrainingShare)}, target ${pct(e.targetFalsePositiveRate)})`]);
    rows.push(['training scores', `min ${fixed(e.scores.min, 3)}  median ${fixed(e.scores.p50, 3)}  p90 ${fixed(e.scores.p90, 3)}  p99 ${fixed(e.scores.p99, 3)}  max ${fixed(e.scores.max, 3)}`]);
    if (e.rocAuc !== undefined) rows.push([`ROC AUC (${opts.normalLabel} vs the rest)`, e.rocAuc === null ? 'n/a (one class only)' : fixed(e.rocAuc, 4)]);
    out.push(keyValueTable(rows, colour, tableWidth(io.stdout)));
    const hist = (e.histogram as { from: number; to: number; rows: number }[]).filter((h) => h.rows > 0 || (h.from <= e.scores.max && h.to >= e.scores.min));
    const most = Math.max(1, ...hist.map((h) => h.rows));
    out.push(
      gridTable(
        ['training score', 'rows', ''],
        hist.map((h) => [`${h.from.toFixed(2)}-${h.to.toFixed(2)}${h.from <= e.threshold && e.threshold < h.to ? ' <- threshold' : ''}`, formatCount(h.rows), bar(h.rows / most, 30)]),
        colour,
        'lrl',
      ),
    );
    if (e.byLabel) {
      out.push(gridTable(['label', 'rows', 'flagged', 'share flagged', 'mean score'], e.byLabel.map((b: any) => [b.label, formatCount(b.rows), formatCount(b.flagged), pct(b.flaggedShare), fixed(b.meanScore, 3)]), colour));
    }
  } else {
    rows.push(['evaluation', String(e.method)]);
    if (e.accuracy !== undefined) {
      rows.push(['accuracy', fixed(e.accuracy, 4)]);
      rows.push(['macro F1', fixed(e.macroF1, 4)]);
      rows.push(['ROC AUC (one-vs-rest, macro)', e.rocAucMacro === null ? 'n/a' : fixed(e.rocAucMacro, 4)]);
    }
    out.push(keyValueTable(rows, colour, tableWidth(io.stdout)));
    if (e.perClass) {
      out.push(
        gridTable(
          ['class', 'precision', 'recall', 'F1', 'ROC AUC', 'support'],
          e.perClass.map((c: any) => [c.class, fixed(c.precision, 4), fixed(c.recall, 4), fixed(c.f1, 4), c.rocAuc === null ? 'n/a' : fixed(c.rocAuc, 4), formatCount(c.support)]),
          colour,
        ),
      );
      const classes: string[] = e.confusion.classes;
      out.push(gridTable(['truth \\ predicted', ...classes], classes.map((c, i) => [c, ...e.confusion.matrix[i].map((v: number) => formatCount(v))]), colour));
    }
    const top = e.topFeatures as { feature: string; importance: number }[];
    const most = Math.max(1e-12, ...top.map((t) => t.importance));
    out.push(gridTable(['feature', 'importance', ''], top.map((t) => [t.feature, fixed(t.importance, 4), bar(t.importance / most, 30)]), colour, 'lrl'));
  }
  out.push(keyValueTable([['took', `${formatSeconds(report.timing.totalSeconds)} (read ${formatSeconds(report.timing.loadSeconds)}, fit ${formatSeconds(report.timing.fitSeconds)}, score ${formatSeconds(report.timing.scoreSeconds)}, evaluate ${formatSeconds(report.timing.evaluateSeconds)}; ${report.threads} threads)`], ['wrote', `${report.model}\n${opts.report}`]], colour, tableWidth(io.stdout)));
  io.stdout.write(`${out.join('\n')}\n`);
}

/** `items` joined with commas, `perLine` to a line, so a table cell stays narrow */
function lines(items: string[], perLine: number): string {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += perLine) out.push(items.slice(i, i + perLine).join(', '));
  return out.join(',\n');
}

function fixed(v: number, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

function pct(share: number): string {
  return `${(100 * share).toFixed(share < 0.01 ? 2 : 1)}%`;
}
