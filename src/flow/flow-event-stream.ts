// The flow table's events (open, update per packet, close: FlowObserver) as fixed 64-byte records in a
// shared ring (io/shared-ring.ts), so the flow features can be computed on a second thread while the first
// reads, decodes and keeps the table (of ~440 ns per packet of ordinary traffic on one thread, the groups
// take ~200; encoding and replaying an event costs a few). The other side replays the events, in order, into
// a copy of the table's per-slot state (FlowSlotsReplica) and a PacketMeta holding the fields the groups
// read, so the groups compute exactly what they compute beside the table.
//
// Record layout, 16 Int32 words (Float64 where named):
//   open:   kind | continued, first side, client side, client-from bits; slot; key words (10); first time and
//           record number (Float64)
//   update: kind | side, client side, client-from, IP version bits; slot; wire length; TCP flags; TTL and IP
//           protocol; ICMP type and code; TCP window; TCP sequence; TCP options; packets; payload length,
//           IP length and time (Float64)
//   close:  kind | reason bits; slot
//   base:   kind; the table's baseSec (sent before the first open)

import { PacketMeta } from '../decode/packet-meta.js';
import { createSharedRing, RING_CONTROL_BYTES, RingConsumer, RingProducer } from '../io/shared-ring.js';
import { KEY_WORDS } from './flow-key.js';
import { FlowSlots } from './flow-slots.js';
import type { EndReason, FlowObserver, FlowTable } from './flow-table.js';

const EVENT_BYTES = 64;
const WORDS = EVENT_BYTES / 4;
const FLOATS = EVENT_BYTES / 8;
const OPEN = 0;
const UPDATE = 1;
const CLOSE = 2;
const BASE = 3;
const FEATURE_THREAD = 'flow feature thread';

export function createFlowEventRing(capacity: number): SharedArrayBuffer {
  return createSharedRing(EVENT_BYTES, capacity);
}

/** The table's side: attach it to the FlowTable in place of the feature set. */
export class FlowEventProducer extends RingProducer implements FlowObserver {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly table: FlowTable;
  private baseSent = NaN;

  constructor(shared: SharedArrayBuffer, table: FlowTable) {
    super(shared, EVENT_BYTES, FEATURE_THREAD);
    this.words = new Int32Array(shared, RING_CONTROL_BYTES, this.capacity * WORDS);
    this.floats = new Float64Array(shared, RING_CONTROL_BYTES, this.capacity * FLOATS);
    this.table = table;
  }

  open(slot: number, continued: boolean): void {
    const t = this.table;
    const words = this.words;
    if (t.baseSec !== this.baseSent) {
      const r = this.reserve();
      words[r * WORDS] = BASE;
      this.floats[r * FLOATS + 6] = t.baseSec;
      this.commit();
      this.baseSent = t.baseSec;
    }
    const r = this.reserve();
    const w = r * WORDS;
    words[w] = OPEN | ((continued ? 1 : 0) << 2) | (t.firstSide(slot) << 3) | (t.clientSide(slot) << 4) | (t.clientFrom(slot) << 5);
    words[w + 1] = slot;
    const keys = t.keyWords;
    const k = t.keyOffset(slot);
    for (let i = 0; i < KEY_WORDS; i++) words[w + 2 + i] = keys[k + i];
    this.floats[r * FLOATS + 6] = t.firstNs(slot);
    this.floats[r * FLOATS + 7] = t.flowId(slot);
    this.commit();
  }

  update(slot: number, side: number, meta: PacketMeta, timeNs: number, wireLen: number): void {
    const t = this.table;
    const words = this.words;
    const r = this.reserve();
    const w = r * WORDS;
    words[w] = UPDATE | (side << 2) | (t.clientSide(slot) << 3) | (t.clientFrom(slot) << 4) | (meta.ipVersion << 8);
    words[w + 1] = slot;
    words[w + 2] = wireLen;
    words[w + 3] = meta.tcpFlags;
    // fields that are -1 when absent and at most 255 otherwise, two to a word
    words[w + 4] = (meta.ttl + 1) | ((meta.ipProto + 1) << 16);
    words[w + 5] = (meta.icmpType + 1) | ((meta.icmpCode + 1) << 16);
    words[w + 6] = meta.tcpWindow;
    words[w + 7] = meta.tcpSeq;
    words[w + 8] = meta.tcpOptionsLen;
    words[w + 9] = t.packets(slot);
    // lengths may be -1, or above 2^31 (an IPv6 jumbogram claims up to 2^32 - 1)
    this.floats[r * FLOATS + 5] = meta.payloadLen;
    this.floats[r * FLOATS + 6] = meta.ipLen;
    this.floats[r * FLOATS + 7] = timeNs;
    this.commit();
  }

  close(slot: number, reason: EndReason): void {
    const w = this.reserve() * WORDS;
    this.words[w] = CLOSE | (reason << 2);
    this.words[w + 1] = slot;
    this.commit();
  }
}

/** The table's per-slot state as the events rebuild it on the feature thread. */
export class FlowSlotsReplica extends FlowSlots {
  /** a record starts: the state FlowTable.startRecord and openFlow set */
  startRecord(slot: number, keys: Int32Array, keyAt: number, firstNs: number, flowId: number, firstSide: number, clientSide: number, clientFrom: number): void {
    const k = slot * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) this.keyWords[k + i] = keys[keyAt + i];
    this.firstNsOf[slot] = firstNs;
    this.lastNsOf[slot] = firstNs;
    this.flowIdOf[slot] = flowId;
    this.packetsOf[slot] = 0;
    this.firstSideOf[slot] = firstSide;
    this.clientSideOf[slot] = clientSide;
    this.clientFromOf[slot] = clientFrom;
  }

  /** before a packet's update: what the table changed for it */
  beforeUpdate(slot: number, packets: number, clientSide: number, clientFrom: number): void {
    this.packetsOf[slot] = packets;
    this.clientSideOf[slot] = clientSide;
    this.clientFromOf[slot] = clientFrom;
  }

  /** after it, as the table does */
  afterUpdate(slot: number, timeNs: number): void {
    this.lastNsOf[slot] = timeNs;
  }
}

/** The feature thread's side: replays the events into `observer`, whose groups read `slots`. */
export class FlowEventConsumer extends RingConsumer {
  readonly slots: FlowSlotsReplica;
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly meta = new PacketMeta();
  /** a record opened, waiting for its first packet (the groups' open() reads that packet) */
  private pendingSlot = -1;
  private pendingContinued = false;

  constructor(shared: SharedArrayBuffer, capacity: number) {
    super(shared, EVENT_BYTES);
    this.words = new Int32Array(shared, RING_CONTROL_BYTES, this.capacity * WORDS);
    this.floats = new Float64Array(shared, RING_CONTROL_BYTES, this.capacity * FLOATS);
    this.slots = new FlowSlotsReplica(capacity);
  }

  /**
   * Replays every event until the table's side finishes ('done') or aborts ('aborted'); `beforeWaiting` runs
   * whenever no event is waiting.
   */
  replay(observer: FlowObserver, beforeWaiting?: () => void): 'done' | 'aborted' {
    return this.run((r) => this.apply(r, observer), beforeWaiting);
  }

  /** Replays the events published so far, without waiting. */
  replayAvailable(observer: FlowObserver): 'empty' | 'done' | 'aborted' {
    return this.take((r) => this.apply(r, observer));
  }

  private apply(r: number, observer: FlowObserver): void {
    const words = this.words;
    const w = r * WORDS;
    const head = words[w];
    const slot = words[w + 1];
    switch (head & 3) {
      case UPDATE: {
        const meta = this.meta;
        meta.ipVersion = (head >>> 8) & 0xff;
        meta.tcpFlags = words[w + 3];
        meta.ttl = (words[w + 4] & 0xffff) - 1;
        meta.ipProto = (words[w + 4] >>> 16) - 1;
        meta.icmpType = (words[w + 5] & 0xffff) - 1;
        meta.icmpCode = (words[w + 5] >>> 16) - 1;
        meta.tcpWindow = words[w + 6];
        // the sequence number is unsigned; -1 (no TCP header) stays -1
        meta.tcpSeq = meta.tcpFlags >= 0 ? words[w + 7] >>> 0 : words[w + 7];
        meta.tcpOptionsLen = words[w + 8];
        meta.payloadLen = this.floats[r * FLOATS + 5];
        meta.ipLen = this.floats[r * FLOATS + 6];
        if (slot === this.pendingSlot) {
          observer.open(slot, this.pendingContinued, meta);
          this.pendingSlot = -1;
        }
        this.slots.beforeUpdate(slot, words[w + 9] >>> 0, (head >>> 3) & 1, (head >>> 4) & 3);
        const timeNs = this.floats[r * FLOATS + 7];
        observer.update(slot, (head >>> 2) & 1, meta, timeNs, words[w + 2] >>> 0);
        this.slots.afterUpdate(slot, timeNs);
        return;
      }
      case OPEN:
        this.slots.startRecord(slot, words, w + 2, this.floats[r * FLOATS + 6], this.floats[r * FLOATS + 7], (head >>> 3) & 1, (head >>> 4) & 1, (head >>> 5) & 3);
        this.pendingSlot = slot;
        this.pendingContinued = ((head >>> 2) & 1) === 1;
        return;
      case CLOSE:
        observer.close(slot, ((head >>> 2) & 7) as EndReason);
        return;
      default:
        this.slots.baseSec = this.floats[r * FLOATS + 6];
    }
  }
}
