// Live frames from libpcap through node_pcap 3.1.0, behind a wrapper that hides its traps: the addon is loaded
// lazily (file reading must work where it did not build), every frame is copied out of its reused buffer into
// FrameBatch arenas, stop() drains what libpcap already counted, and the statistics add up exactly.

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { CaptureDeviceError, NetmlError, PermissionError, UnknownInterfaceError, UsageError } from '../errors.js';
import { createFrameBatch, type FrameBatch } from './frame-batch.js';

export interface LiveCaptureOptions {
  /** default: pickDefaultInterface() (the first interface that is up and not loopback) */
  interfaceName?: string;
  /** BPF filter in tcpdump syntax, compiled and run in the kernel by libpcap */
  filter?: string;
  snapLen: number;
  promiscuous: boolean;
  /** size of libpcap's kernel ring; node_pcap's default is 10 MB */
  bufferSizeBytes?: number;
  /** bytes of frames kept queued for a consumer slower than the wire before netml drops (default 64 MiB) */
  maxQueuedBytes?: number;
}

/**
 * Counters from libpcap's pcap_stats plus netml's own. Every frame yielded by batches() is accounted for:
 * yielded = received - droppedByKernel - droppedByNetml. `droppedByInterface` (ps_ifdrop, the interface's
 * rx_dropped since the capture opened) counts frames the driver dropped before any socket saw them, so it is
 * not part of `received`; it is reported for the user, not subtracted.
 * On a loopback interface the kernel counts every frame twice (once leaving, once arriving; libpcap discards
 * the outgoing copy), so `received` and `droppedByKernel` are halved there, which is exact while nothing drops.
 */
export interface LiveCaptureStats {
  /** frames that passed the filter and reached libpcap's ring (ps_recv), including those then dropped */
  received: number;
  /** frames the kernel dropped because the ring was full (ps_drop) */
  droppedByKernel: number;
  /** frames the interface dropped (ps_ifdrop); not included in `received` */
  droppedByInterface: number;
  /** frames libpcap delivered that netml dropped because the consumer fell maxQueuedBytes behind, or that were still in the ring when stop() gave up waiting */
  droppedByNetml: number;
}

export interface LiveCapture {
  readonly interfaceName: string;
  /** LINKTYPE_* number of the frames */
  readonly linkType: number;
  readonly snapLen: number;
  /** messages libpcap sent while opening (e.g. "no IPv4 address assigned": only `ip broadcast` filters suffer) */
  readonly warnings: readonly string[];
  /** Batches of copied frames; each batch is valid until the next one is requested. Ends after stop() once every frame libpcap had counted at that moment has been yielded. Iterable once; leaving the loop early stops the capture. */
  batches(): AsyncIterable<FrameBatch>;
  /** Idempotent and safe from a signal handler: it only schedules the drain. */
  stop(): void;
  /** Live counters while capturing; the counters of the moment of stop() once stopping. */
  stats(): LiveCaptureStats;
  /** Resolves with the final statistics once libpcap's handle is closed (never rejects). */
  whenClosed(): Promise<LiveCaptureStats>;
}

// ---------------------------------------------------------------------------------------------------------
// The slice of node_pcap 3.1.0 we use: its native binding, driven directly (pcap_session.cc is the reference).
// pcap.js would add a uv_poll handle that keeps the event loop alive after close() until one more packet
// arrives, and an EventEmitter hop with an object per packet; we poll with a timer instead.

interface PcapRawStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}

interface PcapBindingSession {
  /** returns a name like 'LINKTYPE_ETHERNET' or 'Unknown linktype N'; throws libpcap's message as a plain Error */
  open_live(
    device: string,
    filter: string,
    bufferSizeBytes: number,
    snapLen: number,
    dumpPath: string,
    onPacket: () => void,
    monitorMode: boolean,
    bufferTimeoutMs: number,
    onWarning: (message: string) => void,
    promiscuous: boolean,
  ): string;
  /**
   * Loops pcap_dispatch(1) until it returns <= 0 and returns that value (0 drained, -1 error, -2 after close,
   * when it also runs pcap_close: never call it again then). `onPacket` runs once per frame, synchronously,
   * after the frame was copied into `packetBuffer` (cut to its length) and its header into `headerBuffer`
   * as tv_sec, tv_usec, caplen, len: 32-bit host-order integers.
   */
  dispatch(packetBuffer: Buffer, headerBuffer: Buffer): number;
  /** only pcap_breakloop() (and closing a dump file) */
  close(): void;
  stats(): PcapRawStats;
}

export interface PcapDevice {
  name: string;
  description?: string;
  /** sparse: non-IP address families leave holes (undefined/null entries) */
  addresses: ({ addr?: string; netmask?: string; broadaddr?: string; dstaddr?: string } | null | undefined)[];
  /** only ever 'PCAP_IF_LOOPBACK' in 3.1.0 */
  flags?: string;
}

export interface PcapAddon {
  PcapSession: new () => PcapBindingSession;
  findalldevs(): PcapDevice[];
  lib_version(): string;
}

let cachedAddon: PcapAddon | undefined;

/**
 * Loads node_pcap's native binding on first use. `packageName` exists for tests. Any failure (not installed,
 * built for another Node ABI, libpcap.so missing) becomes one CaptureDeviceError that says how to fix it.
 */
export function loadPcapAddon(packageName = 'pcap'): PcapAddon {
  if (packageName === 'pcap' && cachedAddon) return cachedAddon;
  try {
    const require = createRequire(import.meta.url);
    // the path pcap.js itself loads; requiring pcap.js would also load its decoder, which we never use
    const bindingPath = join(dirname(require.resolve(packageName)), 'build', 'Release', 'pcap_binding.node');
    const addon = require(bindingPath) as PcapAddon;
    if (typeof addon.PcapSession !== 'function' || typeof addon.findalldevs !== 'function') {
      throw new Error(`${bindingPath} does not look like node_pcap's binding (no PcapSession/findalldevs)`);
    }
    if (packageName === 'pcap') cachedAddon = addon;
    return addon;
  } catch (err) {
    const why = ((err as Error)?.message ?? String(err)).split('\n')[0];
    throw new CaptureDeviceError(
      `live capture needs the optional "pcap" addon (node_pcap), which could not be loaded: ${why}`,
      'install libpcap-dev (sudo apt-get install libpcap-dev) and run `npm rebuild pcap`; reading files with --read works without it',
      { cause: err },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Link types. node_pcap returns a name for five DLTs and "Unknown linktype N" (N = pcap_datalink) otherwise.

const LINKTYPE_BY_PCAP_NAME: Readonly<Record<string, number>> = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  LINKTYPE_IEEE802_11_RADIO: 127,
};

// DLT_* values that differ from their LINKTYPE_* number (libpcap's dlt_to_linktype in pcap-common.c); from
// 104 up, and below 11, the two numbering spaces agree.
const LINKTYPE_BY_DLT: Readonly<Record<number, number>> = {
  11: 100, // DLT_ATM_RFC1483
  12: 101, // DLT_RAW (most platforms)
  14: 101, // DLT_RAW (OpenBSD)
  15: 102, // DLT_SLIP_BSDOS
  16: 103, // DLT_PPP_BSDOS
  19: 106, // DLT_ATM_CLIP
  50: 50, // DLT_PPP_SERIAL
  51: 51, // DLT_PPP_ETHER
};

/** Turns node_pcap's link_type string into a LINKTYPE_* number. */
export function linkTypeFromPcapName(name: string, interfaceName: string): number {
  const known = LINKTYPE_BY_PCAP_NAME[name];
  if (known !== undefined) return known;
  const unknown = /^Unknown linktype (\d+)$/.exec(name);
  if (unknown) {
    const dlt = Number(unknown[1]);
    const mapped = LINKTYPE_BY_DLT[dlt];
    if (mapped !== undefined) return mapped;
    if (dlt <= 10 || dlt >= 104) return dlt;
    throw new CaptureDeviceError(
      `libpcap opened ${interfaceName} with data link type DLT ${dlt}, which has no LINKTYPE number netml knows`,
      'capture on another interface, or record with tcpdump -w and read the file with --read',
    );
  }
  throw new CaptureDeviceError(`node_pcap reported the link type of ${interfaceName} as "${name}", which netml does not understand`);
}

// ---------------------------------------------------------------------------------------------------------
// Errors from opening. libpcap's messages are the only signal node_pcap passes on (it throws a plain Error
// with pcap_geterr or errbuf), so they are matched by text.

const PERMISSION_MESSAGE = /permission|operation not permitted|EPERM|EACCES/i;
const NO_DEVICE_MESSAGE = /no such device|doesn't exist|does not exist/i;
// Messages that come from opening the device rather than from compiling the filter (pcap_create/activate,
// node_pcap's own setters, the socket and ring setup in pcap-linux.c).
const DEVICE_STAGE_MESSAGE = /^(error setting|couldn't|socket:|bind|SIOC|setsockopt|can't mmap|mmap|ioctl|pcap open|pcap_activate)|that device|not up|went down|monitor mode/i;

/** Maps an exception from node_pcap's open_live to the NetmlError a user can act on. */
export function openErrorFromPcap(err: unknown, interfaceName: string, filter: string | undefined, availableInterfaces: () => string[]): NetmlError {
  if (err instanceof NetmlError) return err;
  const message = ((err as Error)?.message ?? String(err)).trim();
  if (PERMISSION_MESSAGE.test(message)) {
    return new PermissionError(`no permission to capture on ${interfaceName}: libpcap says "${message}"`, undefined, { cause: err });
  }
  if (NO_DEVICE_MESSAGE.test(message)) {
    return new UnknownInterfaceError(interfaceName, availableInterfaces());
  }
  if (filter && !DEVICE_STAGE_MESSAGE.test(message)) {
    return new UsageError(
      `bad capture filter '${filter}': libpcap says "${message}"`,
      "filters use tcpdump syntax (man pcap-filter), e.g. -f 'udp port 53' or -f 'tcp and host 10.0.0.1'",
    );
  }
  return new CaptureDeviceError(`cannot capture on ${interfaceName}: libpcap says "${message}"`, 'run with --debug for details; `ip link` shows the interfaces and their state', {
    cause: err,
  });
}

function interfaceNamesFrom(addon: PcapAddon): string[] {
  try {
    return addon.findalldevs().map((d) => d.name);
  } catch {
    try {
      return readdirSync('/sys/class/net').sort();
    } catch {
      return [];
    }
  }
}

const IFF_LOOPBACK = 0x8;

function isLoopbackByName(name: string): boolean {
  if (name.includes('/')) return false;
  try {
    return (Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16) & IFF_LOOPBACK) !== 0;
  } catch {
    return name === 'lo';
  }
}

// ---------------------------------------------------------------------------------------------------------

/** TPACKET_V3 hands a block to user space when it is full or this many ms after it opened: node_pcap's default (0 = immediate mode lost 2-53% of packets in our measurements). */
const BUFFER_TIMEOUT_MS = 1000;
/** node_pcap's default kernel ring */
const DEFAULT_BUFFER_SIZE_BYTES = 10 * 1024 * 1024;
/** libpcap's MAXIMUM_SNAPLEN, which it uses for snaplen 0 */
const MAXIMUM_SNAPLEN = 262144;
/** one nonblocking pcap_dispatch per tick drains every retired block; a 10 MB ring lasts far longer than 5 ms at 10 Gbit/s */
const POLL_INTERVAL_MS = 5;
/** after stop(), how long past the block timeout we wait for the frames libpcap already counted */
const STOP_GRACE_MS = 500;
/** after close, how often we try to let node_pcap run pcap_close (it does so on the first dispatch that sees a frame) */
const RELEASE_POLL_MS = 200;
const FRAMES_PER_BATCH = 2048;
const ARENA_START_BYTES = 64 * 1024;
/** a batch is sealed before its arena would grow past this (unless one frame alone needs more) */
const ARENA_MAX_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const HOST_LITTLE_ENDIAN = endianness() === 'LE';

type State = 'running' | 'stopping' | 'closed';

export async function openLiveCapture(options: LiveCaptureOptions): Promise<LiveCapture> {
  const addon = loadPcapAddon();
  let interfaceName = options.interfaceName;
  if (interfaceName === undefined || interfaceName === '') {
    const { pickDefaultInterface } = await import('./interfaces.js');
    interfaceName = pickDefaultInterface();
  }
  if (!Number.isInteger(options.snapLen) || options.snapLen < 0 || options.snapLen > MAXIMUM_SNAPLEN) {
    throw new UsageError(`snap length must be a whole number of bytes from 0 to ${MAXIMUM_SNAPLEN} (0 means ${MAXIMUM_SNAPLEN}), got ${options.snapLen}`);
  }
  // node_pcap sizes the frame buffer by the snap length it was given, so 0 would copy nothing of any frame
  const snapLen = options.snapLen === 0 ? MAXIMUM_SNAPLEN : options.snapLen;
  const bufferSizeBytes = options.bufferSizeBytes ?? DEFAULT_BUFFER_SIZE_BYTES;
  if (!Number.isInteger(bufferSizeBytes) || bufferSizeBytes <= 0 || bufferSizeBytes > 0x7fffffff) {
    throw new UsageError(`capture buffer size must be a whole number of bytes below 2 GiB, got ${bufferSizeBytes}`);
  }
  const warnings: string[] = [];
  const session = new addon.PcapSession();
  let capture: PcapLiveCapture | undefined;
  let linkName: string;
  try {
    linkName = session.open_live(
      interfaceName,
      options.filter ?? '',
      bufferSizeBytes,
      snapLen,
      '',
      () => capture?.onFrame(),
      false,
      BUFFER_TIMEOUT_MS,
      (message) => warnings.push(String(message)),
      options.promiscuous,
    );
  } catch (err) {
    throw openErrorFromPcap(err, interfaceName, options.filter, () => interfaceNamesFrom(addon));
  }
  let linkType: number;
  try {
    linkType = linkTypeFromPcapName(linkName, interfaceName);
  } catch (err) {
    session.close();
    throw err;
  }
  capture = new PcapLiveCapture(session, interfaceName, linkType, snapLen, warnings, isLoopbackByName(interfaceName), options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES);
  return capture;
}

class PcapLiveCapture implements LiveCapture {
  readonly interfaceName: string;
  readonly linkType: number;
  readonly snapLen: number;
  readonly warnings: readonly string[];

  private readonly session: PcapBindingSession;
  private readonly loopback: boolean;
  private readonly maxQueuedBytes: number;
  /** libpcap copies every frame here, cut to the snap length: reused, so each frame is copied out */
  private readonly frameBuffer: Buffer;
  private readonly headerBuffer = Buffer.alloc(16);
  private readonly header: DataView;
  private pollTimer: NodeJS.Timeout | undefined;

  private state: State = 'running';
  /** set once dispatch returned -2: node_pcap has run pcap_close, and dispatch must never run again */
  private finalized = false;
  private inDispatch = false;
  private failure: Error | undefined;

  /** frames libpcap handed to us, including the ones we dropped */
  private delivered = 0;
  private droppedByQueue = 0;
  private lostAtStop = 0;
  /** number of delivered frames that the stats read at stop() cover; later ones arrived after stop() and are ignored */
  private stopTarget = Number.POSITIVE_INFINITY;
  private stopDeadline = 0;
  private frozenStats: PcapRawStats | undefined;
  private readonly closedWaiters: ((s: LiveCaptureStats) => void)[] = [];

  private current: FrameBatch | undefined;
  private currentBytes = 0;
  private readonly ready: FrameBatch[] = [];
  private readonly readyBytes: number[] = [];
  private readonly spare: FrameBatch[] = [];
  private queuedBytes = 0;
  private nextPacketNumber = 1;
  private wakeConsumer: (() => void) | undefined;
  private iterated = false;

  constructor(session: PcapBindingSession, interfaceName: string, linkType: number, snapLen: number, warnings: string[], loopback: boolean, maxQueuedBytes: number) {
    this.session = session;
    this.interfaceName = interfaceName;
    this.linkType = linkType;
    this.snapLen = snapLen;
    this.warnings = warnings;
    this.loopback = loopback;
    this.maxQueuedBytes = maxQueuedBytes;
    this.frameBuffer = Buffer.alloc(snapLen);
    this.header = new DataView(this.headerBuffer.buffer, this.headerBuffer.byteOffset, 16);
    this.pollTimer = setInterval(() => this.poll(), POLL_INTERVAL_MS);
  }

  // --- producer side: libpcap -> batches ----------------------------------------------------------------

  /** Runs every POLL_INTERVAL_MS: takes every frame libpcap has, then seals them into one batch. */
  private poll(): void {
    this.dispatch();
    if (this.state === 'stopping' && (this.delivered >= this.stopTarget || (this.stopDeadline > 0 && Date.now() >= this.stopDeadline))) {
      this.finish();
    }
    this.seal();
  }

  private dispatch(): number {
    if (this.finalized || this.inDispatch) return 0;
    this.inDispatch = true;
    let result: number;
    try {
      result = this.session.dispatch(this.frameBuffer, this.headerBuffer);
    } finally {
      this.inDispatch = false;
    }
    if (result === -2) {
      this.finalized = true;
    } else if (result === -1 && this.state !== 'closed') {
      this.failure = new CaptureDeviceError(
        `libpcap stopped reading from ${this.interfaceName}${existsInterface(this.interfaceName) ? '' : ': the interface is gone'}`,
        'check `ip link`; the outputs hold every packet captured until then',
      );
      this.finish();
    }
    return result;
  }

  /** Called by node_pcap inside dispatch, once per frame, with the frame in frameBuffer and its header in headerBuffer. */
  onFrame(): void {
    if (this.state === 'closed' || this.delivered >= this.stopTarget) return;
    this.delivered++;
    const h = this.header;
    const capLen = Math.min(h.getUint32(8, HOST_LITTLE_ENDIAN), this.frameBuffer.length);
    if (this.queuedBytes + capLen > this.maxQueuedBytes) {
      this.droppedByQueue++;
      return;
    }
    let batch = this.current;
    if (batch === undefined || batch.count === FRAMES_PER_BATCH || !this.makeRoom(batch, capLen)) {
      if (batch !== undefined) this.seal();
      batch = this.startBatch();
      this.makeRoom(batch, capLen);
    }
    const i = batch.count;
    const at = this.currentBytes;
    this.frameBuffer.copy(batch.bytes, at, 0, capLen);
    batch.start[i] = at;
    batch.capLen[i] = capLen;
    batch.wireLen[i] = h.getUint32(12, HOST_LITTLE_ENDIAN);
    // node_pcap copies the low 4 bytes of time_t: exact until 2106 on little-endian hosts
    batch.tsSec[i] = h.getUint32(0, HOST_LITTLE_ENDIAN);
    batch.tsNsec[i] = h.getUint32(4, HOST_LITTLE_ENDIAN) * 1000;
    batch.linkType[i] = this.linkType;
    batch.interfaceId[i] = 0;
    batch.count = i + 1;
    this.currentBytes = at + capLen;
    this.queuedBytes += capLen;
  }

  /** Grows the current arena to take `capLen` more bytes; false when the batch should be sealed instead. */
  private makeRoom(batch: FrameBatch, capLen: number): boolean {
    const needed = this.currentBytes + capLen;
    if (needed <= batch.bytes.length) return true;
    if (batch.count > 0 && needed > ARENA_MAX_BYTES) return false;
    let size = Math.max(batch.bytes.length, ARENA_START_BYTES);
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(batch.bytes.subarray(0, this.currentBytes));
    batch.bytes = grown;
    return true;
  }

  private startBatch(): FrameBatch {
    const batch = this.spare.pop() ?? createFrameBatch(FRAMES_PER_BATCH);
    batch.count = 0;
    this.current = batch;
    this.currentBytes = 0;
    return batch;
  }

  private seal(): void {
    const batch = this.current;
    if (batch === undefined || batch.count === 0) return;
    batch.firstPacketNumber = this.nextPacketNumber;
    this.nextPacketNumber += batch.count;
    this.ready.push(batch);
    this.readyBytes.push(this.currentBytes);
    this.current = undefined;
    this.currentBytes = 0;
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  // --- stopping --------------------------------------------------------------------------------------------

  stop(): void {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    // Deferred: a signal handler or a consumer may run while we are inside pcap_dispatch.
    setImmediate(() => this.beginDrain());
  }

  private beginDrain(): void {
    if (this.state !== 'stopping') return;
    this.dispatch();
    if (this.state !== 'stopping') return;
    // Stats first, close later: the frames these counters cover are the ones we still owe the consumer. With
    // TPACKET_V3 a partly filled block reaches user space only when the block timeout retires it, so poll()
    // keeps dispatching until they arrive. The ring is FIFO, so frames past the target came after stop().
    const raw = this.readRawStats();
    this.frozenStats = raw;
    if (raw !== undefined) {
      if (!this.loopback) this.stopTarget = raw.ps_recv - raw.ps_drop;
      else if (raw.ps_drop === 0) this.stopTarget = Math.floor(raw.ps_recv / 2);
      // loopback with drops: which copy was dropped is unknown, so we wait out the block timeout instead
    }
    this.stopDeadline = Date.now() + BUFFER_TIMEOUT_MS + STOP_GRACE_MS;
    this.poll();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    if (this.frozenStats === undefined) this.frozenStats = this.readRawStats();
    if (Number.isFinite(this.stopTarget) && this.delivered < this.stopTarget) this.lostAtStop = this.stopTarget - this.delivered;
    this.state = 'closed';
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.seal();
    this.wake();
    this.release();
    const final = this.stats();
    for (const resolve of this.closedWaiters.splice(0)) resolve(final);
  }

  /**
   * node_pcap's close() is only pcap_breakloop(); pcap_close runs on the next dispatch that finds a frame
   * (it returns -2 then). An unref'd timer keeps trying, so the handle is freed when traffic comes and the
   * process can still exit by itself when none does.
   */
  private release(): void {
    try {
      this.session.close();
    } catch {
      return;
    }
    const timer = setInterval(() => {
      // -1: the device is gone and libpcap will never see the frame it needs to close; stop trying
      if (this.dispatch() === -1 || this.finalized) clearInterval(timer);
    }, RELEASE_POLL_MS);
    timer.unref();
  }

  private readRawStats(): PcapRawStats | undefined {
    if (this.finalized) return undefined;
    try {
      return this.session.stats();
    } catch {
      return undefined;
    }
  }

  stats(): LiveCaptureStats {
    const raw = this.frozenStats ?? this.readRawStats() ?? { ps_recv: this.delivered, ps_drop: 0, ps_ifdrop: 0 };
    // floor: an odd count means a frame was seen leaving lo but has not been counted arriving yet
    const received = this.loopback ? Math.floor(raw.ps_recv / 2) : raw.ps_recv;
    let droppedByKernel = this.loopback ? Math.floor(raw.ps_drop / 2) : raw.ps_drop;
    if (this.loopback && this.state === 'closed' && raw.ps_drop > 0) {
      // the frames we were given are exact; charge the rest of `received` to the kernel
      droppedByKernel = Math.max(0, received - this.delivered);
    }
    return {
      received,
      droppedByKernel,
      droppedByInterface: raw.ps_ifdrop,
      droppedByNetml: this.droppedByQueue + this.lostAtStop,
    };
  }

  whenClosed(): Promise<LiveCaptureStats> {
    if (this.state === 'closed') return Promise.resolve(this.stats());
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  // --- consumer side -----------------------------------------------------------------------------------------

  batches(): AsyncIterable<FrameBatch> {
    if (this.iterated) throw new Error('LiveCapture.batches() can be iterated only once');
    this.iterated = true;
    return this.iterate();
  }

  private async *iterate(): AsyncGenerator<FrameBatch> {
    let handedOut: FrameBatch | undefined;
    try {
      for (;;) {
        if (handedOut !== undefined) {
          this.spare.push(handedOut);
          handedOut = undefined;
        }
        const batch = this.ready.shift();
        if (batch !== undefined) {
          this.queuedBytes -= this.readyBytes.shift() ?? 0;
          handedOut = batch;
          yield batch;
          continue;
        }
        if (this.state === 'closed') {
          if (this.failure) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wakeConsumer = resolve;
        });
      }
    } finally {
      this.stop();
    }
  }
}

function existsInterface(name: string): boolean {
  if (name.includes('/')) return false;
  try {
    readFileSync(`/sys/class/net/${name}/flags`);
    return true;
  } catch {
    return false;
  }
}
