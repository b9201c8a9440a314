// Per-address state for the host level and the packet level's per-source context: which slot holds an IP
// address, and which slot was seen least recently. The flow table's design (slot-index.ts: open-addressing
// index, LRU list, free slots) for one address instead of a 5-tuple: addresses as four 32-bit words, state
// arrays allocated once for `capacity` slots. No object per address or per packet.
// The owner decides what leaving means: it reads oldest() when the table is full or a slot has been idle
// long enough, writes what it must, then calls remove().

import { SlotIndex } from './slot-index.js';

export class AddressTable {
  readonly capacity: number;
  /** four words per slot: IPv4 in word 0 (the rest 0), IPv6 in words 0..3 */
  readonly words: Uint32Array;
  /** 1 for an IPv6 slot */
  readonly isV6: Uint8Array;
  /** when each slot was last touched (the owner's clock, ns): the LRU list is in this order */
  readonly touchNs: Float64Array;

  private readonly slots: SlotIndex;
  // the key of the last setKey()
  private k0 = 0;
  private k1 = 0;
  private k2 = 0;
  private k3 = 0;
  private kV6 = 0;
  private kHash = 0;

  constructor(capacity: number) {
    const n = Math.floor(capacity);
    if (!(n >= 1)) throw new RangeError(`an address table needs at least 1 slot, got ${capacity}`);
    this.capacity = n;
    this.slots = new SlotIndex(n);
    this.words = new Uint32Array(n * 4);
    this.isV6 = new Uint8Array(n);
    this.touchNs = new Float64Array(n);
  }

  /** addresses held now */
  get size(): number {
    return this.slots.size;
  }

  /** most addresses held at once */
  get peakSize(): number {
    return this.slots.peakSize;
  }

  /** Makes the address at bytes[offset..] (4 bytes, or 16 when v6) the key of find() and insert(). */
  setKey(bytes: Uint8Array, offset: number, v6: boolean): void {
    const b = bytes;
    const o = offset;
    this.k0 = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
    if (v6) {
      this.k1 = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
      this.k2 = ((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0;
      this.k3 = ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0;
      this.kV6 = 1;
    } else {
      this.k1 = this.k2 = this.k3 = 0;
      this.kV6 = 0;
    }
    this.kHash = addressHash(this.k0, this.k1, this.k2, this.k3, this.kV6);
  }

  /** hash of the current key (a good 32-bit mix; distinct counting reuses it) */
  get keyHash(): number {
    return this.kHash;
  }

  /** The slot holding the current key, or -1. */
  find(): number {
    const { index, mask } = this.slots;
    const words = this.words;
    const h = this.kHash | 0;
    let i = this.kHash & mask;
    for (;;) {
      const entry = index[2 * i];
      if (entry === 0) return -1;
      if (index[2 * i + 1] === h) {
        const slot = entry - 1;
        const w = slot * 4;
        if (words[w] === this.k0 && words[w + 1] === this.k1 && words[w + 2] === this.k2 && words[w + 3] === this.k3 && this.isV6[slot] === this.kV6) {
          return slot;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds the current key (not in the table; the table not full) as the most recently seen; returns its slot. */
  insert(touchNs: number): number {
    if (this.slots.size >= this.capacity) throw new Error('AddressTable.insert: the table is full; remove the oldest first');
    const slot = this.slots.insert(this.kHash);
    const w = slot * 4;
    this.words[w] = this.k0;
    this.words[w + 1] = this.k1;
    this.words[w + 2] = this.k2;
    this.words[w + 3] = this.k3;
    this.isV6[slot] = this.kV6;
    this.touchNs[slot] = touchNs;
    return slot;
  }

  /** Marks the slot as seen now (moves it to the LRU tail). */
  touch(slot: number, touchNs: number): void {
    this.touchNs[slot] = touchNs;
    this.slots.touch(slot);
  }

  /** The least recently touched slot, or -1 when empty. */
  oldest(): number {
    return this.slots.head;
  }

  /** Frees the slot (its state arrays may be reused by the next insert). */
  remove(slot: number): void {
    this.slots.remove(slot);
  }
}

/** Bytes of table state per slot, for sizing a table from a memory budget. */
export const ADDRESS_TABLE_BYTES_PER_SLOT = 16 + 1 + 8 + 4 + 4 + 4 + 4 + 16;

/** murmur3's finaliser over the address words: every output bit depends on every input bit. */
export function addressHash(w0: number, w1: number, w2: number, w3: number, v6: number): number {
  let h = 0x9e3779b9 ^ v6;
  h = Math.imul(h ^ w0, 0x85ebca6b);
  h ^= h >>> 13;
  if (v6) {
    h = Math.imul(h ^ w1, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h ^ w2, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ w3, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit mix of one integer (murmur3 fmix32), for hashing ports into distinct counters. */
export function mix32(v: number): number {
  let h = v | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
