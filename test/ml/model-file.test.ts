// Model files: byte-identical for the same data and seed, identical scores after a save/load round trip, and
// a clear BadDataError (exit 65) for a foreign, damaged or other-schema file.
import { describe, expect, it } from 'vitest';
import { BadDataError, ExitCode } from '../../src/errors.js';
import { detect } from '../../src/ml/detector.js';
import type { FeatureMatrix } from '../../src/ml/feature-matrix.js';
import { fitIsolationForest } from '../../src/ml/isolation-forest.js';
import { parseModel, serializeModel, type Forest, type NetmlModel } from '../../src/ml/model-file.js';
import { DEFAULT_RANDOM_FOREST_PARAMS, fitRandomForest } from '../../src/ml/random-forest.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';

const SCHEMAS = ['flows/1'];

function data(seed: number): { matrix: FeatureMatrix; y: Int32Array } {
  const rng = new SeededRandom(seed);
  const rows = 3000;
  const values = new Float64Array(rows * 4);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = r % 3;
    for (let f = 0; f < 4; f++) values[f * rows + r] = rng.normal() + y[r] * 0.8;
  }
  return { matrix: { values, rows, columns: 4 }, y };
}

function envelope(forest: Forest, extra: Partial<NetmlModel> = {}): NetmlModel {
  return {
    kind: forest.kind,
    netmlVersion: '0.0.0-test',
    schemaVersion: 'flows/1',
    featureLevel: 'flow',
    featureNames: ['a', 'b', 'c', 'd'],
    derivedFeatures: null,
    parameters: { trees: 10 },
    seed: 3,
    threshold: forest.kind === 'isolation-forest' ? 0.6 : null,
    classes: forest.kind === 'random-forest' ? ['attack', 'normal', 'scan'] : null,
    normalLabel: 'normal',
    trainingData: { rows: 3000, columns: 4, sha256: 'ab'.repeat(32) },
    metrics: { accuracy: 0.5, perClass: [{ f1: 1 / 3 }] },
    forest,
    ...extra,
  };
}

function isolationModel(seed = 3): NetmlModel {
  return envelope(fitIsolationForest(data(1).matrix, { trees: 30, subsampleSize: 128 }, new SeededRandom(seed)));
}

function forestModel(seed = 3): NetmlModel {
  const { matrix, y } = data(2);
  return envelope(fitRandomForest(matrix, y, 3, { ...DEFAULT_RANDOM_FOREST_PARAMS, trees: 10 }, new SeededRandom(seed)));
}

function expectBadData(text: string, message: RegExp, hint?: RegExp): void {
  try {
    parseModel(text, 'models/x.json', SCHEMAS);
  } catch (err) {
    expect(err).toBeInstanceOf(BadDataError);
    expect((err as BadDataError).exitCode).toBe(ExitCode.badData);
    expect((err as Error).message).toMatch(message);
    if (hint) expect((err as BadDataError).hint).toMatch(hint);
    return;
  }
  throw new Error('parseModel accepted the file');
}

describe('model files', () => {
  it.each([
    ['isolation forest', isolationModel],
    ['random forest', forestModel],
  ])('are byte-identical for the same data and seed (%s)', (_name, make) => {
    expect(serializeModel(make(3))).toBe(serializeModel(make(3)));
    expect(serializeModel(make(4))).not.toBe(serializeModel(make(3)));
  });

  it.each([
    ['isolation forest', isolationModel],
    ['random forest', forestModel],
  ])('give identical scores after a save/load round trip (%s)', (_name, make) => {
    const model = make();
    const loaded = parseModel(serializeModel(model), 'models/x.json', SCHEMAS);
    const { matrix } = data(9);
    const before = detect(model, matrix);
    const after = detect(loaded, matrix);
    expect(after.score).toEqual(before.score);
    expect(after.suspicious).toEqual(before.suspicious);
    expect(after.predictedClass).toEqual(before.predictedClass);
    expect(loaded.metrics).toEqual(model.metrics);
    expect(loaded.trainingData).toEqual(model.trainingData);
  });

  it('keeps the derived feature set a model learned, and reads files written before there were any as null', () => {
    const derived = { ...isolationModel(), derivedFeatures: 'client-activity/1' };
    expect(parseModel(serializeModel(derived), 'm.json', SCHEMAS).derivedFeatures).toBe('client-activity/1');
    const older = JSON.parse(serializeModel(isolationModel()));
    delete older.derivedFeatures;
    expect(parseModel(JSON.stringify(older), 'm.json', SCHEMAS).derivedFeatures).toBeNull();
  });

  it('refuses a model trained on another schema version, saying to extract and train again', () => {
    const text = serializeModel({ ...isolationModel(), schemaVersion: 'flows/0' });
    expectBadData(text, /trained on features of schema flows\/0; this netml extracts flows\/1/, /netml extract.*netml train/);
  });

  it('refuses a newer model format', () => {
    const doc = JSON.parse(serializeModel(isolationModel()));
    doc.formatVersion = 2;
    expectBadData(JSON.stringify(doc), /format version 2; this netml reads version 1/, /upgrade netml/);
  });

  it.each([
    ['not JSON', () => '{"format": "netml-model",', /is not JSON/],
    ['a JSON file of something else', () => '{"name": "netml"}', /not a netml model file/],
    [
      'a truncated array',
      () => {
        const doc = JSON.parse(serializeModel(isolationModel()));
        doc.forest.value.base64 = doc.forest.value.base64.slice(0, 100);
        return JSON.stringify(doc);
      },
      /field "forest.value": expected \d+ values/,
    ],
    [
      'a child pointing outside its tree',
      () => {
        const model = forestModel();
        const f = model.forest as Extract<Forest, { kind: 'random-forest' }>;
        const child = Int32Array.from(f.child);
        child[0] = child.length + 5;
        return serializeModel({ ...model, forest: { ...f, child } });
      },
      /forest.child\[0\]": expected a child inside the same tree/,
    ],
    [
      'more distinct thresholds on one feature than a binned forest can have',
      () => {
        const model = forestModel();
        const f = model.forest as Extract<Forest, { kind: 'random-forest' }>;
        const threshold = Float64Array.from(f.threshold, (t, i) => (f.feature[i] === f.feature[0] ? i + 0.5 : t));
        const splits = Array.from(f.feature).filter((x) => x === f.feature[0]).length;
        if (splits <= 255) throw new Error(`the test forest needs more than 255 splits on one feature, has ${splits}`);
        return serializeModel({ ...model, forest: { ...f, threshold } });
      },
      /forest.threshold": expected thresholds of a forest grown on binned features, found feature \d+ has \d+ distinct thresholds/,
    ],
    [
      'a feature number beyond the feature names',
      () => {
        const model = isolationModel();
        return serializeModel({ ...model, featureNames: ['a'] });
      },
      /forest.feature\[\d+\]": expected a feature number below 1/,
    ],
    [
      'a missing threshold',
      () => {
        const doc = JSON.parse(serializeModel(isolationModel()));
        delete doc.threshold;
        return JSON.stringify(doc);
      },
      /field "threshold": expected a number, found nothing/,
    ],
  ])('refuses %s with a message naming the field', (_name, text, message) => {
    expectBadData(text(), message);
  });
});
