// The flow table: which flow each IP packet belongs to, which side is the client, and when a flow ends
// and why. Built for millions of packets per second and bounded memory:
//   - open addressing (linear probing, backward-shift deletion: slot-index.ts) over an Int32Array index;
//     keys are ten 32-bit words (flow-key.ts) compared as integers; no strings, no object per flow or packet;
//   - per-flow state in struct-of-arrays typed arrays indexed by slot, allocated once for --max-flows
//     slots (pages that no flow ever used are never touched, so they cost no memory);
//   - a least-recently-seen list (slot-index.ts, doubly linked through two Int32Arrays) ordered by the
//     table's clock, so idle expiry looks only at the list head and costs O(flows expired);
//   - a full table evicts its least recently seen flow (end reason `evicted`, counted).
// Feature groups observe the table (FlowObserver): open, update per packet, close with the end reason; they
// read a flow's record through FlowSlots (flow-slots.ts), here or replayed on another thread (flow-event-stream.ts).
//
// Rules (docs/extract.md explains them to users):
//   - time is packet time; the clock is the latest timestamp seen. A packet stamped earlier than the one
//     before it in the input is counted (timeBackwardsPackets) and, inside its flow, taken at the flow's
//     last time, so no duration or inter-arrival time is ever negative;
//   - idle: no packet for longer than the idle timeout (measured from the flow's last packet); expired
//     flows leave the table a few per packet (EXPIRE_PER_PACKET), oldest first;
//   - active: a packet arriving when the record is `activeTimeout` old or older closes the record and
//     opens a continuation that keeps the client side and the TCP state (mistake 9 of FLOWS.md);
//   - fin: FIN seen from both sides and both FINs acknowledged (normally by the final ACK; never on the
//     first FIN). If that last ACK never comes, the flow leaves at the idle timeout, still as `fin`;
//   - rst: any RST ends the flow at once;
//   - a SYN (without ACK) on a flow whose both sides sent FIN starts a new connection: the old record
//     ends as `fin`;
//   - end-of-input: flows still open when the input ends, flushed least recently seen first;
//   - client side: the SYN's sender; the receiver of a SYN-ACK when that came before any SYN; else the
//     sender of the record's first packet.

import type { PacketMeta } from '../decode/packet-meta.js';
import { FlowKeyBuilder, KEY_WORDS } from './flow-key.js';
import { FlowSlots } from './flow-slots.js';
import { SlotIndex } from './slot-index.js';

export const EndReason = {
  idle: 0,
  active: 1,
  fin: 2,
  rst: 3,
  endOfInput: 4,
  evicted: 5,
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];
export const endReasonNames = ['idle', 'active', 'fin', 'rst', 'end-of-input', 'evicted'] as const;

export const ClientFrom = { firstPacket: 0, syn: 1, synAck: 2 } as const;
export const clientFromNames = ['first-packet', 'syn', 'syn-ack'] as const;

export const TcpFlag = { fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ece: 64, cwr: 128 } as const;

/** Sees every flow's life: one open, one update per packet, one close. */
export interface FlowObserver {
  /**
   * `slot` starts a new flow record; its first packet (`meta`) follows as an update. `continued`: the record
   * continues one that just ended by the active timeout (same key, same client side, same TCP state).
   */
  open(slot: number, continued: boolean, meta: PacketMeta): void;
  /** One packet of the flow, after the table has updated its own state (client side, times). */
  update(slot: number, side: number, meta: PacketMeta, timeNs: number, wireLen: number): void;
  /** The record ends; the slot's arrays stay valid until this returns, then the slot is reused. */
  close(slot: number, reason: EndReason): void;
}

export interface FlowTableOptions {
  /** a flow with no packet for longer than this ends as `idle` (default 120 s, NFStream's) */
  idleTimeoutS: number;
  /** a record this old ends as `active` at its next packet (default 1800 s, NFStream's) */
  activeTimeoutS: number;
  /** flows held at once; when full, the least recently seen is evicted */
  maxFlows: number;
}

export const DEFAULT_IDLE_TIMEOUT_S = 120;
export const DEFAULT_ACTIVE_TIMEOUT_S = 1800;

/** finState bits: FIN seen from side 0/1, and that FIN acknowledged by the other side */
const FIN_SEEN_0 = 1;
const FIN_SEEN_1 = 2;
const FIN_ACKED_0 = 4;
const FIN_ACKED_1 = 8;
const FIN_BOTH_SEEN = FIN_SEEN_0 | FIN_SEEN_1;
const FIN_ALL = 15;
/** a record never holds more packets than its 32-bit counters can count */
const MAX_RECORD_PACKETS = 0xffffffff;
const IPPROTO_TCP = 6;
/**
 * Idle flows ended per packet: expiry is spread over the following packets, so a jump in time never writes
 * the whole table at once (the output queue stays bounded); a packet of a flow that is idle but not yet
 * ended still starts a new flow, so the rows are the same as with immediate expiry.
 */
const EXPIRE_PER_PACKET = 8;

/** Bytes of table state per flow slot, for sizing --max-flows from a memory budget. */
export function flowTableBytesPerFlow(): number {
  // key 40, index 16..32 (two Int32 per bucket, load <= 1/2), bucket 4, LRU 8, first/last/touch/id 32,
  // packets 4, FIN ends 8, four flag bytes, free list 4
  return KEY_WORDS * 4 + 32 + 4 + 8 + 32 + 4 + 8 + 4 + 4;
}

export class FlowTable extends FlowSlots {
  readonly idleNs: number;
  readonly activeNs: number;
  clockNs = -Infinity;

  // counters for the summary
  ipPackets = 0;
  nonIpPackets = 0;
  timeBackwardsPackets = 0;
  recordsOpened = 0;
  readonly endedBy = new Float64Array(endReasonNames.length);

  // per-slot state beyond FlowSlots'
  /** the table's clock when the flow last saw a packet: the LRU list is sorted by it */
  private readonly touchNsOf: Float64Array;
  private readonly finStateOf: Uint8Array;
  /** per side (slot * 2 + side): sequence number just after the FIN */
  private readonly finEndOf: Uint32Array;
  /** which slot holds a key, the LRU order (by touchNsOf), the free slots */
  private readonly slots: SlotIndex;
  private lastInputNs = -Infinity;
  private readonly key = new FlowKeyBuilder();
  private observer: FlowObserver = NO_OBSERVER;

  constructor(options: FlowTableOptions) {
    const capacity = Math.floor(options.maxFlows);
    if (!(capacity >= 1)) throw new RangeError(`maxFlows must be at least 1, got ${options.maxFlows}`);
    if (!(options.idleTimeoutS > 0) || !(options.activeTimeoutS > 0)) throw new RangeError('timeouts must be above 0');
    super(capacity);
    this.idleNs = options.idleTimeoutS * 1e9;
    this.activeNs = options.activeTimeoutS * 1e9;
    this.slots = new SlotIndex(capacity);
    this.touchNsOf = new Float64Array(capacity);
    this.finStateOf = new Uint8Array(capacity);
    this.finEndOf = new Uint32Array(capacity * 2);
  }

  /** flows held now */
  get size(): number {
    return this.slots.size;
  }

  /** most flows held at once */
  get peakSize(): number {
    return this.slots.peakSize;
  }

  attach(observer: FlowObserver): void {
    this.observer = observer;
  }

  /** Feeds one decoded packet; packets without an IP header are only counted. */
  process(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    if (meta.ipVersion === 0 || meta.srcAddrOffset < 0 || meta.dstAddrOffset < 0) {
      this.nonIpPackets++;
      return;
    }
    this.ipPackets++;
    if (this.baseSec !== this.baseSec) this.baseSec = tsSec;
    const t = (tsSec - this.baseSec) * 1e9 + tsNsec;
    if (t < this.lastInputNs) this.timeBackwardsPackets++;
    this.lastInputNs = t;
    if (t > this.clockNs) this.clockNs = t;
    const touchNs = this.touchNsOf;
    const idleLimit = this.clockNs - this.idleNs;
    const oldest = this.slots.head;
    if (oldest >= 0 && touchNs[oldest] < idleLimit) this.expireIdle(EXPIRE_PER_PACKET);

    const key = this.key;
    key.build(meta);
    const side = key.senderSide;
    const flags = meta.ipProto === IPPROTO_TCP ? meta.tcpFlags : -1;
    let slot = this.find(key.words, key.hash);
    let timeNs = t;
    if (slot >= 0 && touchNs[slot] < idleLimit) {
      // idle too long but not yet expired (expiry is spread over packets): that flow is over
      this.endFlow(slot, this.idleReason(slot));
      slot = -1;
    }
    if (slot < 0) {
      slot = this.openFlow(key.words, key.hash, side, t, meta);
    } else {
      const last = this.lastNsOf[slot];
      if (timeNs < last) timeNs = last;
      if (timeNs - this.firstNsOf[slot] >= this.activeNs || this.packetsOf[slot] === MAX_RECORD_PACKETS) {
        this.restart(slot, EndReason.active, true, side, timeNs, meta);
      } else if (flags > 0 && (flags & (TcpFlag.syn | TcpFlag.ack)) === TcpFlag.syn && (this.finStateOf[slot] & FIN_BOTH_SEEN) === FIN_BOTH_SEEN) {
        this.restart(slot, EndReason.fin, false, side, timeNs, meta);
      } else {
        this.touch(slot);
      }
    }

    if (flags > 0 && (flags & TcpFlag.syn) !== 0) {
      if ((flags & TcpFlag.ack) === 0) {
        if (this.clientFromOf[slot] !== ClientFrom.syn) {
          this.clientSideOf[slot] = side;
          this.clientFromOf[slot] = ClientFrom.syn;
        }
      } else if (this.clientFromOf[slot] === ClientFrom.firstPacket) {
        this.clientSideOf[slot] = side ^ 1;
        this.clientFromOf[slot] = ClientFrom.synAck;
      }
    }

    this.packetsOf[slot]++;
    this.observer.update(slot, side, meta, timeNs, wireLen);
    this.lastNsOf[slot] = timeNs;

    if (flags > 0) this.tcpTermination(slot, side, flags, meta);
  }

  /** Moves the clock to a wall-clock time (live capture when traffic stops) and expires idle flows. */
  tick(epochSeconds: number): void {
    if (this.baseSec !== this.baseSec) return;
    const t = (epochSeconds - this.baseSec) * 1e9;
    if (t > this.clockNs) this.clockNs = t;
    this.expireIdle(Infinity);
  }

  /**
   * Ends the flows still open (end of input), least recently seen first; flows already idle for longer than
   * the timeout end as idle. At most `limit` flows per call (so a caller can let the output drain between
   * calls); true when the table is empty.
   */
  flush(limit = Infinity): boolean {
    const idleLimit = this.clockNs - this.idleNs;
    for (let n = 0; n < limit && this.slots.head >= 0; n++) {
      const slot = this.slots.head;
      this.endFlow(slot, this.touchNsOf[slot] < idleLimit ? this.idleReason(slot) : EndReason.endOfInput);
    }
    return this.slots.head < 0;
  }

  /** Flows ended so far, all reasons together. */
  get recordsEnded(): number {
    let n = 0;
    for (let i = 0; i < this.endedBy.length; i++) n += this.endedBy[i];
    return n;
  }

  private tcpTermination(slot: number, side: number, flags: number, meta: PacketMeta): void {
    if ((flags & TcpFlag.rst) !== 0) {
      this.endFlow(slot, EndReason.rst);
      return;
    }
    let fin = this.finStateOf[slot];
    if ((flags & TcpFlag.fin) !== 0) {
      fin |= side === 0 ? FIN_SEEN_0 : FIN_SEEN_1;
      const payload = meta.payloadLen > 0 ? meta.payloadLen : 0;
      this.finEndOf[slot * 2 + side] = meta.tcpSeq + payload + ((flags & TcpFlag.syn) !== 0 ? 2 : 1);
    }
    if ((flags & TcpFlag.ack) !== 0) {
      const other = side ^ 1;
      if ((fin & (other === 0 ? FIN_SEEN_0 : FIN_SEEN_1)) !== 0 && ((meta.tcpAck - this.finEndOf[slot * 2 + other]) | 0) >= 0) {
        fin |= other === 0 ? FIN_ACKED_0 : FIN_ACKED_1;
      }
    }
    this.finStateOf[slot] = fin;
    if (fin === FIN_ALL) this.endFlow(slot, EndReason.fin);
  }

  /** Ends up to `budget` flows idle for longer than the timeout, from the head of the LRU list. */
  private expireIdle(budget: number): void {
    const limit = this.clockNs - this.idleNs;
    const slots = this.slots;
    for (let n = 0; n < budget && slots.head >= 0 && this.touchNsOf[slots.head] < limit; n++) {
      this.endFlow(slots.head, this.idleReason(slots.head));
    }
  }

  /** An idle flow whose both sides sent FIN closed normally; its last ACK was just not seen. */
  private idleReason(slot: number): EndReason {
    return (this.finStateOf[slot] & FIN_BOTH_SEEN) === FIN_BOTH_SEEN ? EndReason.fin : EndReason.idle;
  }

  private find(words: Uint32Array, hash: number): number {
    const { index, mask } = this.slots;
    const keys = this.keyWords;
    const h = hash | 0;
    let i = hash & mask;
    for (;;) {
      const entry = index[2 * i];
      if (entry === 0) return -1;
      if (index[2 * i + 1] === h) {
        const slot = entry - 1;
        const k = slot * KEY_WORDS;
        if (
          keys[k] === words[0] &&
          keys[k + 4] === words[4] &&
          keys[k + 8] === words[8] &&
          keys[k + 9] === words[9] &&
          keys[k + 1] === words[1] &&
          keys[k + 2] === words[2] &&
          keys[k + 3] === words[3] &&
          keys[k + 5] === words[5] &&
          keys[k + 6] === words[6] &&
          keys[k + 7] === words[7]
        ) {
          return slot;
        }
      }
      i = (i + 1) & mask;
    }
  }

  private openFlow(words: Uint32Array, hash: number, side: number, timeNs: number, meta: PacketMeta): number {
    if (this.slots.size === this.capacity) {
      const oldest = this.slots.head;
      this.endFlow(oldest, this.touchNsOf[oldest] < this.clockNs - this.idleNs ? this.idleReason(oldest) : EndReason.evicted);
    }
    const slot = this.slots.insert(hash);
    const keys = this.keyWords;
    const k = slot * KEY_WORDS;
    keys[k] = words[0];
    keys[k + 1] = words[1];
    keys[k + 2] = words[2];
    keys[k + 3] = words[3];
    keys[k + 4] = words[4];
    keys[k + 5] = words[5];
    keys[k + 6] = words[6];
    keys[k + 7] = words[7];
    keys[k + 8] = words[8];
    keys[k + 9] = words[9];
    this.clientSideOf[slot] = side;
    this.clientFromOf[slot] = ClientFrom.firstPacket;
    this.finStateOf[slot] = 0;
    this.startRecord(slot, side, timeNs);
    this.observer.open(slot, false, meta);
    return slot;
  }

  /** Ends the record in `slot` and starts the next one for the same key in the same slot. */
  private restart(slot: number, reason: EndReason, continued: boolean, side: number, timeNs: number, meta: PacketMeta): void {
    this.observer.close(slot, reason);
    this.endedBy[reason]++;
    if (!continued) {
      this.clientSideOf[slot] = side;
      this.clientFromOf[slot] = ClientFrom.firstPacket;
      this.finStateOf[slot] = 0;
    }
    this.startRecord(slot, side, timeNs);
    this.touch(slot);
    this.observer.open(slot, continued, meta);
  }

  private startRecord(slot: number, side: number, timeNs: number): void {
    this.firstNsOf[slot] = timeNs;
    this.lastNsOf[slot] = timeNs;
    this.touchNsOf[slot] = this.clockNs;
    this.flowIdOf[slot] = ++this.recordsOpened;
    this.packetsOf[slot] = 0;
    this.firstSideOf[slot] = side;
  }

  private endFlow(slot: number, reason: EndReason): void {
    this.observer.close(slot, reason);
    this.endedBy[reason]++;
    this.slots.remove(slot);
  }

  private touch(slot: number): void {
    this.touchNsOf[slot] = this.clockNs;
    this.slots.touch(slot);
  }
}

const NO_OBSERVER: FlowObserver = {
  open() {},
  update() {},
  close() {},
};
