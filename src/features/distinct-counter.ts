// Bounded distinct counting for the host level (distinct destinations, distinct destination ports per host
// and window): each counter owns 128 bytes, used in one of two ways.
//   - exact: up to EXACT_LIMIT (32) distinct 32-bit hashes, scanned linearly (most hosts talk to a handful
//     of peers in a window, and a scan of a few words is cheaper than any hashing scheme);
//   - estimated: on the 33rd distinct value the same 128 bytes become a HyperLogLog of 128 one-byte
//     registers (Flajolet, Fusy, Gandouet, Meunier 2007), standard error 1.04 / sqrt(128) = 9.2%, with the
//     linear-counting estimate below 2.5 m (Whang et al. 1990) as HyperLogLog++ does, and never below 33.
// Inputs are 32-bit hashes from a mixing function (address-table.ts), so equal values always collide and
// two different values collide with probability 2^-32: negligible at 32 exact entries.

export const EXACT_LIMIT = 32;
const REGISTERS = 128;
const REGISTER_BITS = 7;
const BYTES_PER_COUNTER = 128;
/** HLL bias constant alpha_m for m = 128: 0.7213 / (1 + 1.079 / m) */
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);
const ESTIMATED = 0xffff;

/** 2^-k for k = 0..32, so an estimate sums table entries instead of calling Math.pow */
const INVERSE_POWERS = Float64Array.from({ length: 33 }, (_, k) => 2 ** -k);

export class DistinctCounters {
  readonly count: number;
  /** exact entries: EXACT_LIMIT words per counter */
  private readonly words: Uint32Array;
  /** the same memory as HyperLogLog registers: REGISTERS bytes per counter */
  private readonly registers: Uint8Array;
  /** exact entries used, or ESTIMATED */
  private readonly used: Uint16Array;
  /** the value added last, so a host talking to one peer repeatedly costs one compare */
  private readonly last: Uint32Array;
  private readonly scratch = new Uint32Array(EXACT_LIMIT);

  constructor(count: number) {
    this.count = count;
    const buffer = new ArrayBuffer(count * BYTES_PER_COUNTER);
    this.words = new Uint32Array(buffer);
    this.registers = new Uint8Array(buffer);
    this.used = new Uint16Array(count);
    this.last = new Uint32Array(count);
  }

  /** Bytes of state per counter, for sizing tables from a memory budget. */
  static readonly bytesPerCounter = BYTES_PER_COUNTER + 2 + 4;

  clear(i: number): void {
    this.used[i] = 0;
  }

  /** Adds a 32-bit hash to counter i. */
  add(i: number, hash: number): void {
    const h = hash >>> 0;
    const used = this.used[i];
    if (used === 0) {
      this.words[i * EXACT_LIMIT] = h;
      this.used[i] = 1;
      this.last[i] = h;
      return;
    }
    if (this.last[i] === h) return;
    this.last[i] = h;
    if (used === ESTIMATED) {
      this.addToRegisters(i * BYTES_PER_COUNTER, h);
      return;
    }
    const words = this.words;
    const start = i * EXACT_LIMIT;
    const end = start + used;
    for (let k = start; k < end; k++) if (words[k] === h) return;
    if (used < EXACT_LIMIT) {
      words[end] = h;
      this.used[i] = used + 1;
      return;
    }
    // the 33rd distinct value: switch this counter to registers
    const kept = this.scratch;
    for (let k = 0; k < EXACT_LIMIT; k++) kept[k] = words[start + k];
    const r = i * BYTES_PER_COUNTER;
    this.registers.fill(0, r, r + REGISTERS);
    for (let k = 0; k < EXACT_LIMIT; k++) this.addToRegisters(r, kept[k]);
    this.addToRegisters(r, h);
    this.used[i] = ESTIMATED;
  }

  /** Distinct values added since clear(): exact up to EXACT_LIMIT, an estimate above. */
  estimate(i: number): number {
    const used = this.used[i];
    if (used !== ESTIMATED) return used;
    const r = i * BYTES_PER_COUNTER;
    let sum = 0;
    let zeros = 0;
    for (let k = 0; k < REGISTERS; k++) {
      const v = this.registers[r + k];
      sum += INVERSE_POWERS[v];
      if (v === 0) zeros++;
    }
    let e = (ALPHA * REGISTERS * REGISTERS) / sum;
    if (e <= 2.5 * REGISTERS && zeros > 0) e = REGISTERS * Math.log(REGISTERS / zeros);
    const n = Math.round(e);
    return n > EXACT_LIMIT ? n : EXACT_LIMIT + 1;
  }

  /** true when counter i is estimated (more than EXACT_LIMIT distinct values) */
  isEstimated(i: number): boolean {
    return this.used[i] === ESTIMATED;
  }

  private addToRegisters(r: number, h: number): void {
    const bucket = h >>> (32 - REGISTER_BITS);
    const rest = (h << REGISTER_BITS) | 0;
    // rank: position of the first 1 bit in the remaining 25 bits (26 when they are all 0)
    const rank = rest === 0 ? 32 - REGISTER_BITS + 1 : Math.clz32(rest) + 1;
    const at = r + bucket;
    if (rank > this.registers[at]) this.registers[at] = rank;
  }
}
