// A decoded frame (PacketMeta) turned into the PacketRecord the charts count, with addresses as text the
// way packets.csv writes them (dotted quad, RFC 5952 IPv6), so a capture file and its packets.csv chart alike.

import type { PacketMeta } from '../decode/packet-meta.js';
import { protocolName } from '../decode/protocol-name.js';
import type { PacketRecord } from './traffic-summary.js';

export function packetRecordFromMeta(meta: PacketMeta, timeS: number, wireBytes: number): PacketRecord {
  let src = '';
  let dst = '';
  const b = meta.bytes;
  if (meta.ipVersion === 4 || (meta.ipVersion === 0 && meta.arpAddrLen === 4)) {
    if (meta.srcAddrOffset >= 0 && meta.srcAddrOffset + 4 <= b.length) src = ipv4String(b, meta.srcAddrOffset);
    if (meta.dstAddrOffset >= 0 && meta.dstAddrOffset + 4 <= b.length) dst = ipv4String(b, meta.dstAddrOffset);
  } else if (meta.ipVersion === 6 || (meta.ipVersion === 0 && meta.arpAddrLen === 16)) {
    if (meta.srcAddrOffset >= 0 && meta.srcAddrOffset + 16 <= b.length) src = ipv6String(b, meta.srcAddrOffset);
    if (meta.dstAddrOffset >= 0 && meta.dstAddrOffset + 16 <= b.length) dst = ipv6String(b, meta.dstAddrOffset);
  }
  return { timeS, wireBytes, src, dst, protocol: protocolName(meta), srcPort: meta.srcPort, dstPort: meta.dstPort };
}

export function ipv4String(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as "::". */
export function ipv6String(b: Uint8Array, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4String(b, at + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** An address held as flow-key words (IPv4 in one word, IPv6 in four, big-endian groups), as text. */
export function addressFromWords(words: ArrayLike<number>, at: number, v6: boolean): string {
  if (!v6) {
    const w = words[at];
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = words[at + i];
    bytes[4 * i] = w >>> 24;
    bytes[4 * i + 1] = (w >>> 16) & 255;
    bytes[4 * i + 2] = (w >>> 8) & 255;
    bytes[4 * i + 3] = w & 255;
  }
  return ipv6String(bytes, 0);
}
