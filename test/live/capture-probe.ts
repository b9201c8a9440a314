// Runs src/capture/live-capture.ts inside a network namespace. A process cannot change namespace from
// JavaScript, so the modules are transpiled (no type check, no build of the rest of the tree) into a temp
// dir and a small probe script runs there under `ip netns exec`, reporting what it saw as JSON.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { type NamespaceRun, spawnInNamespace } from './netns.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MODULES = ['errors.ts', 'capture/frame-batch.ts', 'capture/live-capture.ts', 'capture/interfaces.ts'];

const PROBE = String.raw`
import { openLiveCapture } from './capture/live-capture.js';
import { listInterfaces, pickDefaultInterface } from './capture/interfaces.js';

const request = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const errorJson = (e) => ({ name: e?.name, message: e?.message, hint: e?.hint, exitCode: e?.exitCode });
const done = (o) => { out(o); if (request.exitExplicitly !== false) process.exit(0); };

if (request.action === 'interfaces') {
  let pick, pickError;
  try { pick = pickDefaultInterface(); } catch (e) { pickError = errorJson(e); }
  done({ interfaces: listInterfaces(), pick, pickError });
} else {
  let cap;
  try {
    cap = await openLiveCapture(request.capture);
  } catch (e) {
    done({ openError: errorJson(e) });
  }
  if (cap) await capture(cap);
}

async function capture(cap) {
  let stopAt;
  process.on('SIGINT', () => { stopAt = performance.now(); cap.stop(); });
  if (request.stopAfterMs !== undefined) setTimeout(() => { stopAt = performance.now(); cap.stop(); }, request.stopAfterMs);
  process.stderr.write('READY ' + cap.interfaceName + '\n');
  const r = { interfaceName: cap.interfaceName, linkType: cap.linkType, snapLen: cap.snapLen, warnings: cap.warnings,
    batches: 0, frames: 0, numberingOk: true, nonUdp: 0, linkTypes: [], payloads: [], tags: {}, outOfOrder: 0,
    first: undefined, tsMin: Infinity, tsMax: -Infinity, bytes: 0 };
  const lastSeq = {};
  let next = 1;
  const t0 = performance.now();
  let firstAt, lastAt;
  try {
    for await (const b of cap.batches()) {
      r.batches++;
      if (b.firstPacketNumber !== next) r.numberingOk = false;
      next += b.count;
      for (let i = 0; i < b.count; i++) {
        const f = b.bytes.subarray(b.start[i], b.start[i] + b.capLen[i]);
        r.frames++;
        r.bytes += b.capLen[i];
        if (!r.linkTypes.includes(b.linkType[i])) r.linkTypes.push(b.linkType[i]);
        const ts = b.tsSec[i] + b.tsNsec[i] / 1e9;
        r.tsMin = Math.min(r.tsMin, ts); r.tsMax = Math.max(r.tsMax, ts);
        if (f.length < 42 || f[12] !== 8 || f[13] !== 0 || f[23] !== 17) { r.nonUdp++; continue; }
        const ihl = (f[14] & 15) * 4, u = 14 + ihl;
        const text = Buffer.from(f.subarray(u + 8)).toString('latin1');
        const payload = text.slice(0, text.indexOf('.') < 0 ? text.length : text.indexOf('.'));
        if (r.first === undefined) r.first = { src: f.subarray(26, 30).join('.'), dst: f.subarray(30, 34).join('.'),
          srcPort: f[u] * 256 + f[u + 1], dstPort: f[u + 2] * 256 + f[u + 3], capLen: b.capLen[i], wireLen: b.wireLen[i], tsSec: b.tsSec[i], tsNsec: b.tsNsec[i] };
        const dash = payload.lastIndexOf('-');
        const tag = payload.slice(0, dash), seq = Number(payload.slice(dash + 1));
        r.tags[tag] = (r.tags[tag] ?? 0) + 1;
        if (lastSeq[tag] !== undefined && seq !== lastSeq[tag] + 1) r.outOfOrder++;
        lastSeq[tag] = seq;
        if (request.keepPayloads) r.payloads.push(payload);
      }
      firstAt ??= performance.now();
      lastAt = performance.now();
      if (request.breakAfter !== undefined && r.frames >= request.breakAfter) { stopAt = performance.now(); break; }
      if (request.slowConsumerMs) await new Promise((res) => setTimeout(res, request.slowConsumerMs));
      if (request.busyConsumerMs) { const until = performance.now() + request.busyConsumerMs; while (performance.now() < until); }
    }
  } catch (e) {
    r.iterationError = errorJson(e);
  }
  r.endedMs = performance.now() - t0;
  r.stopToEndMs = stopAt === undefined ? undefined : performance.now() - stopAt;
  r.firstToLastBatchMs = firstAt === undefined ? 0 : lastAt - firstAt;
  r.stats = cap.stats();
  r.closedStats = await cap.whenClosed();
  done(r);
}
`;

let built: string | undefined;

/** Transpiles the live-capture modules once per test file into a temp dir readable by every user. */
export function buildProbe(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'netml-live-probe-'));
  for (const rel of MODULES) {
    const source = readFileSync(join(ROOT, 'src', rel), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: rel,
    });
    const target = join(dir, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'probe.js'), PROBE);
  // mkdtemp makes it 0700; the permission test runs the probe as nobody
  for (const d of [dir, join(dir, 'capture')]) chmodSync(d, 0o755);
  built = dir;
  return dir;
}

export function removeProbe(): void {
  if (built) rmSync(built, { recursive: true, force: true });
  built = undefined;
}

export interface ProbeRequest {
  action?: 'capture' | 'interfaces';
  capture?: { interfaceName?: string; filter?: string; snapLen: number; promiscuous: boolean; bufferSizeBytes?: number; maxQueuedBytes?: number };
  stopAfterMs?: number;
  slowConsumerMs?: number;
  /** block the event loop this long after each batch, so the kernel ring overflows */
  busyConsumerMs?: number;
  /** leave the for-await loop once this many frames were seen */
  breakAfter?: number;
  keepPayloads?: boolean;
  /** false: let the process end by itself, to prove nothing keeps the event loop alive */
  exitExplicitly?: boolean;
}

/** Starts the probe in `ns` (optionally as another user through `setpriv`); it prints "READY <interface>" once open. */
export function runProbe(ns: string, request: ProbeRequest, options: { asUser?: number } = {}): NamespaceRun {
  const dir = buildProbe();
  return spawnInNamespace(ns, [process.execPath, join(dir, 'probe.js'), JSON.stringify(request)], {
    asUser: options.asUser,
    readyPattern: /^READY (.+)$/m,
    env: { NODE_PATH: join(ROOT, 'node_modules') },
  });
}
