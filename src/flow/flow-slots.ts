// What the flow table knows of each flow record, slot by slot: its key, times, record number, packet count
// and which side is the client. Feature groups read a flow through this class only, so the same groups
// run beside the flow table (FlowTable extends it) or on another thread against a copy that replays the
// table's events (FlowSlotsReplica in flow-event-stream.ts).

import { KEY_META_WORD, KEY_WORDS } from './flow-key.js';

export class FlowSlots {
  /** flows held at once */
  readonly capacity: number;
  /** key words of each slot: keyWords[keyOffset(slot) .. + KEY_WORDS) (flow-key.ts says what each holds) */
  readonly keyWords: Uint32Array;
  /** whole seconds of the first IP packet; every time is kept relative to it, in ns */
  baseSec = NaN;

  // per-slot state, one typed array per field (struct of arrays)
  /** times in ns since baseSec: exact integers in a Float64 up to 104 days from the first packet */
  protected readonly firstNsOf: Float64Array;
  protected readonly lastNsOf: Float64Array;
  protected readonly flowIdOf: Float64Array;
  protected readonly packetsOf: Uint32Array;
  protected readonly clientSideOf: Uint8Array;
  protected readonly clientFromOf: Uint8Array;
  protected readonly firstSideOf: Uint8Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.keyWords = new Uint32Array(capacity * KEY_WORDS);
    this.firstNsOf = new Float64Array(capacity);
    this.lastNsOf = new Float64Array(capacity);
    this.flowIdOf = new Float64Array(capacity);
    this.packetsOf = new Uint32Array(capacity);
    this.clientSideOf = new Uint8Array(capacity);
    this.clientFromOf = new Uint8Array(capacity);
    this.firstSideOf = new Uint8Array(capacity);
  }

  keyOffset(slot: number): number {
    return slot * KEY_WORDS;
  }

  /** IP protocol number of a slot's flow. */
  protocolOf(slot: number): number {
    return this.keyWords[slot * KEY_WORDS + KEY_META_WORD] & 0xff;
  }

  /** time of the record's first packet, ns after baseSec */
  firstNs(slot: number): number {
    return this.firstNsOf[slot];
  }

  /** time of the record's last packet so far (during an update: of the packet before), ns after baseSec */
  lastNs(slot: number): number {
    return this.lastNsOf[slot];
  }

  /** 1-based record number, in the order records were opened */
  flowId(slot: number): number {
    return this.flowIdOf[slot];
  }

  /** packets in the record so far */
  packets(slot: number): number {
    return this.packetsOf[slot];
  }

  /** 0/1: which key side is the client */
  clientSide(slot: number): number {
    return this.clientSideOf[slot];
  }

  /** ClientFrom: how the client side was chosen */
  clientFrom(slot: number): number {
    return this.clientFromOf[slot];
  }

  /** the key side that sent the record's first packet */
  firstSide(slot: number): number {
    return this.firstSideOf[slot];
  }
}
