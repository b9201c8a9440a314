#!/usr/bin/env node
// `sudo npm run lab`: a traffic lab in network namespaces of its own. Real programs make normal traffic (web
// pages, downloads, DNS, ping, SSH, iperf3, from several client workers and addresses side by side) and, in the
// mixed scenario, real attack tools (nmap, hping3, hydra) run from an attacker address; the server side is
// captured by `netml capture` and each attack's time window is written as label rules. Everything is sent
// between the lab's namespaces only, and all of it is removed at the end.

import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIENT_ADDRESSES, HOST_INTERFACE, HOSTS, createLabNetwork, isAlive, namespaceNames, removeLeftovers, removeNamespaces } from './lab-network.js';
import { LabProcesses } from './lab-processes.js';
import { IPERF_SERVERS, PORTS, prepareServerFiles, removePrivsepDir, startServices } from './lab-services.js';
import { NORMAL_WEIGHTS, attacks, normalActivities, normalPause } from './lab-traffic.js';
import { TOOLS, hasCommand, installPackages, missingTools, toolVersions } from './lab-tools.js';
import { seededRandom } from './seeded-random.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NETML = join(REPO, 'bin', 'netml.js');
/** sysexits.h numbers, as in src/errors.ts, plus 69 (EX_UNAVAILABLE) for a tool that is missing */
const EXIT = { ok: 0, failure: 1, usage: 64, unavailable: 69, noPermission: 77, interrupted: 130 };
const SCENARIOS = ['normal', 'mixed'];
/** client workers running side by side: each has its own generator, client address and iperf3 server */
const NORMAL_WORKERS = { long: 6, short: 3 };
const ATTACK_ORDER = ['portscan', 'synflood', 'bruteforce'];

const USAGE = `Usage: sudo npm run lab -- [--scenario normal|mixed] [--out dataset/lab-mixed.pcap] [--labels FILE]
                            [--seed N] [--duration SEC] [--capture netml|tcpdump] [--json]

Builds network namespaces of its own (server ${HOSTS.server.address}, clients ${CLIENT_ADDRESSES[0]}-${CLIENT_ADDRESSES.at(-1).split('.').pop()}, attacker ${HOSTS.attacker.address}
on a bridge in a fourth namespace), runs real traffic between them, captures the server's side and writes:
  OUT                  the capture (pcap)                        default dataset/lab-<scenario>.pcap
  OUT without .pcap + .csv   one row per packet (netml capture)
  --labels FILE        label rules: attacker address and each attack's window   default <OUT base>.labels.json

Options:
  --scenario S     normal: normal traffic only; mixed (default): normal traffic plus an nmap SYN scan,
                   an hping3 SYN flood and a hydra SSH brute force from the attacker, in seeded order
  --seed N         seed of pauses, order, picks and file contents (default 1)
  --duration SEC   length of the normal traffic (default 60: ${NORMAL_WORKERS.long} client workers, ~1,300 normal flows a minute);
                   under 30 the attacks are scaled down too and ${NORMAL_WORKERS.short} workers run (CI: 15)
  --capture TOOL   netml (default; falls back to tcpdump when netml cannot capture) or tcpdump
  --no-install     do not apt-get install missing tools; fail instead
  --allow-missing  skip an attack whose tool is missing (and cannot be installed) instead of failing
  --json           print the summary as JSON on stdout (pids, namespaces, windows, tool versions)

Exit codes: 0 ok, 1 failure, 64 bad usage, 69 a tool is missing, 77 not root, 130 interrupted.`;

class LabExit extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const log = (line) => process.stderr.write(`lab: ${line}\n`);

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'mixed' },
        out: { type: 'string' },
        labels: { type: 'string' },
        seed: { type: 'string', default: '1' },
        duration: { type: 'string', default: '60' },
        capture: { type: 'string', default: 'netml' },
        'no-install': { type: 'boolean', default: false },
        'allow-missing': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new LabExit(EXIT.usage, `${err.message}\n\n${USAGE}`);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    throw new LabExit(EXIT.ok, '');
  }
  if (!SCENARIOS.includes(parsed.scenario)) throw new LabExit(EXIT.usage, `--scenario must be normal or mixed, not '${parsed.scenario}'`);
  if (!['netml', 'tcpdump'].includes(parsed.capture)) throw new LabExit(EXIT.usage, `--capture must be netml or tcpdump, not '${parsed.capture}'`);
  const seed = Number(parsed.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new LabExit(EXIT.usage, `--seed must be a whole number >= 0, not '${parsed.seed}'`);
  const duration = Number(parsed.duration);
  if (!Number.isFinite(duration) || duration < 5 || duration > 3600) throw new LabExit(EXIT.usage, `--duration must be between 5 and 3600 seconds, not '${parsed.duration}'`);
  const out = resolve(parsed.out ?? `dataset/lab-${parsed.scenario}.pcap`);
  const base = out.replace(/\.pcap(ng)?$/i, '');
  return {
    scenario: parsed.scenario,
    seed,
    durationSeconds: duration,
    out,
    csv: `${base}.csv`,
    labels: resolve(parsed.labels ?? `${base}.labels.json`),
    capture: parsed.capture,
    install: !parsed['no-install'],
    allowMissing: parsed['allow-missing'],
    json: parsed.json,
  };
}

/** Installs what is missing; returns the attacks to skip (only with --allow-missing). */
function ensureTools(opts) {
  // sshd and dnsmasq read /dev/null as an empty config, ssh writes known hosts to it: a regular file there
  // (left by some program that replaced the device) would break them in ways that are hard to read
  if (!statSync('/dev/null').isCharacterDevice()) throw new LabExit(EXIT.failure, '/dev/null is not a character device (something replaced it with a file): restore it with `sudo rm /dev/null && sudo mknod -m 666 /dev/null c 1 3`');
  const parts = ['lab', 'capture fallback', ...(opts.scenario === 'mixed' ? ATTACK_ORDER : [])];
  let missing = missingTools(parts);
  if (missing.length > 0 && opts.install) {
    const packages = [...new Set(missing.map((t) => t.pkg))];
    const failure = installPackages(packages, log);
    if (failure) log(`could not install the missing tools: ${failure}`);
    missing = missingTools(parts);
  }
  const describe = (ts) => ts.map((t) => `${basename(t.command)} (Debian package ${t.pkg}, for ${t.neededFor})`).join(', ');
  const hint = `install them with: sudo apt-get install -y --no-install-recommends ${[...new Set(TOOLS.map((t) => t.pkg))].join(' ')}`;
  const essential = missing.filter((t) => t.neededFor === 'lab');
  if (essential.length > 0) throw new LabExit(EXIT.unavailable, `missing ${describe(essential)}; ${hint}`);
  const attackTools = missing.filter((t) => ATTACK_ORDER.includes(t.neededFor));
  if (attackTools.length > 0 && !opts.allowMissing) throw new LabExit(EXIT.unavailable, `missing ${describe(attackTools)}; ${hint} (or pass --allow-missing to skip those attacks)`);
  if (opts.capture === 'tcpdump' && !hasCommand('tcpdump')) throw new LabExit(EXIT.unavailable, `--capture tcpdump but tcpdump is missing; ${hint}`);
  return attackTools.map((t) => ({ attack: t.neededFor, reason: `${basename(t.command)} is missing (package ${t.pkg})` }));
}

/** Gives a file made under sudo to the user who ran sudo, as netml capture does with its outputs. */
function giveToInvokingUser(path) {
  const uid = Number(process.env.SUDO_UID);
  const gid = Number(process.env.SUDO_GID ?? process.env.SUDO_UID);
  if (!Number.isInteger(uid) || uid <= 0) return;
  try {
    chownSync(path, uid, gid);
  } catch {
    /* best effort: the file stays root's */
  }
}

/** mkdir -p, with the directories it makes given to the sudo user too (a root-owned dataset/ would lock them out). */
function makeDirectoryForInvokingUser(dir) {
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = dir; d.length >= first.length; d = dirname(d)) giveToInvokingUser(d);
}

const sleep = (ms, abort) =>
  new Promise((resolveSleep) => {
    if (abort.aborted) return resolveSleep(undefined);
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolveSleep(undefined);
    }
    abort.addEventListener('abort', done, { once: true });
  });

/** Starts `netml capture` (or tcpdump) on the server's interface, inside the server namespace. */
async function startCapture(processes, ns, opts) {
  for (const path of [opts.out, opts.csv]) makeDirectoryForInvokingUser(dirname(path));
  if (opts.capture === 'netml') {
    if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
      log('netml is not built (dist/ is missing: run `npm run build`); capturing with tcpdump instead');
    } else {
      const handle = processes.spawn(ns, 'netml-capture', [process.execPath, NETML, 'capture', '-i', HOST_INTERFACE, '--pcap-out', opts.out, '--csv-out', opts.csv, '--json'], { cwd: REPO });
      try {
        await handle.stderrMatches(/^capturing on /m, 20000);
        return { tool: 'netml', handle };
      } catch (err) {
        log(`netml capture could not start (${err.message.split('\n').slice(0, 3).join(' ')}); capturing with tcpdump instead`);
        await processes.stop(handle.pid, handle.done);
      }
    }
  }
  if (!hasCommand('tcpdump')) throw new LabExit(EXIT.unavailable, 'no capture tool: netml capture did not start and tcpdump is missing');
  const handle = processes.spawn(ns, 'tcpdump', ['tcpdump', '-i', HOST_INTERFACE, '-n', '-U', '-s', '0', '-w', opts.out]);
  await handle.stderrMatches(/listening on /, 20000);
  return { tool: 'tcpdump', handle };
}

async function stopCapture(processes, capture, opts) {
  const result = await processes.stop(capture.handle.pid, capture.handle.done, 'SIGINT', 20000);
  const bytes = existsSync(opts.out) ? statSync(opts.out).size : 0;
  let packets = null;
  let dropped = null;
  if (capture.tool === 'netml') {
    try {
      const report = JSON.parse(result.stdout);
      packets = report.packets;
      dropped = report.libpcap?.droppedByKernel ?? null;
    } catch {
      log(`netml capture ended with code ${result.code} and no JSON summary:\n${result.stderr.slice(-800)}`);
    }
  } else {
    packets = Number(/(\d+) packets? captured/.exec(result.stderr)?.[1] ?? NaN);
    dropped = Number(/(\d+) packets? dropped by kernel/.exec(result.stderr)?.[1] ?? NaN);
  }
  giveToInvokingUser(opts.out);
  // 24 bytes is a pcap file header alone
  if (bytes <= 24 || !packets) throw new LabExit(EXIT.failure, `the capture ${opts.out} is empty (${bytes} bytes, ${packets} packets): ${result.stderr.slice(-400)}`);
  return { tool: capture.tool, pcap: opts.out, csv: capture.tool === 'netml' ? opts.csv : null, packets, bytes, droppedByKernel: dropped };
}

/**
 * Normal traffic from the client namespace until `durationSeconds` have passed and the attacks (if any) are
 * over: several workers side by side, each from its own client address (several "hosts"), with a generator of
 * its own (so that one worker's draws never depend on when another finished). The first round deals every
 * activity out once across the workers, in seeded order; then each worker makes seeded weighted picks with
 * seeded pauses.
 */
async function runNormalTraffic(ctx, until) {
  const { opts } = ctx;
  const short = opts.durationSeconds < 30;
  const workers = short ? NORMAL_WORKERS.short : NORMAL_WORKERS.long;
  const counts = {};
  const firstRound = ctx.random.client.shuffle(Object.keys(NORMAL_WEIGHTS));
  const dealt = Array.from({ length: workers }, (_, w) => firstRound.filter((_, i) => i % workers === w));
  await Promise.all(dealt.map((first, w) => runWorker(ctx, w, first, counts, until, short)));
  return counts;
}

async function runWorker(ctx, w, firstRound, counts, until, short) {
  const { processes, names, files, abort } = ctx;
  const random = seededRandom(ctx.opts.seed + 0x5bd1e995 + (w + 1) * 0x9e3779b9);
  const worker = { name: `w${w}`, source: CLIENT_ADDRESSES[w % CLIENT_ADDRESSES.length], iperfPort: PORTS.iperf + (w % IPERF_SERVERS) };
  const spare = CLIENT_ADDRESSES.slice(NORMAL_WORKERS.long); // addresses no worker owns: any worker may use them now and then
  // start staggered, as hosts do
  await sleep(1000 * random.uniform(0, 0.5), abort);
  while (!abort.aborted && !until()) {
    const kind = firstRound.shift() ?? random.pickWeighted(Object.entries(NORMAL_WEIGHTS));
    const source = spare.length > 0 && random.next() < 0.2 ? random.pick(spare) : worker.source;
    const activity = normalActivities(random, { dir: ctx.dir, ...files }, { ...worker, source })[kind]();
    const r = await processes.run(names.client, `client-${worker.name}-${kind}`, activity.argv, { timeoutMs: activity.timeoutMs, abort, cwd: ctx.dir });
    const c = (counts[kind] ??= { runs: 0, failures: 0 });
    c.runs++;
    if (r.code !== 0 && !abort.aborted) {
      c.failures++;
      log(`normal ${kind} (${activity.detail}) ended with code ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    }
    await sleep(1000 * normalPause(random, short), abort);
  }
}

/** The attacks one after the other from the attacker namespace; each window is the attack process's own life. */
async function runAttacks(ctx, skipped) {
  const { processes, names, opts, abort } = ctx;
  const random = ctx.random.attacker;
  const windows = [];
  const d = opts.durationSeconds;
  const recipes = attacks(random, ctx.dir, d < 30);
  const order = random.shuffle(ATTACK_ORDER);
  await sleep(1000 * random.uniform(0.1, 0.2) * d, abort);
  for (const name of order) {
    if (abort.aborted) break;
    if (skipped.some((s) => s.attack === name)) {
      log(`attack ${name} skipped: ${skipped.find((s) => s.attack === name).reason}`);
      continue;
    }
    const attack = recipes[name]();
    log(`attack ${name}: ${attack.detail}`);
    const r = await processes.run(names.attacker, `attacker-${name}`, attack.argv, { timeoutMs: attack.timeoutMs, abort, cwd: ctx.dir, keepOutput: attack.keepOutput });
    windows.push({
      class: attack.className,
      tool: attack.tool,
      detail: attack.detail,
      start: round6(r.startedAt),
      end: round6(r.endedAt),
      seconds: round6(r.endedAt - r.startedAt),
      exitCode: r.code,
      outcome: outcomeOf(r.stdout),
      stoppedByTimeout: r.timedOut,
      pid: r.pid,
    });
    if (r.code !== 0 && !r.timedOut && !abort.aborted) log(`attack ${name} ended with code ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
    await sleep(1000 * random.uniform(0.04, 0.1) * d, abort);
  }
  return windows;
}

/** The tool's own closing line ("Nmap done: ...", "1 of 1 target completed, 0 valid password found"). */
function outcomeOf(stdout) {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.findLast((l) => /done|completed|valid password|packets/i.test(l)) ?? lines.at(-1) ?? null;
}

/** Temp dirs of lab runs that were killed (the PID in the name is gone); their namespaces go in removeLeftovers. */
function removeLeftoverDirs() {
  for (const name of readdirSync(tmpdir())) {
    const m = /^netml-lab-(\d+)-\w{6}$/.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
    log(`removed ${join(tmpdir(), name)}, left by an earlier lab run that was killed`);
  }
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;

/**
 * The rules format proposed for `netml extract --labels` (to be reconciled with src/cli/extract.ts): a flow
 * takes the class of the first rule whose fields all match it, else `default`. Each attack gets one rule for
 * the attacker as source and one as destination, so that the server's replies are labelled too.
 */
function labelRules(windows) {
  const attacker = HOSTS.attacker.address;
  return {
    default: 'normal',
    rules: windows.flatMap((w) => [
      { src: attacker, start: w.start, end: w.end, class: w.class },
      { dst: attacker, start: w.start, end: w.end, class: w.class },
    ]),
  };
}

async function runLab(opts, state, abort) {
  // one generator per stream: the client and the attacker run side by side, and sharing one generator would
  // make each one's draws depend on which finished first
  const random = { files: seededRandom(opts.seed), client: seededRandom(opts.seed + 0x5bd1e995), attacker: seededRandom(opts.seed + 0x27d4eb2f) };
  const skipped = ensureTools(opts);
  removeLeftovers(log);
  if (abort.aborted) return null;
  removeLeftoverDirs();
  state.dir = mkdtempSync(join(tmpdir(), `netml-lab-${process.pid}-`));
  state.names = namespaceNames(process.pid);
  state.processes.env.HOME = state.dir; // hydra, nmap and ssh keep nothing in root's home
  createLabNetwork(process.pid, log);
  const files = prepareServerFiles(state.dir, random.files);
  const capture = await startCapture(state.processes, state.names.server, opts);
  log(`capturing on ${HOST_INTERFACE} in ${state.names.server} with ${capture.tool}`);
  const services = await startServices(state.processes, state.names.server, files);
  state.removePrivsepDir = services.removePrivsepDir;
  log(`server up: http :80, dns :53 (zone lab.test), sshd :22 (user nobody, key or password), iperf3 :${PORTS.iperf}-${PORTS.iperf + IPERF_SERVERS - 1}`);
  const ctx = { processes: state.processes, names: state.names, random, files, opts, abort, dir: state.dir };
  const started = Date.now();
  let attacksOver = opts.scenario !== 'mixed';
  const attacksRun = opts.scenario === 'mixed' ? runAttacks(ctx, skipped).finally(() => (attacksOver = true)) : Promise.resolve([]);
  const normal = runNormalTraffic(ctx, () => attacksOver && Date.now() - started >= opts.durationSeconds * 1000);
  const [windows, normalCounts] = await Promise.all([attacksRun, normal]);
  if (abort.aborted) return null;
  await sleep(500, abort); // the last replies reach the capture
  // daemons first, so that their connections' ends are in the capture, then the capture itself
  await Promise.all(state.processes.started.filter((e) => e.name !== capture.handle.name).map((e) => state.processes.stop(e.pid, e.done)));
  const captured = await stopCapture(state.processes, capture, opts);
  const labels = labelRules(windows);
  makeDirectoryForInvokingUser(dirname(opts.labels));
  writeFileSync(opts.labels, `${JSON.stringify(labels, null, 2)}\n`);
  giveToInvokingUser(opts.labels);
  return {
    scenario: opts.scenario,
    seed: opts.seed,
    durationSeconds: opts.durationSeconds,
    trafficSeconds: round6((Date.now() - started) / 1000),
    addresses: { server: HOSTS.server.address, client: HOSTS.client.address, clients: CLIENT_ADDRESSES, attacker: HOSTS.attacker.address },
    capture: captured,
    labels: opts.labels,
    attacks: windows,
    skippedAttacks: opts.scenario === 'mixed' ? skipped : [],
    normalTraffic: normalCounts,
    normalWorkers: opts.durationSeconds < 30 ? NORMAL_WORKERS.short : NORMAL_WORKERS.long,
    tools: toolVersions(state.processes.env),
  };
}

/** Stops every process and removes every namespace, temp dir and directory the run made. Idempotent, synchronous parts included. */
async function teardown(state) {
  if (state.tornDown) return state.cleanup;
  state.tornDown = true;
  await state.processes.stopAll();
  const swept = state.names ? removeNamespaces(Object.values(state.names)) : { killed: [], failures: [] };
  if (state.removePrivsepDir) removePrivsepDir();
  if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  const left = state.processes.running().map((e) => ({ name: e.name, pid: e.pid }));
  state.cleanup = { namespacesRemoved: state.names ? Object.values(state.names) : [], killedInSweep: swept.killed, failures: swept.failures, stillAlive: left };
  return state.cleanup;
}

function teardownNow(state) {
  if (state.tornDown) return;
  state.tornDown = true;
  state.processes.killAllNow();
  if (state.names) removeNamespaces(Object.values(state.names));
  if (state.removePrivsepDir) removePrivsepDir();
  if (state.dir) rmSync(state.dir, { recursive: true, force: true });
}

function printSummary(summary) {
  const c = summary.capture;
  const lines = [
    `scenario ${summary.scenario}, seed ${summary.seed}, ${summary.trafficSeconds.toFixed(1)} s of traffic`,
    `capture   ${c.packets} packets, ${(c.bytes / 1e6).toFixed(1)} MB with ${c.tool}${c.droppedByKernel ? ` (${c.droppedByKernel} dropped by the kernel)` : ''}`,
    `          ${c.pcap}${c.csv ? `\n          ${c.csv}` : ''}`,
    `labels    ${summary.labels}`,
    `normal    ${Object.entries(summary.normalTraffic).map(([k, v]) => `${k} ${v.runs}${v.failures ? ` (${v.failures} failed)` : ''}`).join(', ')}`,
  ];
  for (const w of summary.attacks) {
    lines.push(`attack    ${w.class.padEnd(10)} ${new Date(w.start * 1000).toISOString()} .. ${new Date(w.end * 1000).toISOString()}  ${w.seconds.toFixed(1)} s  ${w.detail}`);
  }
  for (const s of summary.skippedAttacks) lines.push(`skipped   ${s.attack}: ${s.reason}`);
  lines.push(`cleanup   ${summary.cleanup.namespacesRemoved.length} namespaces removed, ${summary.pids.length} processes started and stopped`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv) {
  let opts;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    if (err.message) process.stderr.write(`lab: ${err.message}\n`);
    return err.code ?? EXIT.failure;
  }
  if (process.platform !== 'linux') {
    log('the lab needs Linux network namespaces');
    return EXIT.unavailable;
  }
  if (process.geteuid?.() !== 0) {
    log('the lab needs root: it creates network namespaces and captures packets. Run it with sudo: sudo npm run lab -- --scenario mixed');
    return EXIT.noPermission;
  }
  if (!hasCommand('ip')) log('iproute2 (`ip`) is missing; it will be installed with the other tools');
  const state = { processes: new LabProcesses({ home: tmpdir(), log }), names: null, dir: null, tornDown: false, cleanup: null };
  const controller = new AbortController();
  let signalled = null;
  const onSignal = (signal) => {
    if (signalled) {
      log(`second ${signal}: removing everything now`);
      teardownNow(state);
      process.exit(EXIT.interrupted);
    }
    signalled = signal;
    log(`${signal}: stopping the lab and removing its namespaces ...`);
    controller.abort();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const onExit = () => teardownNow(state); // last resort when something throws past the finally below
  process.on('exit', onExit);
  let code = EXIT.ok;
  let summary = null;
  try {
    summary = await runLab(opts, state, controller.signal);
    if (!summary) {
      code = EXIT.interrupted;
      log(`interrupted: no labels were written, and a capture at ${opts.out} would be partial`);
    }
  } catch (err) {
    code = err instanceof LabExit ? err.code : EXIT.failure;
    log(err instanceof LabExit ? err.message : `failed: ${err.stack ?? err}`);
  } finally {
    const cleanup = await teardown(state);
    if (cleanup.failures.length > 0 || cleanup.stillAlive.length > 0) {
      log(`cleanup incomplete: ${JSON.stringify(cleanup)}`);
      if (code === EXIT.ok) code = EXIT.failure;
    }
    for (const s of signals) process.removeListener(s, onSignal);
    process.removeListener('exit', onExit);
  }
  if (signalled) code = signalled === 'SIGINT' ? EXIT.interrupted : 128 + (signalled === 'SIGTERM' ? 15 : 1);
  const report = summary ?? { interrupted: signalled !== null, exitCode: code };
  report.pids = state.processes.pids();
  report.namespaces = state.names ? Object.values(state.names) : [];
  report.cleanup = state.cleanup;
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (summary) printSummary(report);
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
