// The acceptance test of `netml traceroute`: the real CLI (bin/netml.js over dist/) run inside the client
// namespace of a chain of its own (client -> router -> target), expecting exactly the router and then the
// target as hops 1 and 2, over IPv4 and IPv6; "*" for a router that drops in silence, !X for one that
// refuses; exit 77 with a hint without the privilege. Only namespace addresses are ever probed.
// NETML_CLI=path/to/launcher.js runs the test against another launcher (e.g. before main.ts registers it).

import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSkipReason } from '../live/netns.js';
import { type Chain, createChain, removeStaleChains } from './netns-chain.js';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = process.env.NETML_CLI ? resolve(process.env.NETML_CLI) : join(ROOT, 'bin', 'netml.js');
const NOBODY = 65534;

function skipReason(): string | undefined {
  const live = liveSkipReason();
  if (live) return live;
  if (!process.env.NETML_CLI && !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return 'the CLI is not built: run `npm run build` first';
  const help = spawnSync(process.execPath, [CLI, 'traceroute', '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (help.status !== 0 || !help.stdout.includes('traceroute')) {
    return `\`netml traceroute\` is not reachable from ${CLI} (its --help does not know the command): register it in src/cli/main.ts (registerTraceroute) and run \`npm run build\``;
  }
  return undefined;
}
const reason = skipReason();
if (reason) console.warn(`skipping traceroute namespace tests: ${reason}`);

interface Report {
  address: string;
  reached: boolean;
  hops: { hop: number; probes: ({ address: string; rttMs: number; kind: string; mark: string } | null)[] }[];
}

describe.skipIf(reason !== undefined)('netml traceroute through a chain of namespaces', () => {
  let chain: Chain;

  beforeAll(() => {
    removeStaleChains();
    chain = createChain();
  });

  afterAll(() => chain?.remove());

  /** `netml traceroute ARGS` inside the client namespace; never without an explicit namespace target. */
  async function traceroute(args: string[], asUser?: number): Promise<{ code: number; stdout: string; stderr: string }> {
    const user = asUser === undefined ? [] : ['setpriv', `--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups'];
    try {
      const { stdout, stderr } = await execFileAsync('ip', ['netns', 'exec', chain.client, ...user, process.execPath, CLI, 'traceroute', ...args], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  it('finds exactly the router and then the target (IPv4)', async () => {
    const { code, stdout, stderr } = await traceroute([chain.targetAddr, '--json', '--max-hops', '5', '--timeout', '2']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.reached).toBe(true);
    expect(report.hops.map((h) => h.hop)).toEqual([1, 2]);
    expect(report.hops[0].probes.map((p) => p?.address)).toEqual([chain.routerAddr, chain.routerAddr, chain.routerAddr]);
    expect(report.hops[0].probes.every((p) => p?.kind === 'time-exceeded')).toBe(true);
    expect(report.hops[1].probes.map((p) => p?.address)).toEqual([chain.targetAddr, chain.targetAddr, chain.targetAddr]);
    expect(report.hops[1].probes.every((p) => p?.kind === 'port-unreachable')).toBe(true);
    for (const hop of report.hops) for (const p of hop.probes) expect(p!.rttMs).toBeGreaterThanOrEqual(0);
    for (const hop of report.hops) for (const p of hop.probes) expect(p!.rttMs).toBeLessThan(2000);
  });

  it('prints the hops as traceroute does', async () => {
    const { code, stdout } = await traceroute([chain.targetAddr, '--max-hops', '5', '--probes', '2']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`traceroute to ${chain.targetAddr}, 5 hops max, 2 probes per hop, UDP to port 33434+, answers read on c0`);
    expect(lines.slice(1).map((l) => l.replace(/\d+\.\d{3} ms/g, 'T'))).toEqual([` 1  ${chain.routerAddr}  T  T`, ` 2  ${chain.targetAddr}  T  T`]);
  });

  it('finds exactly the router and then the target (IPv6)', async () => {
    const { code, stdout, stderr } = await traceroute([chain.targetAddr6, '--json', '--max-hops', '5', '--probes', '2']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.hops.map((h) => h.probes.map((p) => p?.address))).toEqual([
      [chain.routerAddr6, chain.routerAddr6],
      [chain.targetAddr6, chain.targetAddr6],
    ]);
    expect(report.reached).toBe(true);
  });

  it('prints * for probes nobody answers and says the target was not reached', async () => {
    const { code, stdout } = await traceroute([chain.blackholeAddr, '--max-hops', '2', '--probes', '2', '--timeout', '0.5']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').slice(1)).toEqual([' 1  *  *', ' 2  *  *', `${chain.blackholeAddr} not reached: no answer from it within 2 hops`]);
  });

  it('marks a router that refuses the probe with !X and stops there', async () => {
    const { code, stdout } = await traceroute([chain.prohibitedAddr, '--max-hops', '5', '--probes', '1']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(new RegExp(`^ 1  ${chain.routerAddr.replace(/\./g, '\\.')}  \\d+\\.\\d{3} ms !X$`));
    expect(lines[2]).toBe(`${chain.prohibitedAddr} not reached: a router reported it unreachable`);
  });

  it('exits 77 with a hint when it may not capture', async () => {
    const { code, stdout, stderr } = await traceroute([chain.targetAddr, '--max-hops', '2'], NOBODY);
    expect(code).toBe(77);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/no permission/);
    expect(stderr).toMatch(/hint: run with sudo/);
  });
});
