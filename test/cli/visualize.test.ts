// `netml visualize` through its commander wiring (registered on a fresh program, as main.ts will): every
// input kind, empty inputs ("no packets in this file", exit 0), the model's threshold from summary.json,
// SVG files, width and colour rules, and the refusals with their exit codes.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerCapture } from '../../src/cli/capture.js';
import type { CliIo } from '../../src/cli/main.js';
import { parseTime, registerVisualize, splitCsvLine } from '../../src/cli/visualize.js';
import { ExitCode, NetmlError } from '../../src/errors.js';
import { PACKET_COLUMNS } from '../../src/schema/packet-columns.js';
import { HOST, LAN, officeDetections, officePackets } from '../viz/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'dataset', 'sample.pcap');
const dir = mkdtempSync(join(tmpdir(), 'netml-visualize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Notes are wrapped to the width: compare them as one line. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

type Stream = PassThrough & { isTTY?: boolean; columns?: number };

/** Runs `netml <argv>` on a fresh program with visualize (and capture) registered, as main() does. */
async function run(argv: string[], tty?: { columns: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: Stream = new PassThrough();
  const stderr: Stream = new PassThrough();
  if (tty) Object.assign(stdout, { isTTY: true, columns: tty.columns });
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = { stdout, stderr };
  const result = { exitCode: 0 };
  const program = new Command('netml').exitOverride().configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  registerVisualize(program, io, result);
  registerCapture(program, io, result);
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = result.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : ExitCode.usage;
    else if (e instanceof NetmlError) {
      err += `netml: ${e.message}\n`;
      code = e.exitCode;
    } else throw e;
  }
  return { code, stdout: out, stderr: err };
}

function packetsCsv(name: string): string {
  const path = join(dir, name);
  const names = PACKET_COLUMNS.map((c) => c.name);
  const lines = [names.join(',')];
  for (const p of officePackets()) {
    const row: Record<string, string | number> = {
      time_epoch_s: p.timeS.toFixed(9),
      wire_len_bytes: p.wireBytes,
      src_addr: p.src,
      dst_addr: p.dst,
      protocol: p.protocol,
      src_port: p.srcPort >= 0 ? p.srcPort : '',
      dst_port: p.dstPort >= 0 ? p.dstPort : '',
      status: 'ok',
      status_detail: p.protocol === 'gre' ? '"gre: a, quoted detail"' : '',
    };
    lines.push(names.map((n) => row[n] ?? '').join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function detectionsCsv(sub: string, kind: 'iforest' | 'rf', summary?: object): string {
  const d = join(dir, sub);
  mkdirSync(d, { recursive: true });
  const path = join(d, 'detections.csv');
  const head = ['flow_id', 'start_time_s', 'end_time_s', 'src_addr', 'dst_addr', 'src_port', 'dst_port', 'vlan_id', 'score', 'verdict'];
  if (kind === 'rf') head.push('predicted_class');
  const lines = [head.join(',')];
  for (const r of officeDetections(kind)) {
    const cells = [r.id, r.timeS.toFixed(9), (r.timeS + 1).toFixed(9), r.src, r.dst, r.srcPort, r.dstPort, 0, r.score.toFixed(6), r.suspicious ? 'SUSPICIOUS' : 'NORMAL'];
    if (kind === 'rf') cells.push(r.predictedClass);
    lines.push(cells.join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  if (summary) writeFileSync(join(d, 'summary.json'), JSON.stringify(summary));
  return path;
}

const PACKET_HEADINGS = ['Traffic over time', 'Protocols (packets)', 'Top application ports', 'Top talkers', 'Top destinations'];

describe('netml visualize', () => {
  it('draws every packet chart of a packets.csv, 80 columns and no colour when not a terminal', async () => {
    const { code, stdout } = await run(['visualize', '--input', packetsCsv('packets.csv'), '--local', LAN]);
    expect(code).toBe(0);
    for (const h of PACKET_HEADINGS) expect(stdout).toContain(h);
    expect(stdout).toContain('3,595 packets');
    expect(oneLine(stdout)).toContain('Local: 192.168.1.0/24 (--local)');
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(stdout).not.toMatch(/\x1b\[/);
  });

  it('takes the address in the most packets as local without --local when this host is not in the traffic', async () => {
    const { stdout } = await run(['visualize', '--input', packetsCsv('packets.csv'), '--chart', 'traffic']);
    expect(oneLine(stdout)).toContain(`Local: ${HOST}, the address in the most packets`);
  });

  it('fits the terminal width and colours on a terminal, unless NO_COLOR is set', async () => {
    const input = packetsCsv('packets.csv');
    const coloured = await run(['visualize', '--input', input, '--chart', 'protocols'], { columns: 120 });
    expect(coloured.stdout).toMatch(/\x1b\[/);
    expect(Math.max(...coloured.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.length))).toBe(120);
    process.env.NO_COLOR = '1';
    try {
      const plain = await run(['visualize', '--input', input, '--chart', 'protocols'], { columns: 120 });
      expect(plain.stdout).not.toMatch(/\x1b\[/);
    } finally {
      delete process.env.NO_COLOR;
    }
    const wide = await run(['visualize', '--input', input, '--chart', 'traffic', '--width', '200'], { columns: 120 });
    expect(Math.max(...wide.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.length))).toBe(200);
  });

  it('draws a capture file exactly as the packets.csv that `netml capture --read` makes of it', async () => {
    const csv = join(dir, 'sample-packets.csv');
    expect((await run(['capture', '--read', SAMPLE, '--no-pcap', '--csv-out', csv, '--quiet'])).code).toBe(0);
    const fromCsv = await run(['visualize', '--input', csv, '--local', '10.0.0.2']);
    const fromPcap = await run(['visualize', '--input', SAMPLE, '--local', '10.0.0.2']);
    expect(fromPcap.code).toBe(0);
    // everything after the header (one line, or two when the path is long)
    const body = (s: string) => s.slice(s.indexOf('\n\n'));
    expect(body(fromPcap.stdout)).toBe(body(fromCsv.stdout));
    expect(fromPcap.stdout).toContain('6,977 packets');
  });

  it.each([
    ['an empty file', 'empty.csv', ''],
    ['a packets.csv with only its header', 'header-only.csv', `${PACKET_COLUMNS.map((c) => c.name).join(',')}\n`],
    ['a pcap with only its header', 'header-only.pcap', Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex')],
  ])('says "no packets in this file" for %s and exits 0', async (_, name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    const { code, stdout } = await run(['visualize', '--input', path]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${path}: no packets in this file\n`);
  });

  it("draws the detection charts with the model's threshold from the summary.json beside the file", async () => {
    const path = detectionsCsv('iforest', 'iforest', { modelKind: 'isolation-forest', threshold: 0.61, outputs: { detections: 'results/detections.csv' } });
    const { code, stdout } = await run(['visualize', '--input', path]);
    expect(code).toBe(0);
    for (const h of ['Anomaly score over time', 'Verdicts', 'Top suspicious flows', 'Hosts in suspicious flows']) expect(stdout).toContain(h);
    expect(stdout).not.toContain('Predicted classes');
    expect(oneLine(stdout)).toContain("threshold 0.6100 (the model's)");
    expect(stdout).toMatch(/SUSPICIOUS +█+ +16 +6\.6%/);
  });

  it('infers the threshold from the verdicts without a summary.json, and shows classes for a random forest', async () => {
    const iforest = await run(['visualize', '--input', detectionsCsv('no-summary', 'iforest'), '--chart', 'scores']);
    expect(oneLine(iforest.stdout)).toContain('between the highest NORMAL and the lowest SUSPICIOUS score');
    const rf = await run(['visualize', '--input', detectionsCsv('rf', 'rf'), '--width', '120']);
    expect(rf.stdout).toContain('Predicted classes');
    expect(rf.stdout).toContain('No threshold line');
    expect(rf.stdout).toMatch(/portscan/);
  });

  it('writes the same charts as SVG files with --svg', async () => {
    const svgDir = join(dir, 'svg');
    const { code, stdout } = await run(['visualize', '--input', packetsCsv('packets.csv'), '--input', detectionsCsv('iforest', 'iforest'), '--svg', svgDir]);
    expect(code).toBe(0);
    const files = readdirSync(svgDir).sort();
    expect(files).toEqual(['destinations.svg', 'hosts.svg', 'ports.svg', 'protocols.svg', 'scores.svg', 'suspicious.svg', 'talkers.svg', 'traffic.svg', 'verdicts.svg']);
    expect(stdout).toContain(`wrote ${join(svgDir, 'traffic.svg')}`);
    expect(readFileSync(join(svgDir, 'scores.svg'), 'utf8')).toContain('stroke-dasharray');
  });

  it.each([
    ['a chart the input cannot draw', ['--chart', 'scores'], ExitCode.usage, /chart "scores" draws detections/],
    ['an unknown chart', ['--chart', 'pie'], ExitCode.usage, /no chart named "pie"/],
    ['a bad --local', ['--local', '10.0.0.0/40'], ExitCode.usage, /prefix length/],
    ['a width below 40', ['--width', '20'], ExitCode.usage, /at least 40/],
  ])('refuses %s with exit 64', async (_, args, code, message) => {
    const result = await run(['visualize', '--input', packetsCsv('packets.csv'), ...args]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a CSV that is neither packets nor detections (65) and a missing file (66)', async () => {
    const features = join(dir, 'features.csv');
    writeFileSync(features, 'flow_id,start_time_s,fwd_packets\n1,2,3\n');
    const bad = await run(['visualize', '--input', features]);
    expect(bad.code).toBe(ExitCode.badData);
    expect(bad.stderr).toContain('neither a packets CSV, a detections CSV nor a capture file');
    expect((await run(['visualize', '--input', join(dir, 'nope.csv')])).code).toBe(ExitCode.missingInput);
  });

  it('refuses detect --packets output by name: each flow verdict repeated on its packets', async () => {
    const path = join(dir, 'packet-verdicts.csv');
    writeFileSync(path, 'packet_number,time_s,flow_id,detections_row,score,verdict\n1,1.5,,,,NONE\n2,1.6,1,1,0.9,SUSPICIOUS\n');
    const { code, stderr } = await run(['visualize', '--input', path]);
    expect(code).toBe(ExitCode.badData);
    expect(stderr).toContain('one verdict per packet');
  });

  it('points at a bad detections row by its line number', async () => {
    const path = join(dir, 'bad-detections.csv');
    writeFileSync(path, 'flow_id,score,verdict\n1,0.5,NORMAL\n2,high,MAYBE\n');
    const { code, stderr } = await run(['visualize', '--input', path]);
    expect(code).toBe(ExitCode.badData);
    expect(stderr).toContain('line 3');
  });
});

describe('input helpers', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,"b,c",d', ['a', 'b,c', 'd']],
    ['"say ""hi""",,x', ['say "hi"', '', 'x']],
  ])('splitCsvLine(%s)', (line, cells) => expect(splitCsvLine(line)).toEqual(cells));

  it.each([
    ['1793520000.5', 1793520000.5],
    ['01/11/2026 08:00:05 AM', 1793520005],
    ['01/11/2026 12:00:00 PM', 1793534400],
    ['01/11/2026 12:00:00 AM', 1793491200],
    ['', Number.NaN],
    ['soon', Number.NaN],
  ])('parseTime(%s)', (text, t) => expect(parseTime(text)).toBe(t));
});
