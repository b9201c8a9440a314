// Builds well-formed Ethernet frames (IPv4/IPv6, TCP/UDP/ICMP/ICMPv6, ARP) with correct lengths and
// checksums. The sample capture and the benchmark captures are made from these, so netml ships and
// measures on data it made itself instead of third-party captures.

export type Mac = readonly number[];
/** 4 bytes for IPv4, 16 for IPv6 */
export type IpAddr = readonly number[];

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** FIN 1, SYN 2, RST 4, PSH 8, ACK 16 */
  flags: number;
  window: number;
  /** MSS/SACK/window-scale options on SYNs, like a real stack */
  options?: Uint8Array;
  payloadLen: number;
}

const ETH_HEADER = 14;

export function ipv4(text: string): IpAddr {
  return text.split('.').map(Number);
}

export function ipv6(text: string): IpAddr {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const zeros = tail !== undefined ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function mac(text: string): Mac {
  return text.split(':').map((h) => parseInt(h, 16));
}

/** The options a Linux SYN carries: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes). */
export const LINUX_SYN_OPTIONS = new Uint8Array([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]);

function ethernet(frame: Uint8Array, src: Mac, dst: Mac, etherType: number): void {
  frame.set(dst, 0);
  frame.set(src, 6);
  frame[12] = etherType >> 8;
  frame[13] = etherType & 0xff;
}

function checksumAdd(sum: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i += 2) sum += (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
  return sum;
}

function checksumFold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

interface IpHeader {
  src: IpAddr;
  dst: IpAddr;
  ttl: number;
  ipId?: number;
}

/** Writes the IP header at offset 14 and returns the offset of the transport header. */
function ipHeader(frame: Uint8Array, ip: IpHeader, proto: number, l4Len: number): number {
  if (ip.src.length === 4) {
    const h = ETH_HEADER;
    frame[h] = 0x45;
    put16(frame, h + 2, 20 + l4Len);
    put16(frame, h + 4, ip.ipId ?? 0);
    frame[h + 6] = 0x40; // DF, as Linux sets it on TCP and most UDP
    frame[h + 8] = ip.ttl;
    frame[h + 9] = proto;
    frame.set(ip.src, h + 12);
    frame.set(ip.dst, h + 16);
    put16(frame, h + 10, checksumFold(checksumAdd(0, frame, h, h + 20)));
    return h + 20;
  }
  const h = ETH_HEADER;
  frame[h] = 0x60;
  put16(frame, h + 4, l4Len);
  frame[h + 6] = proto;
  frame[h + 7] = ip.ttl;
  frame.set(ip.src, h + 8);
  frame.set(ip.dst, h + 24);
  return h + 40;
}

/** TCP/UDP/ICMPv6 checksum over the pseudo-header (RFC 793 / RFC 8200 section 8.1). */
function transportChecksum(frame: Uint8Array, ip: IpHeader, proto: number, l4Start: number, l4Len: number): number {
  let sum = 0;
  const src = Uint8Array.from(ip.src);
  const dst = Uint8Array.from(ip.dst);
  sum = checksumAdd(sum, src, 0, src.length);
  sum = checksumAdd(sum, dst, 0, dst.length);
  sum += proto + (l4Len & 0xffff) + (l4Len >>> 16);
  sum = checksumAdd(sum, frame, l4Start, l4Start + l4Len);
  return checksumFold(sum);
}

function frameFor(ip: IpHeader, l4Len: number, srcMac: Mac, dstMac: Mac): Uint8Array {
  const ipLen = ip.src.length === 4 ? 20 : 40;
  // Ethernet pads to 60 bytes before the FCS, as a capture on a real NIC shows
  const frame = new Uint8Array(Math.max(60, ETH_HEADER + ipLen + l4Len));
  ethernet(frame, srcMac, dstMac, ip.src.length === 4 ? 0x0800 : 0x86dd);
  return frame;
}

/** A deterministic payload: bytes that look like text, so Wireshark shows something readable. */
function fillPayload(frame: Uint8Array, start: number, len: number, seed: number): void {
  for (let i = 0; i < len; i++) frame[start + i] = 0x61 + ((seed + i * 7) % 26);
}

export function tcpFrame(srcMac: Mac, dstMac: Mac, ip: IpHeader, seg: TcpSegment): Uint8Array {
  const optLen = seg.options?.length ?? 0;
  const hdrLen = 20 + optLen;
  const l4Len = hdrLen + seg.payloadLen;
  const frame = frameFor(ip, l4Len, srcMac, dstMac);
  const t = ipHeader(frame, ip, 6, l4Len);
  put16(frame, t, seg.srcPort);
  put16(frame, t + 2, seg.dstPort);
  put32(frame, t + 4, seg.seq >>> 0);
  put32(frame, t + 8, seg.ack >>> 0);
  frame[t + 12] = (hdrLen / 4) << 4;
  frame[t + 13] = seg.flags & 0xff;
  put16(frame, t + 14, seg.window);
  if (seg.options) frame.set(seg.options, t + 20);
  fillPayload(frame, t + hdrLen, seg.payloadLen, seg.seq);
  put16(frame, t + 16, transportChecksum(frame, ip, 6, t, l4Len));
  return frame;
}

export function udpFrame(srcMac: Mac, dstMac: Mac, ip: IpHeader, srcPort: number, dstPort: number, payload: Uint8Array | number): Uint8Array {
  const payloadLen = typeof payload === 'number' ? payload : payload.length;
  const l4Len = 8 + payloadLen;
  const frame = frameFor(ip, l4Len, srcMac, dstMac);
  const u = ipHeader(frame, ip, 17, l4Len);
  put16(frame, u, srcPort);
  put16(frame, u + 2, dstPort);
  put16(frame, u + 4, l4Len);
  if (typeof payload === 'number') fillPayload(frame, u + 8, payloadLen, srcPort);
  else frame.set(payload, u + 8);
  put16(frame, u + 6, transportChecksum(frame, ip, 17, u, l4Len) || 0xffff);
  return frame;
}

/** ICMP echo (IPv4 type 8/0) or ICMPv6 echo (128/129), 56 bytes of data like ping. */
export function echoFrame(srcMac: Mac, dstMac: Mac, ip: IpHeader, reply: boolean, id: number, seq: number): Uint8Array {
  const v6 = ip.src.length === 16;
  const l4Len = 8 + 56;
  const frame = frameFor(ip, l4Len, srcMac, dstMac);
  const c = ipHeader(frame, ip, v6 ? 58 : 1, l4Len);
  frame[c] = v6 ? (reply ? 129 : 128) : reply ? 0 : 8;
  put16(frame, c + 4, id);
  put16(frame, c + 6, seq);
  fillPayload(frame, c + 8, 56, seq);
  const sum = v6 ? transportChecksum(frame, ip, 58, c, l4Len) : checksumFold(checksumAdd(0, frame, c, c + l4Len));
  put16(frame, c + 2, sum);
  return frame;
}

/** An ARP request (op 1, broadcast) or reply (op 2) for IPv4 over Ethernet. */
export function arpFrame(srcMac: Mac, dstMac: Mac, op: 1 | 2, senderIp: IpAddr, targetMac: Mac, targetIp: IpAddr): Uint8Array {
  const frame = new Uint8Array(60);
  ethernet(frame, srcMac, dstMac, 0x0806);
  const a = ETH_HEADER;
  put16(frame, a, 1);
  put16(frame, a + 2, 0x0800);
  frame[a + 4] = 6;
  frame[a + 5] = 4;
  put16(frame, a + 6, op);
  frame.set(srcMac, a + 8);
  frame.set(senderIp, a + 14);
  frame.set(targetMac, a + 18);
  frame.set(targetIp, a + 24);
  return frame;
}

/** A DNS query or answer for an A record (RFC 1035), enough for tshark to decode it as DNS. */
export function dnsMessage(id: number, name: string, answer?: IpAddr): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Array.from(l, (ch) => ch.charCodeAt(0))]);
  const question = [...labels, 0, 0, 1, 0, 1];
  const header = [id >> 8, id & 0xff, answer ? 0x81 : 0x01, answer ? 0x80 : 0x00, 0, 1, 0, answer ? 1 : 0, 0, 0, 0, 0];
  const record = answer ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...answer] : [];
  return Uint8Array.from([...header, ...question, ...record]);
}
