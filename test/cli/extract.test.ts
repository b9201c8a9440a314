// `netml extract` end to end through main(argv): the feature table, the summary, several inputs, and
// every bad-input path a user hits.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';
import { FLOW_COLUMNS, FLOW_CSV_HEADER } from '../../src/schema/flow-columns.js';
import { officeAttackLabels } from '../../src/synth/office-traffic.js';
import { ACK, CLIENT, FIN, ping, PSH, SERVER, SYN, TcpTalk } from '../flow/flow-harness.js';

const run = runCli;

const tempDir = () => mkdtempSync(join(tmpdir(), 'netml-extract-'));

function rowsOf(path: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true }).data;
}

describe('netml extract', () => {
  it('writes one row per flow with the schema header, and a JSON summary that accounts for every packet', async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    const pings = [1, 2].flatMap((seq) => [ping(CLIENT, SERVER, false, 9, seq, 1_700_000_005 + seq), ping(SERVER, CLIENT, true, 9, seq, 1_700_000_005.001 + seq)]);
    const packets = writeTimedPcap(input, [...officeFrames({ seed: 3, rounds: 4 }), ...pings]);
    const output = join(dir, 'out', 'features.csv');
    const r = await run(['extract', '--input', input, '--output', output, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ schemaVersion: 'flows/1', level: 'flow', packets, evictions: 0, nonFiniteCells: 0, interrupted: false });
    expect(summary.inputs).toEqual([{ path: input, format: 'pcap-ns', packets, warnings: [] }]);
    expect(summary.ipPackets + summary.nonIpPackets).toBe(packets);
    expect(summary.nonIpPackets).toBeGreaterThan(0); // the ARP exchanges
    const byReason = Object.values(summary.flowsByEndReason as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(byReason).toBe(summary.flows);

    const text = readFileSync(output, 'utf8');
    expect(text.slice(0, text.indexOf('\n'))).toBe(FLOW_CSV_HEADER);
    const rows = rowsOf(output);
    expect(rows).toHaveLength(summary.flows);
    expect(rows.reduce((n, row) => n + Number(row.fwd_packets) + Number(row.bwd_packets), 0)).toBe(summary.ipPackets);
    for (const row of rows) {
      for (const c of FLOW_COLUMNS) if (c.name !== 'history') expect(row[c.name], c.name).not.toBe('');
    }
    expect(new Set(rows.map((row) => row.protocol))).toEqual(new Set(['tcp', 'udp', 'icmp']));
    expect(rows.filter((row) => row.ip_version === '6').length).toBeGreaterThan(0);
  });

  it('uses every packet before a truncated last record and says where the damage is', async () => {
    const dir = tempDir();
    const whole = join(dir, 'whole.pcap');
    const packets = writeTimedPcap(whole, officeFrames({ seed: 5, rounds: 2 }));
    const bytes = readFileSync(whole);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const r = await run(['extract', '--input', cut, '--output', join(dir, 'features.csv'), '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.packets).toBe(packets - 1);
    expect(summary.inputs[0].warnings).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^netml: warning: ${cut}: .* \\(packet ${packets}, byte \\d+\\); the ${(packets - 1).toLocaleString('en-US')} packets before it were kept\n$`));
  });

  it('reads several captures into one table, continuing a flow that spans two files', async () => {
    const dir = tempDir();
    const talk = new TcpTalk(CLIENT, SERVER).c(10, SYN).s(10.001, SYN | ACK).c(10.002, ACK).c(10.003, PSH | ACK, 100).s(11, PSH | ACK, 500).c(11.001, FIN | ACK).s(11.002, FIN | ACK).c(11.003, ACK);
    const first = join(dir, 'a.pcap');
    const second = join(dir, 'b.pcap');
    writeTimedPcap(first, talk.frames.slice(0, 4));
    writeTimedPcap(second, talk.frames.slice(4));
    const output = join(dir, 'features.csv');
    const r = await run(['extract', '--input', first, second, '--output', output, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).inputs.map((i: { packets: number }) => i.packets)).toEqual([4, 4]);
    const rows = rowsOf(output);
    expect(rows.map((row) => [row.fwd_packets, row.bwd_packets, row.conn_state, row.end_reason])).toEqual([['5', '3', 'SF', 'fin']]);
  });

  it('applies --idle-timeout, --active-timeout and --max-flows', async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    writeTimedPcap(input, officeFrames({ seed: 5, rounds: 4 }));
    const output = join(dir, 'features.csv');
    const r = await run(['extract', '-i', input, '-o', output, '--idle-timeout', '0.5', '--active-timeout', '2', '--max-flows', '20', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ idleTimeoutS: 0.5, activeTimeoutS: 2, maxFlows: 20 });
    expect(summary.peakFlowsHeld).toBeLessThanOrEqual(20);
    expect(summary.flowsByEndReason.idle).toBeGreaterThan(0);
    expect(summary.evictions).toBeGreaterThan(0);
    const rows = rowsOf(output);
    expect(rows.every((row) => Number(row.duration_s) <= 2)).toBe(true);
  });

  it('prints a summary table with packets, non-IP packets, flows by end reason and evictions', async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    writeTimedPcap(input, officeFrames({ seed: 3, rounds: 2 }));
    const r = await run(['extract', '--input', input, '--output', join(dir, 'f.csv')]);
    expect(r.code).toBe(0);
    for (const label of ['packets read', 'IP packets (in flows)', 'non-IP packets (ARP...)', 'flows written', 'flows by end reason', 'evictions', 'wrote']) {
      expect(r.stdout).toContain(label);
    }
    expect(r.stderr).toBe(''); // no progress line: stderr is not a terminal
  });

  it('adds a label column from --labels rules and counts rows per class in the summary', async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    writeTimedPcap(input, officeFrames({ seed: 3, rounds: 4 }));
    const rules = join(dir, 'rules.json');
    // the office generator's attacker is 10.0.0.66; its SYN flood and scan target 10.0.0.2
    writeFileSync(rules, JSON.stringify([{ class: 'attack', src: '10.0.0.66' }, { class: 'dns', dst_port: 53, protocol: 'udp' }]));
    const output = join(dir, 'features.csv');
    const r = await run(['extract', '--input', input, '--output', output, '--labels', rules, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    const rows = rowsOf(output);
    expect(Object.keys(rows[0]).at(-1)).toBe('label');
    for (const row of rows) {
      const expected = row.src_addr === '10.0.0.66' ? 'attack' : row.dst_port === '53' && row.protocol === 'udp' ? 'dns' : 'normal';
      expect(row.label, `${row.src_addr} -> ${row.dst_addr}:${row.dst_port}`).toBe(expected);
    }
    const counted = rows.reduce<Record<string, number>>((m, row) => ((m[row.label] = (m[row.label] ?? 0) + 1), m), {});
    expect(summary.labels).toEqual({ rules, rowsByClass: counted });
    expect(counted.attack).toBeGreaterThan(1000); // the scan: one flow per port
  });

  it("labels the synthetic office with its own ground truth: every scan and flood flow, nothing else", async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    writeTimedPcap(input, officeFrames({ seed: 5, rounds: 20 }));
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify(officeAttackLabels({ startEpochS: 1_700_000_000, rounds: 20, clients: 3 })));
    const output = join(dir, 'features.csv');
    expect((await run(['extract', '--input', input, '--output', output, '--labels', rules, '--quiet'])).code).toBe(0);
    const rows = rowsOf(output);
    const byClass = (c: string) => rows.filter((row) => row.label === c);
    // 20 rounds: the scan (one flow per port 1..1024) in round 10, the flood (50 SYNs, spoofed sources) in round 15
    expect(byClass('portscan')).toHaveLength(1024);
    expect(byClass('portscan').every((row) => row.src_addr === '10.0.0.66')).toBe(true);
    expect(byClass('synflood')).toHaveLength(50);
    expect(byClass('synflood').every((row) => row.dst_addr === '10.0.0.2' && row.dst_port === '80' && !row.src_addr.startsWith('10.0.'))).toBe(true);
    expect(byClass('normal').every((row) => row.src_addr !== '10.0.0.66')).toBe(true);
    expect(byClass('normal').length + 1024 + 50).toBe(rows.length);
  });

  it('rejects a rules file it cannot use with exit 65, naming the rule', async () => {
    const dir = tempDir();
    const input = join(dir, 'office.pcap');
    writeTimedPcap(input, officeFrames({ seed: 3, rounds: 1 }));
    const rules = join(dir, 'rules.csv');
    writeFileSync(rules, 'class,src\nattack,10.0.0.666\n');
    const r = await run(['extract', '--input', input, '--output', join(dir, 'f.csv'), '--labels', rules]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('rule 1: src');
  });

  it('--help teaches with examples and exits 0', async () => {
    const r = await run(['extract', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--idle-timeout');
    expect(r.stdout).toContain('--max-flows');
  });

  it('without --input reads dataset/capture.pcap, and says how to make it when it is missing', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const missing = await run(['extract']);
      expect(missing.code).toBe(66);
      expect(missing.stderr).toContain('dataset/capture.pcap: no such file');
      expect(missing.stderr).toContain('netml capture');
      mkdirSync('dataset');
      writeTimedPcap('dataset/capture.pcap', officeFrames({ seed: 3, rounds: 1 }));
      const r = await run(['extract', '--quiet']);
      expect(r.code).toBe(0);
      expect(readFileSync('dataset/features.csv', 'utf8').startsWith(FLOW_CSV_HEADER)).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it.each([
    ['a missing input', ['--input', '/nonexistent/x.pcap'], 66, 'no such file'],
    ['a file that is not a capture', ['--input', 'NOT_A_CAPTURE'], 65, 'not a capture file'],
    ['a zero idle timeout', ['--idle-timeout', '0'], 64, 'expected a number above 0'],
    ['an unknown level', ['--level', 'bytes'], 64, '--level must be one of'],
  ])('rejects %s with exit %i', async (_what, args, code, message) => {
    const dir = tempDir();
    const notCapture = join(dir, 'notes.txt');
    writeFileSync(notCapture, 'hello, this is text\n');
    const argv = ['extract', ...args.map((a) => (a === 'NOT_A_CAPTURE' ? notCapture : a)), '--output', join(dir, 'f.csv')];
    if (!args.includes('--input')) argv.push('--input', notCapture);
    const r = await run(argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
  });

  it('leaves no partial output and keeps an older table when a later input fails', async () => {
    const dir = tempDir();
    const good = join(dir, 'good.pcap');
    writeTimedPcap(good, officeFrames({ seed: 3, rounds: 1 }));
    const output = join(dir, 'features.csv');
    writeFileSync(output, 'the previous table\n');
    const r = await run(['extract', '--input', good, join(dir, 'missing.pcap'), '--output', output]);
    expect(r.code).toBe(66);
    expect(readFileSync(output, 'utf8')).toBe('the previous table\n');
    expect(existsSync(`${output}.tmp-${process.pid}`)).toBe(false);
  });

  it('refuses an output that is its input or its rules file before reading anything (exit 64)', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.pcap');
    writeTimedPcap(input, officeFrames({ seed: 3, rounds: 1 }));
    const captureBytes = readFileSync(input);
    const same = await run(['extract', '--input', input, '--output', input]);
    expect(same.code).toBe(64);
    expect(same.stderr).toContain('writing it would replace what is read');
    expect(readFileSync(input).equals(captureBytes)).toBe(true);
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, '[]');
    const overRules = await run(['extract', '--input', input, '--labels', rules, '--output', rules]);
    expect(overRules.code).toBe(64);
    expect(readFileSync(rules, 'utf8')).toBe('[]');
  });

  it('checks every input before reading the first: a missing second input fails before a damaged first one is read', async () => {
    const dir = tempDir();
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a capture\n');
    const r = await run(['extract', '--input', text, join(dir, 'missing.pcap'), '--output', join(dir, 'f.csv')]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('missing.pcap: no such file');
  });

  it('says that a --max-flows too large to allocate is the option, not an internal error (exit 64)', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.pcap');
    writeTimedPcap(input, officeFrames({ seed: 3, rounds: 1 }));
    const r = await run(['extract', '--input', input, '--max-flows', '100000000000', '--output', join(dir, 'f.csv')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('give a smaller --max-flows');
  });

  it('keeps a wire length above 2^31 as the file says (a corrupt length never turns negative)', async () => {
    const dir = tempDir();
    const input = join(dir, 'huge.pcap');
    const frames = [...new TcpTalk(CLIENT, SERVER).c(10, SYN).s(10.001, SYN | ACK).frames];
    writeTimedPcap(input, frames);
    // the second record's orig_len: 24-byte file header, 16-byte record header + first frame, then ts 8 + incl 4
    const bytes = readFileSync(input);
    bytes.writeUInt32LE(0xfffffff0, 24 + 16 + frames[0].frame.length + 12);
    writeFileSync(input, bytes);
    const output = join(dir, 'f.csv');
    const r = await run(['extract', '--input', input, '--output', output, '-q']);
    expect(r.code).toBe(0);
    const [row] = rowsOf(output);
    expect(Number(row.bwd_bytes_wire)).toBe(0xfffffff0);
  });

  it('cannot write under a path that is a file: exit 73', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.pcap');
    writeTimedPcap(input, officeFrames({ seed: 3, rounds: 1 }));
    writeFileSync(join(dir, 'file'), 'x');
    const r = await run(['extract', '--input', input, '--output', join(dir, 'file', 'features.csv')]);
    expect(r.code).toBe(73);
    expect(r.stderr).toContain('cannot write');
  });
});
