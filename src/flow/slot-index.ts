// The bookkeeping both hash tables of src/flow share (FlowTable: a slot per flow record, AddressTable: a
// slot per IP address): which slot holds a key, which slot was touched least recently, which slots are free.
// An open-addressing index over an Int32Array (per bucket: slot + 1, 0 when empty, then the key's hash; linear
// probing; deletion shifts later entries of the cluster back, so there are no tombstones), a doubly linked
// LRU list through two Int32Arrays, and a stack of free slots. No object per slot. The keys and the per-slot
// state stay with the owner, which compares keys in its own find() loop over `index` (probing reads only
// the index, never another slot's state: each such read was a cache miss).

export class SlotIndex {
  readonly capacity: number;
  /** two Int32s per bucket: slot + 1 (0 = empty) and the key's hash */
  readonly index: Int32Array;
  readonly mask: number;
  /** slots in use */
  size = 0;
  peakSize = 0;
  /** the least recently touched slot, -1 when empty */
  head = -1;
  /** the most recently touched slot, -1 when empty */
  tail = -1;
  /** bucket of each slot's index entry, kept up to date when deletions shift entries back */
  private readonly bucketOf: Int32Array;
  private readonly lruPrev: Int32Array;
  private readonly lruNext: Int32Array;
  private readonly freeSlots: Int32Array;
  private freeTop = 0;
  private nextFresh = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    let buckets = 16;
    while (buckets < capacity * 2) buckets *= 2;
    this.index = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    this.bucketOf = new Int32Array(capacity);
    this.lruPrev = new Int32Array(capacity);
    this.lruNext = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
  }

  /** Takes a free slot for a key with this hash (not in the index; a slot free), as the most recently touched. */
  insert(hash: number): number {
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop] : this.nextFresh++;
    const index = this.index;
    const mask = this.mask;
    let i = hash & mask;
    while (index[2 * i] !== 0) i = (i + 1) & mask;
    index[2 * i] = slot + 1;
    index[2 * i + 1] = hash | 0;
    this.bucketOf[slot] = i;
    this.size++;
    if (this.size > this.peakSize) this.peakSize = this.size;
    this.append(slot);
    return slot;
  }

  /** Frees the slot: out of the index and the LRU list, its state arrays reusable by the next insert. */
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

  /** Makes the slot the most recently touched. */
  touch(slot: number): void {
    if (slot === this.tail) return;
    this.unlink(slot);
    this.append(slot);
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
