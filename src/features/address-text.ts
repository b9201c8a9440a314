// Addresses and integers as ASCII bytes, for the CSV writer and for text cells built on the main thread
// (the CIC Flow ID): integer arithmetic and lookup tables, no strings.

const COLON = 0x3a;
const DOT = 0x2e;
const ZERO = 0x30;
const HEX = new Uint8Array(Array.from('0123456789abcdef', (c) => c.charCodeAt(0)));
const OCTET_TEXT: Uint8Array[] = Array.from({ length: 256 }, (_, i) => new TextEncoder().encode(String(i)));

/** RFC 5952 text of an IPv6 address held in four words (`g`: scratch for its eight groups). */
export function ipv6Text(buf: Uint8Array, p: number, words: Uint32Array, at: number, g: Uint16Array): number {
  for (let i = 0; i < 4; i++) {
    const w = words[at + i];
    g[2 * i] = w >>> 16;
    g[2 * i + 1] = w & 0xffff;
  }
  return ipv6GroupsText(buf, p, g);
}

/** RFC 5952 text of eight 16-bit groups: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function ipv6GroupsText(buf: Uint8Array, p: number, g: Uint16Array): number {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (g[i] === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped (::ffff:a.b.c.d) keeps the dotted quad, as inet_ntop and tshark print it
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff) {
    buf[p++] = COLON;
    buf[p++] = COLON;
    for (let i = 0; i < 4; i++) buf[p++] = 0x66;
    buf[p++] = COLON;
    return ipv4Text(buf, p, ((g[6] << 16) | g[7]) >>> 0);
  }
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      buf[p++] = COLON;
      buf[p++] = COLON;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) buf[p++] = COLON;
    const v = g[i];
    if (v >= 0x1000) buf[p++] = HEX[v >> 12];
    if (v >= 0x100) buf[p++] = HEX[(v >> 8) & 15];
    if (v >= 0x10) buf[p++] = HEX[(v >> 4) & 15];
    buf[p++] = HEX[v & 15];
  }
  return p;
}

/** Dotted-quad text of an IPv4 address held in one word. */
export function ipv4Text(buf: Uint8Array, p: number, w: number): number {
  let t = OCTET_TEXT[w >>> 24];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  buf[p++] = DOT;
  t = OCTET_TEXT[(w >>> 16) & 0xff];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  buf[p++] = DOT;
  t = OCTET_TEXT[(w >>> 8) & 0xff];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  buf[p++] = DOT;
  t = OCTET_TEXT[w & 0xff];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  return p;
}

/** Decimal digits of a non-negative integer below 2^31. */
export function uintText(buf: Uint8Array, p: number, n: number): number {
  let v = n | 0;
  let len = 1;
  for (let x = v; x >= 10; x = (x / 10) | 0) len++;
  let i = p + len;
  do {
    const q = (v / 10) | 0;
    buf[--i] = ZERO + (v - q * 10);
    v = q;
  } while (v > 0);
  return p + len;
}
