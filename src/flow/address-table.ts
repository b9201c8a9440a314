// Per-address state for the host level and the packet level's per-source context: which slot holds an IP
// address, and which slot was seen least recently. The same design as the flow table, for one address
// instead of a 5-tuple: open addressing over an Int32Array index (slot + 1 and hash per bucket, linear
// probing, backward-shift deletion), addresses as four 32-bit words, an LRU list through two Int32Arrays,
// state arrays allocated once for `capacity` slots. No object per address or per packet.
// The owner decides what leaving means: it reads oldest() when the table is full or a slot has been idle
// long enough, writes what it must, then calls remove().

export class AddressTable {
  readonly capacity: number;
  /** four words per slot: IPv4 in word 0 (the rest 0), IPv6 in words 0..3 */
  readonly words: Uint32Array;
  /** 1 for an IPv6 slot */
  readonly isV6: Uint8Array;
  /** when each slot was last touched (the owner's clock, ns): the LRU list is in this order */
  readonly touchNs: Float64Array;
  size = 0;
  peakSize = 0;

  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly bucketOf: Int32Array;
  private readonly lruPrev: Int32Array;
  private readonly lruNext: Int32Array;
  private readonly freeSlots: Int32Array;
  private freeTop = 0;
  private nextFresh = 0;
  private head = -1;
  private tail = -1;
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
    let buckets = 16;
    while (buckets < n * 2) buckets *= 2;
    this.index = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    this.words = new Uint32Array(n * 4);
    this.isV6 = new Uint8Array(n);
    this.touchNs = new Float64Array(n);
    this.bucketOf = new Int32Array(n);
    this.lruPrev = new Int32Array(n);
    this.lruNext = new Int32Array(n);
    this.freeSlots = new Int32Array(n);
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
    const index = this.index;
    const words = this.words;
    const mask = this.mask;
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
    if (this.size >= this.capacity) throw new Error('AddressTable.insert: the table is full; remove the oldest first');
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop] : this.nextFresh++;
    const w = slot * 4;
    this.words[w] = this.k0;
    this.words[w + 1] = this.k1;
    this.words[w + 2] = this.k2;
    this.words[w + 3] = this.k3;
    this.isV6[slot] = this.kV6;
    let i = this.kHash & this.mask;
    while (this.index[2 * i] !== 0) i = (i + 1) & this.mask;
    this.index[2 * i] = slot + 1;
    this.index[2 * i + 1] = this.kHash | 0;
    this.bucketOf[slot] = i;
    this.size++;
    if (this.size > this.peakSize) this.peakSize = this.size;
    this.touchNs[slot] = touchNs;
    this.append(slot);
    return slot;
  }

  /** Marks the slot as seen now (moves it to the LRU tail). */
  touch(slot: number, touchNs: number): void {
    this.touchNs[slot] = touchNs;
    if (slot === this.tail) return;
    this.unlink(slot);
    this.append(slot);
  }

  /** The least recently touched slot, or -1 when empty. */
  oldest(): number {
    return this.head;
  }

  /** Frees the slot (its state arrays may be reused by the next insert). */
  remove(slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let i = this.bucketOf[slot];
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const entry = index[2 * j];
      if (entry === 0) break;
      const home = index[2 * j + 1] & mask;
      // the entry at j may move to the hole at i unless its home lies cyclically in (i, j]
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      index[2 * i] = entry;
      index[2 * i + 1] = index[2 * j + 1];
      this.bucketOf[entry - 1] = i;
      i = j;
    }
    index[2 * i] = 0;
    this.unlink(slot);
    this.freeSlots[this.freeTop++] = slot;
    this.size--;
  }

  private append(slot: number): void {
    this.lruPrev[slot] = this.tail;
    this.lruNext[slot] = -1;
    if (this.tail >= 0) this.lruNext[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
  }

  private unlink(slot: number): void {
    const prev = this.lruPrev[slot];
    const next = this.lruNext[slot];
    if (prev >= 0) this.lruNext[prev] = next;
    else this.head = next;
    if (next >= 0) this.lruPrev[next] = prev;
    else this.tail = prev;
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
