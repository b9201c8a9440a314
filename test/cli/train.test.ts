// `netml train` end to end through main(argv): model and report files, the evaluation, determinism, and
// every bad input a user hits, with nothing half-written in models/ or results/ afterwards.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { growTrees, InterruptedError } from '../../src/cli/ml-pool.js';
import { ExitCode } from '../../src/errors.js';
import { parseModel } from '../../src/ml/model-file.js';
import { DEFAULT_RANDOM_FOREST_PARAMS, prepareForest } from '../../src/ml/random-forest.js';
import { FLOW_COLUMNS } from '../../src/schema/flow-columns.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';
import { FEATURE_NAMES, featureCsvText, writeFeatureCsv } from '../helpers/feature-csv.js';

const run = runCli;

function workspace(): { dir: string; model: string; report: string; files: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'netml-train-'));
  return {
    dir,
    model: join(dir, 'models', 'm.json'),
    report: join(dir, 'results', 'train-report.json'),
    files: () => ['models', 'results'].flatMap((d) => (existsSync(join(dir, d)) ? readdirSync(join(dir, d)).map((f) => `${d}/${f}`) : [])),
  };
}

/** Gaussian rows; every 50th row far away (label scan), every 7th shifted on the first features (label flood). */
function labelledCsv(path: string, rows = 3000, seed = 1): string {
  const rng = new SeededRandom(seed);
  const label = (r: number) => (r % 50 === 0 ? 'scan' : r % 7 === 0 ? 'flood' : 'normal');
  const cache = new Map<string, number>();
  return writeFeatureCsv(path, {
    rows,
    label,
    value: (r, k) => {
      const key = `${r},${k}`;
      if (!cache.has(key)) {
        const shift = label(r) === 'scan' ? 6 : label(r) === 'flood' && k < 4 ? 3 : 0;
        cache.set(key, Math.round((rng.normal() + shift) * 1000) / 1000);
      }
      return cache.get(key)!;
    },
  });
}

const common = (w: ReturnType<typeof workspace>) => ['-o', w.model, '--report', w.report, '--threads', '1'];

describe('netml train --model iforest', () => {
  it('writes the model and the report, with a threshold that flags about --fpr of the training rows', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'));
    const r = await run(['train', '--model', 'iforest', '-i', csv, ...common(w), '--fpr', '0.02', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(w.report, 'utf8'))).toEqual(report);
    expect(report).toMatchObject({ kind: 'isolation-forest', rows: 3000, features: FEATURE_NAMES.length, schemaVersion: 'flows/1', featureLevel: 'flow' });
    expect(report.evaluation.flaggedTrainingShare).toBeLessThanOrEqual(0.02);
    expect(report.evaluation.flaggedTrainingShare).toBeGreaterThan(0.015);
    // the labels are not needed, but when present they say how each class fares
    const scan = report.evaluation.byLabel.find((b: { label: string }) => b.label === 'scan');
    expect(scan.flaggedShare).toBe(1);
    expect(report.evaluation.rocAuc).toBeGreaterThan(0.6);
    const model = parseModel(readFileSync(w.model, 'utf8'), w.model, ['flows/1']);
    expect(model.threshold).toBe(report.evaluation.threshold);
    expect(model.featureNames).toEqual(FEATURE_NAMES);
    expect(model.trainingData).toEqual({ rows: 3000, columns: FEATURE_NAMES.length, sha256: report.inputSha256 });
    expect(model.parameters).toMatchObject({ trees: 100, subsampleSize: 256, falsePositiveRate: 0.02 });
  });

  it('prints the score distribution and the threshold as tables', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 1000);
    const r = await run(['train', '--model', 'iforest', '-i', csv, ...common(w)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/threshold/);
    expect(r.stdout).toMatch(/<- threshold/);
    expect(r.stdout).toMatch(/training scores/);
    expect(r.stdout).toMatch(/share flagged/);
    expect(r.stdout).not.toMatch(/\x1b\[/); // no colour when not a terminal
  });

  it('trains only on normal rows with --normal-only', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 2000);
    const r = await run(['train', '--model', 'iforest', '-i', csv, ...common(w), '--normal-only', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const normalRows = report.evaluation.byLabel.find((b: { label: string }) => b.label === 'normal').rows;
    expect(report.evaluation.trainingRows).toBe(normalRows);
    expect(report.parameters.trainedOn).toBe('normal');
    expect(report.evaluation.byLabel.find((b: { label: string }) => b.label === 'scan').flaggedShare).toBe(1);
  });

  it('writes a byte-identical model for the same data and seed, another for another seed', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 1500);
    const model = (name: string, seed: string) => ['train', '--model', 'iforest', '-i', csv, '-o', join(w.dir, name), '--report', w.report, '--seed', seed, '-q', '--threads', '1'];
    expect((await run(model('a.json', '5'))).code).toBe(0);
    expect((await run(model('b.json', '5'))).code).toBe(0);
    expect((await run(model('c.json', '6'))).code).toBe(0);
    expect(readFileSync(join(w.dir, 'b.json'))).toEqual(readFileSync(join(w.dir, 'a.json')));
    expect(readFileSync(join(w.dir, 'c.json'))).not.toEqual(readFileSync(join(w.dir, 'a.json')));
  });
});

describe('netml train --model rf', () => {
  it('evaluates on a stratified hold-out: per-class scores, ROC AUC, confusion matrix, importances', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'));
    const r = await run(['train', '--model', 'rf', '-i', csv, ...common(w), '--trees', '30', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout).evaluation;
    expect(e.testRows).toBe(600);
    expect(e.trainRows).toBe(2400);
    expect(e.accuracy).toBeGreaterThan(0.95);
    expect(e.perClass.map((c: { class: string }) => c.class)).toEqual(['flood', 'normal', 'scan']);
    expect(e.perClass.find((c: { class: string }) => c.class === 'scan').recall).toBe(1);
    expect(e.rocAucMacro).toBeGreaterThan(0.95);
    expect(e.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(600);
    const importances = Object.values(e.importance) as number[];
    expect(importances.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    // the shifted features lead
    expect(FEATURE_NAMES.slice(0, 4)).toContain(e.topFeatures[0].feature);
    const model = parseModel(readFileSync(w.model, 'utf8'), w.model, ['flows/1']);
    expect(model.classes).toEqual(['flood', 'normal', 'scan']);
    expect(model.threshold).toBeNull();
    expect(model.trainingData.rows).toBe(2400);
    expect(model.metrics.accuracy).toBe(e.accuracy);
  });

  it('prints precision/recall/F1, the confusion matrix and top features as tables', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 1000);
    const r = await run(['train', '--model', 'rf', '-i', csv, ...common(w), '--trees', '10']);
    expect(r.code).toBe(0);
    for (const text of ['precision', 'recall', 'macro F1', 'ROC AUC', 'truth \\ predicted', 'importance', 'flood']) expect(r.stdout).toContain(text);
  });

  it('cross-validates with --cv and then trains on every row', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 1200);
    const r = await run(['train', '--model', 'rf', '-i', csv, ...common(w), '--trees', '10', '--cv', '3', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.evaluation.perFold).toHaveLength(3);
    expect(report.evaluation.testRows).toBe(1200);
    expect(parseModel(readFileSync(w.model, 'utf8'), w.model, ['flows/1']).trainingData.rows).toBe(1200);
  });

  it('writes a byte-identical model for the same data and seed', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 1500);
    const model = (name: string) => ['train', '--model', 'rf', '-i', csv, '-o', join(w.dir, name), '--report', w.report, '--trees', '15', '--class-weight', 'balanced', '--max-features', '0.3', '-q', '--threads', '1'];
    expect((await run(model('a.json'))).code).toBe(0);
    expect((await run(model('b.json'))).code).toBe(0);
    expect(readFileSync(join(w.dir, 'b.json'))).toEqual(readFileSync(join(w.dir, 'a.json')));
  });

  it('stops growing trees when interrupted (Ctrl+C), with exit code 130', async () => {
    const rows = 200;
    const values = Float64Array.from({ length: rows * 2 }, (_, i) => i % 7);
    const y = Int32Array.from({ length: rows }, (_, i) => i % 2);
    const { input, seeds } = prepareForest({ values, rows, columns: 2 }, y, 2, DEFAULT_RANDOM_FOREST_PARAMS, new SeededRandom(1));
    const grown = growTrees(input, DEFAULT_RANDOM_FOREST_PARAMS, seeds, { threads: 1, interrupted: () => true });
    await expect(grown).rejects.toBeInstanceOf(InterruptedError);
    await expect(grown).rejects.toMatchObject({ exitCode: ExitCode.interrupted });
  });
});

describe('netml train: bad input', () => {
  const header = FLOW_COLUMNS.map((c) => c.name);
  const good = (rows = 20) => featureCsvText({ rows, value: (r, k) => r + k, label: (r) => (r % 2 ? 'a' : 'normal') }).split('\n');

  it.each([
    ['a missing column', () => [header.filter((h) => h !== 'bwd_packets').join(','), ...good().slice(1)].join('\n'), 'iforest', ExitCode.badData, /line 1: missing column "bwd_packets"/],
    [
      'a non-numeric cell',
      () => {
        const lines = good();
        const cells = lines[4].split(',');
        cells[header.indexOf('fwd_iat_max_s')] = '1.2.3';
        lines[4] = cells.join(',');
        return lines.join('\n');
      },
      'iforest',
      ExitCode.badData,
      new RegExp(`line 5, column ${header.indexOf('fwd_iat_max_s') + 1} \\(fwd_iat_max_s\\): expected a number, found "1.2.3"`),
    ],
    ['an empty file', () => '', 'iforest', ExitCode.badData, /is empty/],
    ['a header and no rows', () => `${header.join(',')}\n`, 'iforest', ExitCode.badData, /has a header but no rows/],
    ['no label column for rf', () => featureCsvText({ rows: 5, value: () => 1 }), 'rf', ExitCode.badData, /has no "label" column/],
  ])('refuses %s (exit %#) and writes nothing', async (_name, text, model, code, message) => {
    const w = workspace();
    const csv = join(w.dir, 'f.csv');
    writeFileSync(csv, text());
    const r = await run(['train', '--model', model, '-i', csv, ...common(w)]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: /);
    expect(w.files()).toEqual([]);
  });

  it('says a missing input file is missing (exit 66)', async () => {
    const w = workspace();
    const r = await run(['train', '--model', 'iforest', '-i', join(w.dir, 'nope.csv'), ...common(w)]);
    expect(r.code).toBe(ExitCode.missingInput);
    expect(r.stderr).toMatch(/no such file/);
    expect(r.stderr).toMatch(/netml extract/);
  });

  it.each([
    [['--model', 'svm'], /--model must be iforest or rf/],
    [['--model', 'rf', '--fpr', '0.01'], /--fpr apply to --model iforest, not to --model rf/],
    [['--model', 'iforest', '--cv', '3', '--max-depth', '4'], /--max-depth, --cv apply to --model rf/],
    [['--model', 'rf', '--cv', '3', '--test-split', '0.2'], /--cv and --test-split are two ways/],
    [['--model', 'rf', '--max-features', 'many'], /--max-features must be/],
    [['--model', 'iforest', '--fpr', '2'], /expected a share between 0 and 1/],
  ])('refuses options %j (exit 64)', async (args, message) => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 100);
    const r = await run(['train', ...args, '-i', csv, ...common(w)]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(message);
    expect(w.files()).toEqual([]);
  });

  it('says it cannot write the model (exit 73) when the output directory is a file', async () => {
    const w = workspace();
    const csv = labelledCsv(join(w.dir, 'f.csv'), 200);
    const r = await run(['train', '--model', 'iforest', '-i', csv, '-o', join(csv, 'm.json'), '--report', w.report, '--threads', '1']);
    expect(r.code).toBe(ExitCode.cannotWrite);
    expect(r.stderr).toMatch(/cannot write .*m\.json/);
    expect(w.files()).toEqual([]);
  });

  it('leaves an existing model untouched when training fails', async () => {
    const w = workspace();
    mkdirSync(join(w.dir, 'models'));
    writeFileSync(w.model, 'previous model');
    const csv = join(w.dir, 'f.csv');
    writeFileSync(csv, good().join('\n').replace(/,normal\n/, ',\n'));
    const r = await run(['train', '--model', 'rf', '-i', csv, ...common(w)]);
    expect(r.code).toBe(ExitCode.badData);
    expect(r.stderr).toMatch(/an empty label/);
    expect(readFileSync(w.model, 'utf8')).toBe('previous model');
    expect(w.files()).toEqual(['models/m.json']);
  });
});
