// models/<name>.json: a tagged plain-JSON envelope (what was trained, on which feature schema and columns,
// with which parameters and seed, on which data, how well it did) around the forest's typed arrays, each
// stored as little-endian base64 with its type and length. Checked field by field on load, so a
// truncated, hand-edited or foreign file gives a message instead of a crash or a wrong verdict.
// Nothing time- or machine-dependent goes in: the same data and seed give a byte-identical file.

import { BadDataError } from '../errors.js';
import type { IsolationForestModel } from './isolation-forest.js';
import { predictionLayoutProblem, type RandomForestModel } from './random-forest.js';

export const MODEL_FORMAT = 'netml-model';
export const MODEL_FORMAT_VERSION = 1;

export type ModelKind = 'isolation-forest' | 'random-forest';
export type Forest = IsolationForestModel | RandomForestModel;
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface TrainingFingerprint {
  /** rows the model was trained on */
  rows: number;
  /** feature columns */
  columns: number;
  /** sha256 of the features file as read (compare with `sha256sum`) */
  sha256: string;
}

export interface NetmlModel {
  kind: ModelKind;
  netmlVersion: string;
  /** schema version of the feature table, e.g. flows/1 */
  schemaVersion: string;
  /** what one row is: flow, host, packet */
  featureLevel: string;
  featureNames: string[];
  /** the derived feature set featureNames come from (e.g. client-activity/1), or null: the table's own columns */
  derivedFeatures: string | null;
  parameters: Record<string, JsonValue>;
  seed: number;
  /** isolation forest: scores above it are SUSPICIOUS; random forest: null (any class but normalLabel is) */
  threshold: number | null;
  /** random forest: class names in the order of the probability columns */
  classes: string[] | null;
  /** the label of ordinary traffic */
  normalLabel: string;
  trainingData: TrainingFingerprint;
  metrics: Record<string, JsonValue>;
  forest: Forest;
}

interface EncodedArray {
  dtype: 'int32' | 'float64';
  length: number;
  base64: string;
}

/** The model as JSON text. Key order is fixed here, numbers go through JSON.stringify (shortest round trip). */
export function serializeModel(model: NetmlModel): string {
  assertLittleEndian();
  const f = model.forest;
  const forest =
    f.kind === 'isolation-forest'
      ? {
          subsampleSize: f.subsampleSize,
          trees: f.treeStart.length - 1,
          treeStart: encode(f.treeStart),
          feature: encode(f.feature),
          value: encode(f.value),
          left: encode(f.left),
        }
      : {
          classes: f.classes,
          trees: f.treeStart.length - 1,
          treeStart: encode(f.treeStart),
          feature: encode(f.feature),
          threshold: encode(f.threshold),
          child: encode(f.child),
          leafValues: encode(f.leafValues),
          importance: Array.from(f.importance),
        };
  const file = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind: model.kind,
    netmlVersion: model.netmlVersion,
    schemaVersion: model.schemaVersion,
    featureLevel: model.featureLevel,
    featureNames: model.featureNames,
    derivedFeatures: model.derivedFeatures,
    parameters: model.parameters,
    seed: model.seed,
    threshold: model.threshold,
    classes: model.classes,
    normalLabel: model.normalLabel,
    trainingData: model.trainingData,
    metrics: model.metrics,
    forest,
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/**
 * Reads and checks a model file's text. `source` names the file in messages; `knownSchemas` are the
 * feature schema versions this netml can produce (a model for another one cannot be fed).
 */
export function parseModel(text: string, source: string, knownSchemas: readonly string[]): NetmlModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BadDataError(`${source} is not JSON (${(err as Error).message})`, 'give the path of a model written by `netml train`', { cause: err });
  }
  const at = new Checker(source);
  const doc = at.object(raw, '');
  if (doc.format !== MODEL_FORMAT) {
    throw new BadDataError(`${source} is not a netml model file (no "format": "${MODEL_FORMAT}")`, 'give the path of a model written by `netml train`');
  }
  const formatVersion = at.integer(doc.formatVersion, 'formatVersion');
  if (formatVersion !== MODEL_FORMAT_VERSION) {
    throw new BadDataError(
      `${source} is a model file of format version ${formatVersion}; this netml reads version ${MODEL_FORMAT_VERSION}`,
      formatVersion > MODEL_FORMAT_VERSION ? 'use the netml version that trained it, or upgrade netml' : 'train the model again with `netml train`',
    );
  }
  const schemaVersion = at.string(doc.schemaVersion, 'schemaVersion');
  if (!knownSchemas.includes(schemaVersion)) {
    throw new BadDataError(
      `${source} was trained on features of schema ${schemaVersion}; this netml extracts ${knownSchemas.join(', ')}`,
      'extract the features again with this netml (`netml extract`), then retrain (`netml train`)',
    );
  }
  const kind = at.string(doc.kind, 'kind');
  if (kind !== 'isolation-forest' && kind !== 'random-forest') throw at.fail('kind', `"isolation-forest" or "random-forest"`, JSON.stringify(kind));
  const featureNames = at.strings(doc.featureNames, 'featureNames');
  if (featureNames.length === 0) throw at.fail('featureNames', 'at least one feature', 'none');
  const classes = doc.classes === null ? null : at.strings(doc.classes, 'classes');
  const threshold = doc.threshold === null ? null : at.number(doc.threshold, 'threshold');
  const trainingDoc = at.object(doc.trainingData, 'trainingData');
  const model: NetmlModel = {
    kind,
    netmlVersion: at.string(doc.netmlVersion, 'netmlVersion'),
    schemaVersion,
    featureLevel: at.string(doc.featureLevel, 'featureLevel'),
    featureNames,
    // absent in files written before derived feature sets existed
    derivedFeatures: doc.derivedFeatures === undefined || doc.derivedFeatures === null ? null : at.string(doc.derivedFeatures, 'derivedFeatures'),
    parameters: at.object(doc.parameters, 'parameters') as Record<string, JsonValue>,
    seed: at.integer(doc.seed, 'seed'),
    threshold,
    classes,
    normalLabel: at.string(doc.normalLabel, 'normalLabel'),
    trainingData: {
      rows: at.integer(trainingDoc.rows, 'trainingData.rows'),
      columns: at.integer(trainingDoc.columns, 'trainingData.columns'),
      sha256: at.string(trainingDoc.sha256, 'trainingData.sha256'),
    },
    metrics: at.object(doc.metrics, 'metrics') as Record<string, JsonValue>,
    forest: undefined as unknown as Forest,
  };
  const forestDoc = at.object(doc.forest, 'forest');
  if (kind === 'isolation-forest') {
    if (threshold === null) throw at.fail('threshold', 'a number', 'null');
    model.forest = readIsolationForest(at, forestDoc, featureNames.length);
  } else {
    if (classes === null || classes.length < 1) throw at.fail('classes', 'a list of class names', 'null');
    model.forest = readRandomForest(at, forestDoc, featureNames.length, classes.length);
  }
  return model;
}

function readIsolationForest(at: Checker, doc: Record<string, unknown>, features: number): IsolationForestModel {
  const trees = at.integer(doc.trees, 'forest.trees');
  const subsampleSize = at.integer(doc.subsampleSize, 'forest.subsampleSize');
  const treeStart = at.int32s(doc.treeStart, 'forest.treeStart');
  const feature = at.int32s(doc.feature, 'forest.feature');
  const value = at.float64s(doc.value, 'forest.value');
  const left = at.int32s(doc.left, 'forest.left');
  const nodes = feature.length;
  if (value.length !== nodes || left.length !== nodes) throw at.fail('forest', 'node arrays of one length', `${nodes}, ${value.length}, ${left.length}`);
  checkTrees(at, treeStart, trees, nodes);
  for (let t = 0; t < trees; t++) {
    for (let i = treeStart[t]; i < treeStart[t + 1]; i++) {
      const f = feature[i];
      if (f === -1) continue;
      if (f < 0 || f >= features) throw at.fail(`forest.feature[${i}]`, `a feature number below ${features}`, String(f));
      // children come after their parent in the same tree: a walk always ends
      if (!(left[i] > i && left[i] + 1 < treeStart[t + 1])) throw at.fail(`forest.left[${i}]`, 'a child inside the same tree, after its parent', String(left[i]));
    }
  }
  if (subsampleSize < 1) throw at.fail('forest.subsampleSize', 'at least 1', String(subsampleSize));
  return { kind: 'isolation-forest', features, subsampleSize, treeStart, feature, value, left };
}

function readRandomForest(at: Checker, doc: Record<string, unknown>, features: number, classCount: number): RandomForestModel {
  const classes = at.integer(doc.classes, 'forest.classes');
  if (classes !== classCount) throw at.fail('forest.classes', `${classCount} (the class names)`, String(classes));
  const trees = at.integer(doc.trees, 'forest.trees');
  const treeStart = at.int32s(doc.treeStart, 'forest.treeStart');
  const feature = at.int32s(doc.feature, 'forest.feature');
  const threshold = at.float64s(doc.threshold, 'forest.threshold');
  const child = at.int32s(doc.child, 'forest.child');
  const leafValues = at.float64s(doc.leafValues, 'forest.leafValues');
  const importance = Float64Array.from(at.numbers(doc.importance, 'forest.importance'));
  const nodes = feature.length;
  if (threshold.length !== nodes || child.length !== nodes) throw at.fail('forest', 'node arrays of one length', `${nodes}, ${threshold.length}, ${child.length}`);
  if (importance.length !== features) throw at.fail('forest.importance', `${features} values`, String(importance.length));
  if (leafValues.length % classes !== 0) throw at.fail('forest.leafValues', `a multiple of ${classes} values`, String(leafValues.length));
  const leafRows = leafValues.length / classes;
  checkTrees(at, treeStart, trees, nodes);
  for (let t = 0; t < trees; t++) {
    for (let i = treeStart[t]; i < treeStart[t + 1]; i++) {
      const f = feature[i];
      if (f === -1) {
        if (child[i] < 0 || child[i] >= leafRows) throw at.fail(`forest.child[${i}]`, `a leaf row below ${leafRows}`, String(child[i]));
        continue;
      }
      if (f < 0 || f >= features) throw at.fail(`forest.feature[${i}]`, `a feature number below ${features}`, String(f));
      if (!(child[i] > i && child[i] + 1 < treeStart[t + 1])) throw at.fail(`forest.child[${i}]`, 'a child inside the same tree, after its parent', String(child[i]));
    }
  }
  const model: RandomForestModel = { kind: 'random-forest', features, classes, treeStart, feature, threshold, child, leafValues, importance };
  const problem = predictionLayoutProblem(model);
  if (problem) throw at.fail('forest.threshold', 'thresholds of a forest grown on binned features', problem);
  return model;
}

function checkTrees(at: Checker, treeStart: Int32Array, trees: number, nodes: number): void {
  if (trees < 1) throw at.fail('forest.trees', 'at least 1', String(trees));
  if (treeStart.length !== trees + 1) throw at.fail('forest.treeStart', `${trees + 1} values`, String(treeStart.length));
  if (treeStart[0] !== 0 || treeStart[trees] !== nodes) throw at.fail('forest.treeStart', `0 ... ${nodes}`, `${treeStart[0]} ... ${treeStart[trees]}`);
  for (let t = 0; t < trees; t++) {
    if (!(treeStart[t + 1] > treeStart[t])) throw at.fail(`forest.treeStart[${t + 1}]`, 'increasing values', String(treeStart[t + 1]));
  }
}

function encode(a: Int32Array | Float64Array): EncodedArray {
  return {
    dtype: a instanceof Int32Array ? 'int32' : 'float64',
    length: a.length,
    base64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('model files are little-endian; this machine is not');
}

/** Field checks that name the field, what was expected and what was found. */
class Checker {
  constructor(private readonly source: string) {}

  fail(field: string, expected: string, found: string): BadDataError {
    return new BadDataError(`${this.source}: field "${field}": expected ${expected}, found ${found}`, 'the model file is damaged or was edited; train it again with `netml train`');
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail(field || '(top level)', 'an object', describe(v));
    return v as Record<string, unknown>;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') throw this.fail(field, 'a string', describe(v));
    return v;
  }

  number(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(field, 'a number', describe(v));
    return v;
  }

  integer(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.fail(field, 'a whole number', describe(v));
    return v;
  }

  strings(v: unknown, field: string): string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw this.fail(field, 'a list of strings', describe(v));
    return v as string[];
  }

  numbers(v: unknown, field: string): number[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'number' && Number.isFinite(s))) throw this.fail(field, 'a list of numbers', describe(v));
    return v as number[];
  }

  int32s(v: unknown, field: string): Int32Array {
    const bytes = this.encoded(v, field, 'int32', 4);
    return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  float64s(v: unknown, field: string): Float64Array {
    const bytes = this.encoded(v, field, 'float64', 8);
    const out = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw this.fail(`${field}[${i}]`, 'a finite number', String(out[i]));
    return out;
  }

  private encoded(v: unknown, field: string, dtype: string, size: number): Uint8Array {
    const doc = this.object(v, field);
    if (doc.dtype !== dtype) throw this.fail(`${field}.dtype`, `"${dtype}"`, describe(doc.dtype));
    const length = this.integer(doc.length, `${field}.length`);
    const text = this.string(doc.base64, `${field}.base64`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw this.fail(`${field}.base64`, 'base64 text', 'other characters');
    const decoded = Buffer.from(text, 'base64');
    if (decoded.length !== length * size) throw this.fail(`${field}`, `${length} values (${length * size} bytes)`, `${decoded.length} bytes`);
    // a copy on an aligned buffer of its own (Buffer.from may return a slice of a shared pool)
    const bytes = new Uint8Array(decoded.length);
    bytes.set(decoded);
    return bytes;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return typeof v === 'object' ? 'an object' : String(v);
}
