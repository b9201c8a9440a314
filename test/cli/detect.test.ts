// `netml detect` end to end through main(argv): detections.csv and summary.json for both model kinds, exit
// codes with --fail-on-suspicious, and refusals of mismatched schemas and features that say how to fix them.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { runDetection } from '../../src/cli/detect.js';
import { ExitCode } from '../../src/errors.js';
import { matrixFromRows } from '../../src/ml/feature-matrix.js';
import { parseModel, serializeModel } from '../../src/ml/model-file.js';
import { FLOW_COLUMNS } from '../../src/schema/flow-columns.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';
import { writeFeatureCsv } from '../helpers/feature-csv.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';

const run = runCli;

const IDENTIFIERS = FLOW_COLUMNS.filter((c) => c.identifier).map((c) => c.name);

/** Gaussian rows; rows listed in `odd` far away and labelled scan. */
function csv(path: string, rows: number, seed: number, odd: (r: number) => boolean): string {
  const rng = new SeededRandom(seed);
  const cache = new Map<number, number>();
  return writeFeatureCsv(path, {
    rows,
    label: (r) => (odd(r) ? 'scan' : 'normal'),
    value: (r, k) => {
      const key = r * 1000 + k;
      if (!cache.has(key)) cache.set(key, Math.round((rng.normal() + (odd(r) ? 8 : 0)) * 1000) / 1000);
      return cache.get(key)!;
    },
  });
}

async function setup(kind: 'iforest' | 'rf'): Promise<{ dir: string; model: string; out: string; summary: string; files: () => string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'netml-detect-'));
  // the isolation forest learns from (nearly) clean traffic; the random forest needs enough of each class
  const train = csv(join(dir, 'train.csv'), 2000, 1, (r) => r % (kind === 'iforest' ? 400 : 40) === 0);
  const model = join(dir, 'models', `${kind}.json`);
  const r = await run(['train', '--model', kind, '-i', train, '-o', model, '--report', join(dir, 'results', 'train-report.json'), '--trees', '30', '-q', '--threads', '1']);
  expect(r.code).toBe(0);
  return {
    dir,
    model,
    out: join(dir, 'results', 'detections.csv'),
    summary: join(dir, 'results', 'summary.json'),
    files: () => (existsSync(join(dir, 'results')) ? readdirSync(join(dir, 'results')).sort() : []),
  };
}

describe('netml detect', () => {
  it('writes identifiers, score and verdict per row, and a summary (isolation forest)', async () => {
    const s = await setup('iforest');
    const input = csv(join(s.dir, 'new.csv'), 500, 2, (r) => r % 100 === 7);
    const r = await run(['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary, '--json', '--threads', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(s.summary, 'utf8'))).toEqual(summary);
    const parsed = Papa.parse<Record<string, string>>(readFileSync(s.out, 'utf8'), { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual([...IDENTIFIERS, 'score', 'verdict']);
    expect(parsed.data).toHaveLength(500);
    expect(parsed.data[7]).toMatchObject({ flow_id: '8', src_addr: '10.0.0.7', verdict: 'SUSPICIOUS' });
    for (const row of parsed.data) expect(Number(row.score)).toBeGreaterThan(0);
    const flagged = parsed.data.filter((row) => row.verdict === 'SUSPICIOUS').length;
    expect(summary).toMatchObject({ modelKind: 'isolation-forest', rows: 500, suspicious: flagged, normal: 500 - flagged });
    expect(summary.byLabel.find((b: { label: string }) => b.label === 'scan')).toMatchObject({ rows: 5, suspicious: 5 });
    expect(summary.topSuspicious[0].verdict).toBe('SUSPICIOUS');
    expect(summary.topSuspicious.length).toBeLessThanOrEqual(10);
    expect(summary.topHosts[0].suspiciousRows).toBeGreaterThan(0);
  });

  it('adds the predicted class for a random forest', async () => {
    const s = await setup('rf');
    const input = csv(join(s.dir, 'new.csv'), 300, 3, (r) => r % 30 === 0);
    const r = await run(['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary, '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SUSPICIOUS');
    expect(r.stdout).toContain('predicted classes');
    const parsed = Papa.parse<Record<string, string>>(readFileSync(s.out, 'utf8'), { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual([...IDENTIFIERS, 'score', 'verdict', 'predicted_class']);
    expect(parsed.data[30]).toMatchObject({ verdict: 'SUSPICIOUS', predicted_class: 'scan', score: '1.000000' });
    expect(parsed.data[1]).toMatchObject({ verdict: 'NORMAL', predicted_class: 'normal' });
    const summary = JSON.parse(readFileSync(s.summary, 'utf8'));
    expect(summary.byPredictedClass).toEqual({ normal: 290, scan: 10 });
  });

  it('exits 1 with --fail-on-suspicious when something is suspicious, 0 when nothing is', async () => {
    const s = await setup('rf');
    const withScan = csv(join(s.dir, 'a.csv'), 100, 4, (r) => r === 50);
    const clean = csv(join(s.dir, 'b.csv'), 100, 5, () => false);
    const args = (input: string) => ['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary, '--fail-on-suspicious', '-q', '--threads', '1'];
    const flagged = await run(args(withScan));
    expect(flagged.code).toBe(ExitCode.failure);
    expect(flagged.stderr).toMatch(/1 suspicious rows \(--fail-on-suspicious\)/);
    expect((await run(args(clean))).code).toBe(ExitCode.ok);
    const withoutFlag = await run(['detect', '-i', withScan, '-m', s.model, '-o', s.out, '--summary', s.summary, '-q', '--threads', '1']);
    expect(withoutFlag.code).toBe(ExitCode.ok);
  });

  it('refuses a model from another schema version, saying to extract and train again, and writes nothing', async () => {
    const s = await setup('iforest');
    const doc = JSON.parse(readFileSync(s.model, 'utf8'));
    doc.schemaVersion = 'flows/0';
    writeFileSync(s.model, JSON.stringify(doc));
    const input = csv(join(s.dir, 'new.csv'), 50, 6, () => false);
    const r = await run(['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary]);
    expect(r.code).toBe(ExitCode.badData);
    expect(r.stderr).toMatch(/trained on features of schema flows\/0; this netml extracts flows\/1/);
    expect(r.stderr).toMatch(/hint: .*netml extract.*netml train/);
    expect(s.files()).toEqual(['train-report.json']);
  });

  it('refuses a model whose features the table does not have, saying how to fix it', async () => {
    const s = await setup('iforest');
    const model = parseModel(readFileSync(s.model, 'utf8'), s.model, ['flows/1']);
    model.featureNames = [...model.featureNames.slice(0, -1), 'fwd_quantum_flux'];
    writeFileSync(s.model, serializeModel(model));
    const input = csv(join(s.dir, 'new.csv'), 50, 7, () => false);
    const r = await run(['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary]);
    expect(r.code).toBe(ExitCode.badData);
    expect(r.stderr).toMatch(/has no column "fwd_quantum_flux", which the model was trained on/);
    expect(r.stderr).toMatch(/hint: train the model again/);
    expect(s.files()).toEqual(['train-report.json']);
  });

  it.each([
    ['a missing model file', (dir: string) => join(dir, 'none.json'), ExitCode.missingInput, /no such model file/],
    ['an empty model file', (dir: string) => (writeFileSync(join(dir, 'e.json'), ''), join(dir, 'e.json')), ExitCode.badData, /is empty: not a model file/],
    ['a features CSV given as the model', (dir: string) => join(dir, 'new.csv'), ExitCode.badData, /is not JSON/],
  ])('refuses %s', async (_name, modelPath, code, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-detect-'));
    const input = csv(join(dir, 'new.csv'), 10, 8, () => false);
    const r = await run(['detect', '-i', input, '-m', modelPath(dir), '-o', join(dir, 'results', 'd.csv'), '--summary', join(dir, 'results', 's.json')]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('refuses a bad features CSV with its line and column, and leaves earlier results untouched', async () => {
    const s = await setup('iforest');
    const input = csv(join(s.dir, 'new.csv'), 20, 9, () => false);
    expect((await run(['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary, '-q'])).code).toBe(0);
    const before = readFileSync(s.out);
    const lines = readFileSync(input, 'utf8').split('\n');
    lines[3] = lines[3].replace(/,tcp,/, ',tcp,x');
    writeFileSync(input, lines.join('\n'));
    const r = await run(['detect', '-i', input, '-m', s.model, '-o', s.out, '--summary', s.summary]);
    expect(r.code).toBe(ExitCode.badData);
    expect(r.stderr).toMatch(/line 4, column 12 \(icmp_type\): expected a number, found "x[-0-9.]+"/);
    expect(readFileSync(s.out)).toEqual(before);
    expect(s.files()).toEqual(['detections.csv', 'summary.json', 'train-report.json']);
  });

  it('scores a matrix from anywhere: runDetection takes the rows and the model, not a file', async () => {
    const s = await setup('iforest');
    const model = parseModel(readFileSync(s.model, 'utf8'), s.model, ['flows/1']);
    const F = model.featureNames.length;
    const rows = matrixFromRows([new Array(F).fill(0), new Array(F).fill(40)]);
    const d = await runDetection(model, rows, { threads: 1 });
    expect(Array.from(d.suspicious)).toEqual([0, 1]);
    expect(d.score[1]).toBeGreaterThan(d.score[0]);
    await expect(runDetection(model, matrixFromRows([[1, 2]]), { threads: 1 })).rejects.toThrow(/2 feature columns; the model was trained on \d+/);
  });
});

describe('netml detect on a capture', () => {
  it('extracts the flows itself and gives the same verdicts as detect on the extracted features.csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-detect-pcap-'));
    const pcap = join(dir, 'office.pcap');
    writeTimedPcap(pcap, officeFrames({ seed: 5, rounds: 6, clients: 4, floodSynsPerRound: 40 }));
    const features = join(dir, 'features.csv');
    expect((await run(['extract', '-i', pcap, '-o', features, '-q', '--no-writer-thread'])).code).toBe(0);
    const model = join(dir, 'iforest.json');
    expect((await run(['train', '--model', 'iforest', '-i', features, '-o', model, '--report', join(dir, 'report.json'), '--trees', '20', '-q', '--threads', '1'])).code).toBe(0);
    const fromCsv = await run(['detect', '-i', features, '-m', model, '-o', join(dir, 'a.csv'), '--summary', join(dir, 'a.json'), '-q', '--threads', '1']);
    const fromPcap = await run(['detect', '-i', pcap, '-m', model, '-o', join(dir, 'b.csv'), '--summary', join(dir, 'b.json'), '-q', '--threads', '1']);
    expect(fromCsv.code).toBe(0);
    expect(fromPcap.code).toBe(0);
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(readFileSync(join(dir, 'a.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'b.csv'), 'utf8').trim().split('\n').length).toBeGreaterThan(100);
  });
});
