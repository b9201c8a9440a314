// The compiled CLI's threads (the tests' in-process runs use TypeScript sources, where extract does all on one
// thread): the flow feature thread and the CSV writer thread write the same table and the same summary as
// --no-writer-thread, for netml's columns, CICFlowMeter's with labels, and the host level.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { officeAttackLabels } from '../../src/synth/office-traffic.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin', 'netml.js');
const built = existsSync(join(ROOT, 'dist', 'io', 'flow-features-worker.js'));
if (!built) console.warn('skipping extract thread tests: the CLI is not built (run `npm run build` first)');

async function extract(args: string[]): Promise<{ csv: string; summary: Record<string, unknown> }> {
  const output = args[args.indexOf('-o') + 1];
  const { stdout } = await execFileAsync(process.execPath, [CLI, 'extract', ...args, '--json'], { timeout: 120_000 });
  const summary = JSON.parse(stdout) as Record<string, unknown>;
  for (const timing of ['elapsedSeconds', 'packetsPerSecond', 'output']) delete summary[timing];
  return { csv: readFileSync(output, 'utf8'), summary };
}

describe.skipIf(!built)('extract on threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netml-threads-'));
  const capture = join(dir, 'office.pcap');
  // enough flows that rows pass through the rings many times over (the writer's ring holds 2,048 rows)
  writeTimedPcap(capture, officeFrames({ seed: 11, rounds: 40, floodSynsPerRound: 4000 }));
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify(officeAttackLabels({ startEpochS: 1_700_000_000, rounds: 40, clients: 3 })));

  const cases: [string, string[]][] = [
    ['flow', []],
    ['flow, CIC columns and labels', ['--format', 'cic', '--labels', rules]],
    ['flow, small table', ['--max-flows', '300', '--idle-timeout', '5']],
    ['host', ['--level', 'host', '--labels', rules]],
  ];
  it.each(cases)('%s: the same table and summary as on one thread', async (_name, options) => {
    const threaded = await extract(['-i', capture, '-o', join(dir, 'threaded.csv'), ...options]);
    const single = await extract(['-i', capture, '-o', join(dir, 'single.csv'), '--no-writer-thread', ...options]);
    expect(threaded.summary.rows).toBeGreaterThan(5000);
    expect(threaded.csv).toBe(single.csv);
    expect(threaded.summary).toEqual(single.summary);
  });
});
