// Builds small conversations from the project's own frame builder and runs them through the extract loop
// (decodeFrame -> FlowTable -> feature groups -> FlowCsvWriter) in memory, returning the parsed rows.

import Papa from 'papaparse';
import { createFrameBatch, type FrameBatch } from '../../src/capture/frame-batch.js';
import { FlowExtraction, type Extraction, type FlowExtractionOptions } from '../../src/io/flow-extraction.js';
import type { ByteSink, FlowCsvWriter } from '../../src/io/flow-csv-writer.js';
import { echoFrame, ipv4, ipv6, mac, tcpFrame, udpFrame, type IpAddr, type Mac } from '../../src/synth/frame-builder.js';

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const PSH = 8;
export const ACK = 16;

/** A ByteSink that keeps everything in memory. */
export class MemorySink implements ByteSink {
  buf = new Uint8Array(1 << 16);
  pos = 0;
  private readonly chunks: Uint8Array[] = [];

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
    if (n > this.buf.length) this.buf = new Uint8Array(n);
  }

  text(): string {
    return Buffer.concat([...this.chunks, this.buf.subarray(0, this.pos)]).toString('utf8');
  }
}

export interface TimedFrame {
  /** seconds since the epoch; microsecond precision is kept exactly */
  t: number;
  frame: Uint8Array;
}

/** Splits frames into FrameBatches of `size` (each batch with its own backing bytes, like a reader's chunks). */
export function batchesOf(frames: readonly TimedFrame[], size: number): FrameBatch[] {
  const out: FrameBatch[] = [];
  for (let at = 0; at < frames.length; at += size) {
    const part = frames.slice(at, at + size);
    const batch = createFrameBatch(part.length);
    const total = part.reduce((n, f) => n + f.frame.length, 0);
    const bytes = new Uint8Array(total + 7);
    let pos = 7; // frames not at offset 0, as in a reader's buffer
    part.forEach((f, i) => {
      bytes.set(f.frame, pos);
      batch.start[i] = pos;
      batch.capLen[i] = f.frame.length;
      batch.wireLen[i] = f.frame.length;
      const us = Math.round(f.t * 1e6);
      batch.tsSec[i] = Math.floor(us / 1e6);
      batch.tsNsec[i] = (us - batch.tsSec[i] * 1e6) * 1000;
      batch.linkType[i] = 1;
      pos += f.frame.length;
    });
    batch.bytes = bytes;
    batch.count = part.length;
    batch.firstPacketNumber = at + 1;
    out.push(batch);
  }
  return out;
}

export interface ExtractResult {
  csv: string;
  header: string[];
  rows: Record<string, string>[];
  extraction: FlowExtraction;
  writer: FlowCsvWriter;
}

export function extractFlows(frames: readonly TimedFrame[], options: FlowExtractionOptions & { batchSize?: number } = {}): ExtractResult {
  const sink = new MemorySink();
  const extraction = new FlowExtraction({ maxFlows: 1000, ...options });
  const writer = extraction.writeCsvTo(sink);
  for (const batch of batchesOf(frames, options.batchSize ?? 64)) extraction.addBatch(batch);
  extraction.finish();
  const csv = sink.text();
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  return { csv, header: parsed.meta.fields ?? [], rows: parsed.data, extraction, writer };
}

/** Runs any level's extraction over the frames in memory and parses the CSV it wrote. */
export function runExtraction<E extends Extraction>(extraction: E, frames: readonly TimedFrame[], batchSize = 64): { csv: string; header: string[]; rows: Record<string, string>[]; writer: FlowCsvWriter } {
  const sink = new MemorySink();
  const writer = extraction.writeCsvTo(sink);
  for (const batch of batchesOf(frames, batchSize)) extraction.addBatch(batch);
  extraction.finish();
  const csv = sink.text();
  const names = csv.slice(0, csv.indexOf('\n')).split(',');
  // a header with a repeated name (CIC's ' Fwd Header Length') cannot key objects: callers parse arrays
  if (new Set(names).size !== names.length) return { csv, header: names, rows: [], writer };
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  return { csv, header: parsed.meta.fields ?? [], rows: parsed.data, writer };
}

export interface Host {
  mac: Mac;
  ip: IpAddr;
}

export const CLIENT: Host = { mac: mac('02:00:00:00:00:0c'), ip: ipv4('192.168.1.10') };
export const SERVER: Host = { mac: mac('02:00:00:00:00:05'), ip: ipv4('10.0.0.5') };
export const CLIENT6: Host = { mac: CLIENT.mac, ip: ipv6('2001:db8::c') };
export const SERVER6: Host = { mac: SERVER.mac, ip: ipv6('2001:db8::5') };

/** A TCP conversation that keeps sequence and acknowledgement numbers right by itself. */
export class TcpTalk {
  readonly frames: TimedFrame[] = [];
  private seq = { c: 1000, s: 5000 };
  private last: { from: 'c' | 's'; flags: number; payload: number; seq: number; t: number } | undefined;

  constructor(
    private readonly client: Host,
    private readonly server: Host,
    private readonly clientPort = 40000,
    private readonly serverPort = 80,
  ) {}

  /** The client sends `flags` with `payload` bytes at time t. */
  c(t: number, flags: number, payload = 0, window = 502): this {
    return this.send('c', t, flags, payload, window);
  }

  /** The server sends. */
  s(t: number, flags: number, payload = 0, window = 509): this {
    return this.send('s', t, flags, payload, window);
  }

  /** Sends the previous segment again, unchanged, at time t. */
  again(t: number): this {
    const l = this.last!;
    const saved = this.seq[l.from];
    this.seq[l.from] = l.seq;
    this.send(l.from, t, l.flags, l.payload, 502);
    this.seq[l.from] = saved;
    return this;
  }

  private send(from: 'c' | 's', t: number, flags: number, payload: number, window: number): this {
    const src = from === 'c' ? this.client : this.server;
    const dst = from === 'c' ? this.server : this.client;
    const other = from === 'c' ? 's' : 'c';
    const seq = this.seq[from];
    const frame = tcpFrame(src.mac, dst.mac, { src: src.ip, dst: dst.ip, ttl: from === 'c' ? 64 : 58 }, {
      srcPort: from === 'c' ? this.clientPort : this.serverPort,
      dstPort: from === 'c' ? this.serverPort : this.clientPort,
      seq,
      ack: flags & ACK ? this.seq[other] : 0,
      flags,
      window,
      payloadLen: payload,
    });
    this.frames.push({ t, frame });
    this.last = { from, flags, payload, seq, t };
    this.seq[from] = (seq + payload + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    return this;
  }
}

export function udp(from: Host, to: Host, sport: number, dport: number, payload: number, t: number): TimedFrame {
  return { t, frame: udpFrame(from.mac, to.mac, { src: from.ip, dst: to.ip, ttl: 64 }, sport, dport, payload) };
}

export function ping(from: Host, to: Host, reply: boolean, id: number, seq: number, t: number): TimedFrame {
  return { t, frame: echoFrame(from.mac, to.mac, { src: from.ip, dst: to.ip, ttl: 64 }, reply, id, seq) };
}

/** Frames in time order (a capture is). */
export function byTime(...groups: (TimedFrame[] | TimedFrame)[]): TimedFrame[] {
  return groups.flat().sort((a, b) => a.t - b.t);
}
