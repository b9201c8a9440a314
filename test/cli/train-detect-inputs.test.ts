// train and detect at the edges of their inputs: tables of every extract level train, a random forest without
// the normal class is refused, quoted CSVs read like unquoted ones, outputs are checked before any work.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { HOST_COLUMNS } from '../../src/schema/host-columns.js';
import { featureCsvText } from '../helpers/feature-csv.js';
import { runCli as run } from '../helpers/run-cli.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'netml-inputs-'));
}

describe('train and detect inputs', () => {
  it('trains on a host table (netml extract --level host) and refuses it for a flow model by name', async () => {
    const d = dir();
    const header = [...HOST_COLUMNS.map((c) => c.name), 'label'].join(',');
    const rows = Array.from({ length: 60 }, (_, r) =>
      HOST_COLUMNS.map((c) => (c.type === 'ip' ? `10.0.0.${r % 5}` : c.type === 'string' ? 'x' : String((r * 7 + c.name.length) % 13))).join(',') + `,${r % 3 ? 'normal' : 'scan'}`,
    );
    const hosts = join(d, 'host-features.csv');
    writeFileSync(hosts, `${header}\n${rows.join('\n')}\n`);
    const r = await run(['train', '--model', 'iforest', '-i', hosts, '-o', join(d, 'h.json'), '--report', join(d, 'r.json'), '--threads', '1', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'h.json'), 'utf8'))).toMatchObject({ schemaVersion: 'hosts/1', featureLevel: 'host' });

    const flows = join(d, 'f.csv');
    writeFileSync(flows, featureCsvText({ rows: 30, value: (row, k) => row + k, label: (row) => (row % 2 ? 'a' : 'normal') }));
    await run(['train', '--model', 'rf', '-i', flows, '-o', join(d, 'f.json'), '--report', join(d, 'r.json'), '--threads', '1', '--test-split', '0', '-q']);
    const wrong = await run(['detect', '-m', join(d, 'f.json'), '-i', hosts, '-o', join(d, 'd.csv'), '--summary', join(d, 's.json'), '-q']);
    expect(wrong.code).toBe(ExitCode.badData);
    expect(wrong.stderr).toMatch(/holds hosts\/1 features .* trained on flows\/1/);
  });

  it.each([
    ['--level host', ['--level', 'host'], 'src_addr,window_start_s,'],
    ['--level packet', ['--level', 'packet'], 'packet_number,time_s,flow_id,'],
    ['--format cic', ['--format', 'cic'], 'Flow ID, Source IP,'],
  ])('scores a capture with a model trained on %s rows: the capture is extracted at that level', async (_name, extractArgs, detectionsHeader) => {
    const d = dir();
    const pcap = join(d, 'office.pcap');
    writeTimedPcap(pcap, officeFrames({ seed: 3, rounds: 4 }));
    const table = join(d, 'table.csv');
    expect((await run(['extract', '--input', pcap, '-o', table, '-q', ...extractArgs])).code).toBe(0);
    const model = join(d, 'm.json');
    const t = await run(['train', '--model', 'iforest', '-i', table, '-o', model, '--report', join(d, 'r.json'), '--threads', '1', '-q']);
    expect(t.stderr).toBe('');
    const detections = join(d, 'd.csv');
    const r = await run(['detect', '-m', model, '-i', pcap, '-o', detections, '--summary', join(d, 's.json'), '--threads', '1', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(detections, 'utf8').trim().split('\n');
    expect(lines[0].startsWith(detectionsHeader)).toBe(true);
    expect(lines.length - 1).toBe(readFileSync(table, 'utf8').trim().split('\n').length - 1);
  });

  it('says what a missing file should have been: a capture to detect, a rules file to extract', async () => {
    const d = dir();
    const detect = await run(['detect', '-i', join(d, 'new.pcap'), '-m', join(d, 'm.json')]);
    expect(detect.code).toBe(ExitCode.missingInput);
    const labels = await run(['extract', '--input', join(d, 'x.pcap'), '--labels', join(d, 'rules.json'), '-o', join(d, 'f.csv')]);
    expect(labels.code).toBe(ExitCode.missingInput);
    expect(labels.stderr).toMatch(/rules\.json: no such file\n.*rules format/);
    const dirAsRules = await run(['extract', '--input', join(d, 'x.pcap'), '--labels', d, '-o', join(d, 'f.csv')]);
    expect(dirAsRules.stderr).toContain('is a directory, not a label rules file');
  });

  it('warns about a class with a handful of rows (a label rule that matched almost nothing)', async () => {
    const d = dir();
    const csv = join(d, 'f.csv');
    writeFileSync(csv, featureCsvText({ rows: 40, value: (row, k) => row + k, label: (row) => (row === 7 ? 'rare' : 'normal') }));
    const r = await run(['train', '--model', 'rf', '-i', csv, '-o', join(d, 'm.json'), '--report', join(d, 'r.json'), '--threads', '1', '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('class "rare" has only 1 row');
    expect(r.stderr).not.toContain('"normal"');
  });

  it('refuses a random forest whose labels do not include --normal-label (every row would be SUSPICIOUS)', async () => {
    const d = dir();
    const csv = join(d, 'f.csv');
    writeFileSync(csv, featureCsvText({ rows: 30, value: (row, k) => row + k, label: (row) => (row % 2 ? 'attack' : 'benign') }));
    const r = await run(['train', '--model', 'rf', '-i', csv, '-o', join(d, 'm.json'), '--report', join(d, 'r.json'), '--threads', '1', '-q']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/no row .* is labelled "normal" \(labels: attack, benign\)/);
    expect(existsSync(join(d, 'm.json'))).toBe(false);
  });

  it('reads a CSV whose header and cells are all quoted, identifiers without their quotes', async () => {
    const d = dir();
    const lines = featureCsvText({ rows: 30, value: (row, k) => row + k, label: (row) => (row % 2 ? 'a' : 'normal') }).trim().split('\n');
    const quoted = join(d, 'q.csv');
    writeFileSync(quoted, `${lines.map((l) => l.split(',').map((c) => `"${c}"`).join(',')).join('\n')}\n`);
    const plain = join(d, 'p.csv');
    writeFileSync(plain, `${lines.join('\n')}\n`);
    const t = await run(['train', '--model', 'rf', '-i', plain, '-o', join(d, 'm.json'), '--report', join(d, 'r.json'), '--threads', '1', '--test-split', '0', '-q']);
    expect(t.code).toBe(0);
    for (const [input, out] of [
      [quoted, 'dq.csv'],
      [plain, 'dp.csv'],
    ]) {
      const r = await run(['detect', '-m', join(d, 'm.json'), '-i', input, '-o', join(d, out), '--summary', join(d, `${out}.json`), '--threads', '1', '-q']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(readFileSync(join(d, 'dq.csv'), 'utf8')).toBe(readFileSync(join(d, 'dp.csv'), 'utf8'));
  });

  it('checks the outputs before any work: an output that is the input, or a directory, is refused', async () => {
    const d = dir();
    const csv = join(d, 'f.csv');
    const text = featureCsvText({ rows: 30, value: (row, k) => row + k, label: (row) => (row % 2 ? 'a' : 'normal') });
    writeFileSync(csv, text);
    const same = await run(['train', '--model', 'rf', '-i', csv, '-o', csv, '--report', join(d, 'r.json'), '-q']);
    expect(same.code).toBe(ExitCode.usage);
    expect(readFileSync(csv, 'utf8')).toBe(text);
    const report = await run(['train', '--model', 'rf', '-i', csv, '-o', join(d, 'm.json'), '--report', d, '-q']);
    expect(report.code).toBe(ExitCode.cannotWrite);
    expect(existsSync(join(d, 'm.json'))).toBe(false);
  });

  it('fails at once when --cv has more folds than rows, and refuses seeds the generator would repeat', async () => {
    const d = dir();
    const csv = join(d, 'f.csv');
    writeFileSync(csv, featureCsvText({ rows: 30, value: (row, k) => row + k, label: (row) => (row % 2 ? 'a' : 'normal') }));
    const cv = await run(['train', '--model', 'rf', '-i', csv, '-o', join(d, 'm.json'), '--report', join(d, 'r.json'), '--cv', '31', '--threads', '1', '-q']);
    expect(cv.code).toBe(ExitCode.usage);
    expect(cv.stderr).toMatch(/--cv 31: 30 rows are too few/);
    const seed = await run(['train', '--model', 'rf', '-i', csv, '--seed', '4294967296', '-q']);
    expect(seed.code).toBe(ExitCode.usage);
  });
});
