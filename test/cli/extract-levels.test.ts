// `netml extract --level host|packet`, `--format cic` and packets.csv input, end to end through main(argv):
// each table's header equals its schema, numbers are never empty or NaN, the summary accounts for every
// packet, and bad combinations are refused with exit 64.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';
import type { ColumnSpec } from '../../src/schema/packet-columns.js';
import { CIC_COLUMNS, CIC_IDS2017_HEADER } from '../../src/schema/cic-columns.js';
import { HOST_COLUMNS, HOST_CSV_HEADER } from '../../src/schema/host-columns.js';
import { PACKET_FEATURE_COLUMNS, PACKET_FEATURES_CSV_HEADER } from '../../src/schema/packet-feature-columns.js';

const run = runCli;

const tempDir = () => mkdtempSync(join(tmpdir(), 'netml-levels-'));

function table(path: string): { header: string; rows: Record<string, string>[] } {
  const text = readFileSync(path, 'utf8');
  return { header: text.slice(0, text.indexOf('\n')), rows: Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data };
}

/** Every numeric cell is a finite number, every other cell but `history` is non-empty. */
function expectFilled(rows: Record<string, string>[], columns: readonly ColumnSpec[]): void {
  for (const row of rows) {
    for (const c of columns) {
      const v = row[c.name];
      if (c.name !== 'history') expect(v, c.name).not.toBe('');
      if (c.type === 'int' || c.type === 'float') expect(Number.isFinite(Number(v)), `${c.name}=${v}`).toBe(true);
    }
  }
}

describe('netml extract --level host', () => {
  it('writes dataset/host-features.csv by default, one row per host and window, packets adding up per window size', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      mkdirSync('dataset');
      const packets = writeTimedPcap('dataset/capture.pcap', officeFrames({ seed: 3, rounds: 6 }));
      const r = await run(['extract', '--level', 'host', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary).toMatchObject({ schemaVersion: 'hosts/1', level: 'host', output: 'dataset/host-features.csv', packets, nonFiniteCells: 0 });
      expect(summary.hosts).toMatchObject({ windowsS: [1, 10, 60], hostsEvicted: 0, rowsWrittenEarly: 0 });
      const { header, rows } = table('dataset/host-features.csv');
      expect(header).toBe(HOST_CSV_HEADER);
      expect(rows).toHaveLength(summary.rows);
      expectFilled(rows, HOST_COLUMNS);
      for (const w of ['1', '10', '60']) {
        expect(rows.filter((row) => row.window_s === w).reduce((n, row) => n + Number(row.packets), 0)).toBe(summary.ipPackets);
        expect(summary.hosts.rowsByWindow[w]).toBe(rows.filter((row) => row.window_s === w).length);
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes --windows and --max-hosts, and labels rows by source and time, warning about rules hosts cannot use', async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    writeTimedPcap(input, officeFrames({ seed: 4, rounds: 4 }));
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify([{ class: 'attacker', src: '10.0.0.66' }, { class: 'dns', dst_port: 53 }]));
    const output = join(dir, 'hosts.csv');
    const r = await run(['extract', '--level', 'host', '-i', input, '-o', output, '--windows', '10', '--max-hosts', '50', '--labels', rules, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('rule 2 (class dns) uses dst_port, which host rows do not have');
    const summary = JSON.parse(r.stdout);
    expect(summary.hosts).toMatchObject({ windowsS: [10], maxHosts: 50 });
    expect(summary.hosts.peakHostsHeld).toBeLessThanOrEqual(50);
    const { header, rows } = table(output);
    expect(header).toBe(`${HOST_CSV_HEADER},label`);
    expect(new Set(rows.map((row) => row.window_s))).toEqual(new Set(['10']));
    for (const row of rows) expect(row.label).toBe(row.src_addr === '10.0.0.66' ? 'attacker' : 'normal');
    expect(summary.labels.rowsByClass.attacker).toBeGreaterThan(0);
    expect(summary.labels.rulesNotApplied).toHaveLength(1);
  });

  it('refuses bad window lists and --format cic with another level (exit 64)', async () => {
    const bad = await run(['extract', '--level', 'host', '--windows', '1,x']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('window sizes in whole seconds');
    const cic = await run(['extract', '--level', 'host', '--format', 'cic']);
    expect(cic.code).toBe(64);
    expect(cic.stderr).toContain('--format cic is a flow table');
    const level = await run(['extract', '--level', 'session']);
    expect(level.code).toBe(64);
  });
});

describe('netml extract --level packet', () => {
  it('writes dataset/packet-features.csv by default: one row per IP packet, labelled by flow', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      mkdirSync('dataset');
      const packets = writeTimedPcap('dataset/capture.pcap', officeFrames({ seed: 5, rounds: 3 }));
      writeFileSync('rules.csv', 'class,src,dst,src_port,dst_port,protocol,start,end\nattack,10.0.0.66,,,,,,\n');
      const r = await run(['extract', '--level', 'packet', '--labels', 'rules.csv', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary).toMatchObject({ schemaVersion: 'packet-features/1', level: 'packet', output: 'dataset/packet-features.csv', packets, nonFiniteCells: 0 });
      expect(summary.rows).toBe(summary.ipPackets);
      expect(summary.sources.sourcesEvicted).toBe(0);
      const { header, rows } = table('dataset/packet-features.csv');
      expect(header).toBe(`${PACKET_FEATURES_CSV_HEADER},label`);
      expect(rows).toHaveLength(summary.ipPackets);
      expectFilled(rows, PACKET_FEATURE_COLUMNS);
      // the attacker's flows: its packets and the server's answers to it
      for (const row of rows) expect(row.label).toBe(row.src_addr === '10.0.0.66' || row.dst_addr === '10.0.0.66' ? 'attack' : 'normal');
      expect(summary.labels.rowsByClass.attack).toBeGreaterThan(0);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('netml extract --format cic', () => {
  it('writes dataset/features-cic.csv with the CIC-IDS2017 header, one row per flow, BENIGN unless a rule matches', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      mkdirSync('dataset');
      writeTimedPcap('dataset/capture.pcap', officeFrames({ seed: 7, rounds: 3 }));
      writeFileSync('rules.json', JSON.stringify([{ class: 'PortScan', src: '10.0.0.66' }]));
      const r = await run(['extract', '--format', 'cic', '--labels', 'rules.json', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary).toMatchObject({ schemaVersion: 'cic-ids2017/1', level: 'flow', format: 'cic', output: 'dataset/features-cic.csv', nonFiniteCells: 0 });
      const text = readFileSync('dataset/features-cic.csv', 'utf8');
      expect(text.slice(0, text.indexOf('\n'))).toBe(CIC_IDS2017_HEADER);
      const rows = Papa.parse<string[]>(text, { skipEmptyLines: true }).data.slice(1);
      expect(rows).toHaveLength(summary.flows);
      const at = (name: string) => CIC_COLUMNS.findIndex((c) => c.name === name);
      expect(rows.reduce((n, row) => n + Number(row[at(' Total Fwd Packets')]) + Number(row[at(' Total Backward Packets')]), 0)).toBe(summary.ipPackets);
      for (const row of rows) expect(row[84]).toBe(row[1] === '10.0.0.66' ? 'PortScan' : 'BENIGN');
      expect(summary.labels.rowsByClass.PortScan).toBeGreaterThan(1000);
    } finally {
      process.chdir(cwd);
    }
  });
});
