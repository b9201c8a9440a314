// `netml traceroute`: UDP probes with increasing TTL (ports 33434 and up, as the classic traceroute), their
// ICMP / ICMPv6 answers (time exceeded from routers, port unreachable from the target) read through libpcap
// on the route's interface and matched to their probe by the UDP header the ICMP message quotes.
// The quote parser (icmpAnswerOf) is pure and could move to src/decode; the rest is wiring and timing.

import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import type { LiveCapture } from '../capture/live-capture.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { PacketMeta, TunnelKind } from '../decode/packet-meta.js';
import { ExitCode, NetmlError, UsageError } from '../errors.js';
import { ipv4String, ipv6String } from '../viz/packet-record.js';
import { formatHop, formatTraceHeading, type HopResult, hopEndsTrace, type ProbeAnswer, unreachableMark } from '../viz/traceroute-report.js';
import { Interruption } from './interruption.js';
import type { CliIo } from './main.js';
import { parsePositiveInt, parsePositiveNumber } from './option-parsers.js';

export interface TracerouteOptions {
  maxHops: number;
  probes: number;
  timeout: number;
  port: number;
  interface?: string;
  json?: boolean;
}

/** The original project's default target. */
export const DEFAULT_TARGET = '8.8.8.8';
/** traceroute's base port: 33434 + probe number, unlikely to be open on the target */
export const FIRST_PORT = 33434;
/** hops probed at once: the first window, doubled each round up to traceroute's default -N 16 */
const FIRST_WINDOW = 2;
const MAX_WINDOW = 16;
/** how long close() waits for the capture to wind down before returning anyway */
const CLOSE_WAIT_MS = 100;
const PAYLOAD = Buffer.from('netml traceroute probe.........'); // 32 bytes, as traceroute's default 60-byte IPv4 packet

const EXAMPLES = `
Examples:
  sudo netml traceroute                         the route to ${DEFAULT_TARGET}
  sudo netml traceroute example.org --max-hops 20 --probes 1
  sudo netml traceroute 2001:db8::1 --timeout 1 --json

Each hop line shows who answered and the round-trip time of each probe, "*" when no answer came within
--timeout seconds; !N !H !P !X mark network, host, protocol or administratively unreachable answers.
Reading the ICMP answers needs root or CAP_NET_RAW: run with sudo, or once
  sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(which node)")"
Exit codes: 0 done (reached or not: see the last line), 64 bad usage, 68 unknown host, 77 no permission, 130 interrupted.`;

export function registerTraceroute(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('traceroute')
    .summary(`print the routers on the way to a host (default ${DEFAULT_TARGET}) and their round-trip times`)
    .description('Send UDP probes with TTL 1, 2, 3... and report which router answered each with ICMP time exceeded, until the target answers.')
    .argument('[target]', 'host name or IPv4/IPv6 address', DEFAULT_TARGET)
    .option('-m, --max-hops <n>', 'largest TTL tried (1-255)', parseHops, 30)
    .option('-q, --probes <n>', 'probes per hop (1-10)', parseProbes, 3)
    .option('-w, --timeout <seconds>', 'how long to wait for the answers of a hop', parsePositiveNumber, 2)
    .option('-p, --port <n>', 'UDP destination port of the first probe; each probe uses the next one', parsePort, FIRST_PORT)
    .option('-i, --interface <name>', "interface to read the answers on (default: the route's interface, from `ip route get`)")
    .option('--json', 'print the hops as JSON on stdout at the end instead of lines as they come')
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, opts: TracerouteOptions) => {
      result.exitCode = await tracerouteCommand(target, opts, io);
    });
}

function parseHops(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 255) throw new InvalidArgumentError(`a TTL is at most 255, got ${n}`);
  return n;
}

function parseProbes(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 10) throw new InvalidArgumentError(`at most 10 probes per hop, got ${n}`);
  return n;
}

function parsePort(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 65535) throw new InvalidArgumentError(`a port is at most 65535, got ${n}`);
  return n;
}

export interface TraceReport {
  target: string;
  address: string;
  interface: string;
  reached: boolean;
  interrupted: boolean;
  hops: HopResult[];
}

async function tracerouteCommand(target: string, opts: TracerouteOptions, io: CliIo): Promise<number> {
  if (opts.port + opts.maxHops * opts.probes - 1 > 65535) {
    throw new UsageError(`--port ${opts.port} leaves no room for ${opts.maxHops * opts.probes} probes below port 65536`, 'choose a lower --port');
  }
  const address = await resolveTarget(target);
  const family: 4 | 6 = isIP(address) === 6 ? 6 : 4;
  const interfaceName = opts.interface ?? routeInterface(address);
  const { openLiveCapture } = await import('../capture/live-capture.js');
  // opened before the first probe leaves, so no answer can come before we listen
  const capture = await openLiveCapture({ interfaceName, filter: 'icmp or icmp6', snapLen: 512, promiscuous: false });
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const tracer = new Tracer(capture, socket, address, family, opts.port);
  const interruption = new Interruption({ then: () => tracer.cancel() });
  let hops: HopResult[] = [];
  try {
    await tracer.start();
    if (!opts.json) io.stdout.write(`${formatTraceHeading(target, address, opts.maxHops, opts.probes, opts.port, capture.interfaceName)}\n`);
    hops = await tracer.trace(opts.maxHops, opts.probes, opts.timeout * 1000, (hop) => {
      if (!opts.json) io.stdout.write(`${formatHop(hop)}\n`);
    });
  } finally {
    interruption.release();
    await tracer.close();
  }
  const last = hops[hops.length - 1];
  const reached = last !== undefined && last.probes.some((p) => p !== null && p.kind === 'port-unreachable' && p.address === address);
  if (opts.json) {
    const report: TraceReport = { target, address, interface: capture.interfaceName, reached, interrupted: interruption.interrupted, hops };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (!reached && !interruption.interrupted) {
    const why = last && hopEndsTrace(last) ? 'a router reported it unreachable' : `no answer from it within ${opts.maxHops} hops`;
    io.stdout.write(`${address} not reached: ${why}\n`);
  }
  return interruption.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

async function resolveTarget(target: string): Promise<string> {
  if (isIP(target) !== 0) return target;
  try {
    return (await lookup(target)).address;
  } catch (err) {
    // EX_NOHOST (68): the name does not resolve
    throw new NetmlError(`cannot resolve "${target}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 68, 'check the name, or give an IP address', { cause: err });
  }
}

/** The interface the kernel would send to `address` through, from `ip route get`; undefined lets libpcap's default apply. */
export function routeInterface(address: string): string | undefined {
  try {
    const out = execFileSync('ip', ['-j', ...(isIP(address) === 6 ? ['-6'] : []), 'route', 'get', address], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    const routes = JSON.parse(out) as { dev?: string }[];
    return routes[0]?.dev;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Probing

interface Pending {
  ttl: number;
  probe: number;
  /** wall-clock send time in ms, comparable with libpcap's timestamps */
  sentAtMs: number;
  answer: ProbeAnswer | null;
}

class Tracer {
  private readonly capture: LiveCapture;
  private readonly socket: Socket;
  private readonly target: string;
  private readonly family: 4 | 6;
  private readonly firstPort: number;
  private sourcePort = 0;
  private nextSeq = 0;
  private readonly pending = new Map<number, Pending>();
  private wake: (() => void) | undefined;
  private cancelled = false;
  private reader: Promise<void> | undefined;
  private readError: unknown;

  constructor(capture: LiveCapture, socket: Socket, target: string, family: 4 | 6, firstPort: number) {
    this.capture = capture;
    this.socket = socket;
    this.target = target;
    this.family = family;
    this.firstPort = firstPort;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(0, () => {
        this.socket.removeListener('error', reject);
        resolve();
      });
    });
    this.socket.on('error', () => undefined); // send errors are reported by send's callback
    this.sourcePort = this.socket.address().port;
    this.reader = this.readAnswers().catch((err) => {
      this.readError = err;
      this.wake?.();
    });
  }

  private async readAnswers(): Promise<void> {
    const meta = new PacketMeta();
    for await (const batch of this.capture.batches()) {
      for (let i = 0; i < batch.count; i++) {
        const start = batch.start[i];
        const end = start + batch.capLen[i];
        decodeFrame(batch.bytes, start, end, batch.linkType[i], meta, batch.wireLen[i]);
        const a = icmpAnswerOf(meta, end);
        if (!a || a.quotedSrcPort !== this.sourcePort || a.quotedDst !== this.target) continue;
        const p = this.pending.get(a.quotedDstPort);
        if (!p || p.answer !== null) continue;
        const atMs = batch.tsSec[i] * 1000 + batch.tsNsec[i] / 1e6;
        // microseconds: the resolution of libpcap's timestamps
        p.answer = { address: a.from, rttMs: Math.round(Math.max(0, atMs - p.sentAtMs) * 1000) / 1000, kind: a.kind, mark: a.mark };
        this.wake?.();
      }
    }
  }

  /**
   * Probes TTL 1..maxHops in windows of hops sent at once, 2, 4, 8 then 16 hops wide: libpcap hands frames
   * over only when its buffer timeout (1 s) retires a block, so one hop at a time would cost a second per hop;
   * growing windows keep the probes sent past the target few, since a Linux target answers only a burst of 6
   * port unreachables and then one a second (icmp_ratelimit), and those probes would eat its answers.
   * Hops are reported in order through onHop as soon as they are complete (every probe answered) or the
   * window's timeout has passed; the trace ends at the first hop whose answer ends it (the target, or !N/!H...).
   */
  async trace(maxHops: number, probes: number, timeoutMs: number, onHop: (hop: HopResult) => void): Promise<HopResult[]> {
    const done: HopResult[] = [];
    for (let first = 1, size = FIRST_WINDOW; first <= maxHops && !this.cancelled; first += size, size = Math.min(MAX_WINDOW, size * 2)) {
      const last = Math.min(maxHops, first + size - 1);
      const ports: number[][] = [];
      for (let ttl = first; ttl <= last; ttl++) ports.push(await this.send(ttl, probes));
      const deadline = performance.now() + timeoutMs;
      let next = 0; // index in this window of the next hop to report
      for (;;) {
        if (this.readError !== undefined) throw this.readError;
        const expired = performance.now() >= deadline || this.cancelled;
        while (next < ports.length) {
          const answers = ports[next].map((port) => this.pending.get(port)!.answer);
          if (!expired && answers.some((a) => a === null)) break;
          if (this.cancelled) return done;
          const hop: HopResult = { hop: first + next, probes: answers };
          done.push(hop);
          onHop(hop);
          next++;
          if (hopEndsTrace(hop)) return done;
        }
        if (next === ports.length) break;
        await this.sleepUntil(deadline);
      }
    }
    return done;
  }

  /** Sends `probes` probes with this TTL, each to the next port; returns the ports. */
  private async send(ttl: number, probes: number): Promise<number[]> {
    this.socket.setTTL(ttl);
    const ports: number[] = [];
    for (let probe = 0; probe < probes; probe++) {
      const port = this.firstPort + this.nextSeq++;
      this.pending.set(port, { ttl, probe, sentAtMs: performance.timeOrigin + performance.now(), answer: null });
      ports.push(port);
      await new Promise<void>((resolve, reject) => {
        this.socket.send(PAYLOAD, port, this.target, (err) => {
          if (err) reject(sendError(err, this.target));
          else resolve();
        });
      });
    }
    return ports;
  }

  /** Resolves at `deadline` (performance.now() time) or at the next answer, whichever comes first. */
  private sleepUntil(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, Math.max(0, deadline - performance.now()));
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    try {
      this.socket.close();
    } catch {
      /* never bound */
    }
    this.capture.stop();
    // libpcap drains for up to its buffer timeout after stop(); a trace that is over needs none of it
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.reader, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}

function sendError(err: Error, target: string): NetmlError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') {
    return new NetmlError(`no route to ${target} (${code})`, ExitCode.failure, 'check `ip route`: this host has no way to that network');
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new NetmlError(`sending a UDP probe to ${target} was refused (${code})`, ExitCode.noPermission, 'a firewall rule on this host blocks it, or the address is a broadcast address');
  }
  return new NetmlError(`sending a UDP probe to ${target} failed: ${err.message}`, ExitCode.failure, undefined, { cause: err });
}

// ---------------------------------------------------------------------------------------------------------
// ICMP answers (pure)

export interface IcmpAnswer {
  /** who sent the ICMP message */
  from: string;
  family: 4 | 6;
  kind: ProbeAnswer['kind'];
  mark: string;
  /** the quoted (original) datagram's destination address and UDP ports */
  quotedDst: string;
  quotedSrcPort: number;
  quotedDstPort: number;
}

const ICMP_HEADER = 8;
const UDP = 17;

/**
 * An ICMP time-exceeded or destination-unreachable message (RFC 792 / RFC 4443) that quotes a UDP datagram,
 * from a frame decoded into `meta` that ends at `frameEnd` in meta.bytes; undefined for anything else (echo,
 * other ICMP, truncated quotes, tunnels). The ICMP header starts ipLen - (payloadLen + 8) bytes after the IP
 * header, whatever extension headers came between.
 */
export function icmpAnswerOf(meta: PacketMeta, frameEnd: number = meta.bytes.length): IcmpAnswer | undefined {
  if (meta.tunnel !== TunnelKind.none || meta.icmpType < 0 || meta.payloadLen < 0 || meta.srcAddrOffset < 0) return undefined;
  const b = meta.bytes;
  let family: 4 | 6;
  let ipStart: number;
  let kind: ProbeAnswer['kind'];
  let mark = '';
  if (meta.ipVersion === 4 && meta.ipProto === 1) {
    family = 4;
    ipStart = meta.srcAddrOffset - 12;
    if (meta.icmpType === 11) kind = 'time-exceeded';
    else if (meta.icmpType === 3) {
      kind = meta.icmpCode === 3 ? 'port-unreachable' : 'unreachable';
      if (kind === 'unreachable') mark = unreachableMark(4, meta.icmpCode);
    } else return undefined;
  } else if (meta.ipVersion === 6 && meta.ipProto === 58) {
    family = 6;
    ipStart = meta.srcAddrOffset - 8;
    if (meta.icmpType === 3) kind = 'time-exceeded';
    else if (meta.icmpType === 1) {
      kind = meta.icmpCode === 4 ? 'port-unreachable' : 'unreachable';
      if (kind === 'unreachable') mark = unreachableMark(6, meta.icmpCode);
    } else return undefined;
  } else return undefined;
  const icmp = ipStart + meta.ipLen - (meta.payloadLen + ICMP_HEADER);
  const quote = icmp + ICMP_HEADER;
  const end = Math.min(frameEnd, b.length);
  let udp: number;
  let quotedDst: string;
  if (family === 4) {
    if (quote + 20 > end || b[quote] >> 4 !== 4 || b[quote + 9] !== UDP) return undefined;
    udp = quote + (b[quote] & 0x0f) * 4;
    quotedDst = ipv4String(b, quote + 16);
  } else {
    if (quote + 40 > end || b[quote] >> 4 !== 6 || b[quote + 6] !== UDP) return undefined;
    udp = quote + 40;
    quotedDst = ipv6String(b, quote + 24);
  }
  if (udp + 4 > end) return undefined;
  return {
    from: family === 4 ? ipv4String(b, meta.srcAddrOffset) : ipv6String(b, meta.srcAddrOffset),
    family,
    kind,
    mark,
    quotedDst,
    quotedSrcPort: (b[udp] << 8) | b[udp + 1],
    quotedDstPort: (b[udp + 2] << 8) | b[udp + 3],
  };
}
