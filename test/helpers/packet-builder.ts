// Builds real packet bytes for decoder tests, one function per protocol, each taking its payload and
// computing the length and type fields around it, so fixtures read like the stack they describe:
//   ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ sport: 1, dport: 2 })))
// IPv4 header checksums are computed; transport checksums are left 0 (the decoder never reads them).

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_RARP = 0x8035;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_QINQ_LEGACY = 0x9100;
export const ETH_MPLS = 0x8847;
export const ETH_PPPOE_DISCOVERY = 0x8863;
export const ETH_PPPOE_SESSION = 0x8864;
export const ETH_TEB = 0x6558;
export const ETH_PPP = 0x880b;
export const ETH_ERSPAN2 = 0x88be;
export const ETH_ERSPAN3 = 0x22eb;
export const ETH_CISCO_METADATA = 0x8909;
export const ETH_VNTAG = 0x8926;

export const PROTO_ICMP = 1;
export const PROTO_IGMP = 2;
export const PROTO_IPIP = 4;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_IPV6 = 41;
export const PROTO_ROUTING = 43;
export const PROTO_FRAGMENT = 44;
export const PROTO_GRE = 47;
export const PROTO_ESP = 50;
export const PROTO_AH = 51;
export const PROTO_ICMPV6 = 58;
export const PROTO_NO_NEXT = 59;
export const PROTO_DEST_OPTS = 60;
export const PROTO_HOP_BY_HOP = 0;
export const PROTO_MOBILITY = 135;
export const PROTO_SCTP = 132;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;
export const TCP_NS = 0x100;

type Bytes = Uint8Array | readonly number[];

export function concat(...parts: Bytes[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function u16le(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}

export function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** n bytes of a repeating pattern, for payloads */
export function filler(n: number, seed = 0x41): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed + i) & 0xff;
  return out;
}

export function mac(text: string): number[] {
  return text.split(':').map((h) => parseInt(h, 16));
}

export function ip4(text: string): number[] {
  return text.split('.').map(Number);
}

export function ip6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headWords = head ? head.split(':').filter((w) => w !== '') : [];
  const tailWords = tail ? tail.split(':').filter((w) => w !== '') : [];
  const words = [...headWords, ...new Array(8 - headWords.length - tailWords.length).fill('0'), ...tailWords];
  return words.flatMap((w) => u16(parseInt(w, 16)));
}

// ---------------------------------------------------------------------------------------------- link

export interface EthernetOptions {
  dst?: string;
  src?: string;
  /** ethertype, or an 802.3 length when 1500 or less */
  type: number;
}

export function ethernet(o: EthernetOptions, payload: Bytes = []): Uint8Array {
  return concat(mac(o.dst ?? '00:11:22:33:44:55'), mac(o.src ?? '66:77:88:99:aa:bb'), u16(o.type), payload);
}

/** One VLAN tag (the TPID is the type field of whatever precedes it) followed by `type`. */
export function vlan(o: { id: number; pcp?: number; type: number }, payload: Bytes = []): Uint8Array {
  return concat(u16(((o.pcp ?? 0) << 13) | o.id), u16(o.type), payload);
}

/** 802.2 LLC with a SNAP header carrying an ethertype (RFC 1042) */
export function llcSnap(o: { type: number; oui?: number }, payload: Bytes = []): Uint8Array {
  const oui = o.oui ?? 0;
  return concat([0xaa, 0xaa, 0x03, (oui >> 16) & 0xff, (oui >> 8) & 0xff, oui & 0xff], u16(o.type), payload);
}

/** One MPLS label stack entry */
export function mpls(o: { label: number; bottom: boolean; ttl?: number; tc?: number }, payload: Bytes = []): Uint8Array {
  const entry = ((o.label & 0xfffff) << 12) | ((o.tc ?? 0) << 9) | (o.bottom ? 0x100 : 0) | (o.ttl ?? 64);
  return concat(u32(entry), payload);
}

/** PPPoE session header (RFC 2516) with the PPP protocol field; length counts protocol + payload */
export function pppoeSession(o: { session?: number; pppProtocol: number }, payload: Bytes = []): Uint8Array {
  return concat([0x11, 0x00], u16(o.session ?? 1), u16(payload.length + 2), u16(o.pppProtocol), payload);
}

/** A PPP frame: optional address/control (0xff 0x03), protocol on 1 (compressed) or 2 bytes */
export function ppp(o: { protocol: number; addressControl?: boolean; compressProtocol?: boolean }, payload: Bytes = []): Uint8Array {
  const ac = o.addressControl === false ? [] : [0xff, 0x03];
  const proto = o.compressProtocol ? [o.protocol & 0xff] : u16(o.protocol);
  return concat(ac, proto, payload);
}

export function vnTag(o: { type: number }, payload: Bytes = []): Uint8Array {
  return concat([0x80, 0x01, 0x00, 0x02], u16(o.type), payload);
}

/** Cisco MetaData as it appears after ethertype 0x8909 on Ethernet: ver, len, option, SGT, ethertype */
export function ciscoMetadata(o: { sgt: number; type: number }, payload: Bytes = []): Uint8Array {
  return concat([0x01, 0x01], u16(0x0001), u16(o.sgt), u16(o.type), payload);
}

/** Cisco MetaData in its GRE form: ethertype first */
export function ciscoMetadataGre(o: { sgt: number; type: number }, payload: Bytes = []): Uint8Array {
  return concat(u16(o.type), [0x01, 0x01], u16(0x0001), u16(o.sgt), payload);
}

export function nullLoopback(o: { family: number; littleEndian: boolean }, payload: Bytes = []): Uint8Array {
  return concat(o.littleEndian ? u32le(o.family) : u32(o.family), payload);
}

/** Linux cooked v1: packet type, ARPHRD type, address length, 8 address bytes, protocol */
export function linuxSll(o: { protocol: number; hatype?: number; packetType?: number }, payload: Bytes = []): Uint8Array {
  return concat(u16(o.packetType ?? 0), u16(o.hatype ?? 1), u16(6), mac('00:01:02:03:04:05'), [0, 0], u16(o.protocol), payload);
}

/** Linux cooked v2: protocol, reserved, ifindex, ARPHRD type, packet type, address length, 8 address bytes */
export function linuxSll2(o: { protocol: number; hatype?: number; ifindex?: number }, payload: Bytes = []): Uint8Array {
  return concat(u16(o.protocol), [0, 0], u32(o.ifindex ?? 2), u16(o.hatype ?? 1), [0, 6], mac('00:01:02:03:04:05'), [0, 0], payload);
}

/** NFLOG: header, a prefix TLV, then the payload TLV (type 9); TLV length/type little-endian like x86 hosts write them */
export function nflog(o: { family: number; bigEndianTlv?: boolean }, payload: Bytes = []): Uint8Array {
  const tlv = (type: number, value: Bytes): Uint8Array => {
    const len = 4 + value.length;
    const pad = (4 - (len % 4)) % 4;
    const head = o.bigEndianTlv ? [...u16(len), ...u16(type)] : [...u16le(len), ...u16le(type)];
    return concat(head, value, new Uint8Array(pad));
  };
  // NFULA_PACKET_HDR (1): hw protocol, hook, pad; NFULA_PREFIX (10): "netml\0"
  return concat([o.family, 0, 0, 1], tlv(1, [0x08, 0x00, 0x03, 0x00]), tlv(10, [0x6e, 0x65, 0x74, 0x6d, 0x6c, 0x00]), tlv(9, payload));
}

export function ciscoHdlc(o: { protocol: number }, payload: Bytes = []): Uint8Array {
  return concat([0x0f, 0x00], u16(o.protocol), payload);
}

/** PPI with no fields: version 0, flags 0, length 8, then the wrapped link type (all little-endian) */
export function ppi(o: { linkType: number; headerLength?: number }, payload: Bytes = []): Uint8Array {
  const len = o.headerLength ?? 8;
  return concat([0, 0], u16le(len), u32le(o.linkType), new Uint8Array(Math.max(0, len - 8)), payload);
}

// ------------------------------------------------------------------------------------------- network

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** in bytes; must be a multiple of 8 */
  fragOffset?: number;
  /** raw option bytes, padded to a multiple of 4 by the caller */
  options?: Bytes;
  /** override the computed total length (malformed or TSO fixtures) */
  totalLength?: number;
  /** override the version/IHL byte */
  versionIhl?: number;
}

export function ipv4(o: Ipv4Options, payload: Bytes = []): Uint8Array {
  const options = o.options ?? [];
  const headerLen = 20 + options.length;
  const total = o.totalLength ?? headerLen + payload.length;
  const flagsFrag = (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3);
  const header = concat(
    [o.versionIhl ?? 0x40 | (headerLen >> 2), o.tos ?? 0],
    u16(total),
    u16(o.id ?? 0x1234),
    u16(flagsFrag),
    [o.ttl ?? 64, o.proto],
    [0, 0],
    ip4(o.src),
    ip4(o.dst),
    options,
  );
  const sum = internetChecksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return concat(header, payload);
}

export interface Ipv6Options {
  src: string;
  dst: string;
  next: number;
  hopLimit?: number;
  flowLabel?: number;
  /** override the computed payload length */
  payloadLength?: number;
}

export function ipv6(o: Ipv6Options, payload: Bytes = []): Uint8Array {
  const fl = o.flowLabel ?? 0;
  return concat(
    [0x60, (fl >> 16) & 0x0f, (fl >> 8) & 0xff, fl & 0xff],
    u16(o.payloadLength ?? payload.length),
    [o.next, o.hopLimit ?? 64],
    ip6(o.src),
    ip6(o.dst),
    payload,
  );
}

/** A generic IPv6 extension header (hop-by-hop, routing, destination options, mobility): `body` padded to 8n-2 */
export function ipv6Extension(o: { next: number; body?: Bytes }, payload: Bytes = []): Uint8Array {
  const body = o.body ?? [];
  let len = 2 + body.length;
  const pad = (8 - (len % 8)) % 8;
  len += pad;
  // PadN option fills the rest (RFC 8200 section 4.2), Pad1 when one byte is left
  const padding = pad === 0 ? [] : pad === 1 ? [0] : [1, pad - 2, ...new Array(pad - 2).fill(0)];
  return concat([o.next, len / 8 - 1], body, padding, payload);
}

/** Hop-by-hop header holding a Jumbo Payload option (RFC 2675) */
export function jumboHopByHop(o: { next: number; jumboLength: number }, payload: Bytes = []): Uint8Array {
  return concat([o.next, 0, 0xc2, 4], u32(o.jumboLength), payload);
}

export function ipv6Fragment(o: { next: number; offset: number; more: boolean; id?: number }, payload: Bytes = []): Uint8Array {
  return concat([o.next, 0], u16((o.offset & 0xfff8) | (o.more ? 1 : 0)), u32(o.id ?? 0xabcd), payload);
}

/** Authentication header (RFC 4302) with an ICV of `icvLen` bytes (a multiple of 4) */
export function ah(o: { next: number; icvLen?: number }, payload: Bytes = []): Uint8Array {
  const icv = o.icvLen ?? 12;
  return concat([o.next, (12 + icv) / 4 - 2], [0, 0], u32(0x1000), u32(1), new Uint8Array(icv), payload);
}

/** ESP: SPI, sequence, then opaque ciphertext */
export function esp(o: { spi: number; seq?: number }, ciphertext: Bytes = []): Uint8Array {
  return concat(u32(o.spi), u32(o.seq ?? 1), ciphertext);
}

export interface ArpOptions {
  op: number;
  senderMac?: string;
  senderIp: string;
  targetMac?: string;
  targetIp: string;
}

export function arp(o: ArpOptions): Uint8Array {
  return concat(
    u16(1),
    u16(ETH_IPV4),
    [6, 4],
    u16(o.op),
    mac(o.senderMac ?? '66:77:88:99:aa:bb'),
    ip4(o.senderIp),
    mac(o.targetMac ?? '00:00:00:00:00:00'),
    ip4(o.targetIp),
  );
}

// ----------------------------------------------------------------------------------------- transport

export interface TcpOptions {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** raw option bytes, padded to a multiple of 4 by the caller */
  options?: Bytes;
  /** override the data offset nibble */
  dataOffset?: number;
}

export function tcp(o: TcpOptions, payload: Bytes = []): Uint8Array {
  const options = o.options ?? [];
  const dataOffset = o.dataOffset ?? (20 + options.length) / 4;
  const flags = o.flags ?? TCP_ACK;
  return concat(
    u16(o.sport),
    u16(o.dport),
    u32(o.seq ?? 1000),
    u32(o.ack ?? 2000),
    [(dataOffset << 4) | ((flags >> 8) & 0x0f), flags & 0xff],
    u16(o.window ?? 65535),
    [0, 0, 0, 0],
    options,
    payload,
  );
}

/** MSS 1460, SACK permitted, timestamps, window scale: the 20 option bytes of a Linux SYN */
export const TCP_SYN_OPTIONS = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

export function udp(o: { sport: number; dport: number; length?: number }, payload: Bytes = []): Uint8Array {
  return concat(u16(o.sport), u16(o.dport), u16(o.length ?? 8 + payload.length), [0, 0], payload);
}

/** ICMP or ICMPv6 (same first 8 bytes): type, code, checksum, 4 bytes of `rest` */
export function icmp(o: { type: number; code?: number; rest?: number }, payload: Bytes = []): Uint8Array {
  return concat([o.type, o.code ?? 0, 0, 0], u32(o.rest ?? 0x00010001), payload);
}

export function sctp(o: { sport: number; dport: number; tag?: number }, chunks: Bytes = []): Uint8Array {
  return concat(u16(o.sport), u16(o.dport), u32(o.tag ?? 0xdeadbeef), u32(0), chunks);
}

/** An SCTP DATA chunk with `data` (padded to 4 bytes) */
export function sctpDataChunk(data: Bytes): Uint8Array {
  const len = 16 + data.length;
  return concat([0, 3], u16(len), u32(1), u16(0), u16(0), u32(0), data, new Uint8Array((4 - (len % 4)) % 4));
}

// ------------------------------------------------------------------------------------------- tunnels

export interface GreOptions {
  protocol: number;
  checksum?: boolean;
  key?: number;
  seq?: number;
  /** set the RFC 1701 routing bit (not decoded) */
  routing?: boolean;
}

/** GRE version 0 (RFC 2784/2890) */
export function gre(o: GreOptions, payload: Bytes = []): Uint8Array {
  const flags = (o.checksum ? 0x8000 : 0) | (o.routing ? 0x4000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0);
  return concat(
    u16(flags),
    u16(o.protocol),
    o.checksum ? [0, 0, 0, 0] : [],
    o.key !== undefined ? u32(o.key) : [],
    o.seq !== undefined ? u32(o.seq) : [],
    payload,
  );
}

/** PPTP enhanced GRE, version 1 (RFC 2637 section 4.1): key = payload length + call id */
export function greV1(o: { callId: number; seq?: number; ack?: number }, payload: Bytes = []): Uint8Array {
  const flags = 0x2000 | (o.seq !== undefined ? 0x1000 : 0) | (o.ack !== undefined ? 0x0080 : 0) | 1;
  return concat(
    u16(flags),
    u16(ETH_PPP),
    u16(payload.length),
    u16(o.callId),
    o.seq !== undefined ? u32(o.seq) : [],
    o.ack !== undefined ? u32(o.ack) : [],
    payload,
  );
}

/** ERSPAN type II header (8 bytes) */
export function erspan2(o: { session: number; vlanId?: number }, payload: Bytes = []): Uint8Array {
  return concat(u16(0x1000 | (o.vlanId ?? 0)), u16(o.session & 0x3ff), u32(0), payload);
}

/** ERSPAN type III header (12 bytes, +8 platform-specific bytes when `platform`) */
export function erspan3(o: { session: number; platform?: boolean }, payload: Bytes = []): Uint8Array {
  return concat(u16(0x2000), u16(o.session & 0x3ff), u32(0x01020304), u16(0), [0, o.platform ? 1 : 0], o.platform ? new Uint8Array(8) : [], payload);
}

export function vxlan(o: { vni: number }, payload: Bytes = []): Uint8Array {
  return concat([0x08, 0, 0, 0], [(o.vni >> 16) & 0xff, (o.vni >> 8) & 0xff, o.vni & 0xff, 0], payload);
}

/** Teredo indicators (RFC 4380 section 5.1.1) before the IPv6 packet */
export function teredo(o: { auth?: { idLen: number; authLen: number }; origin?: { port: number; ip: string } }, payload: Bytes = []): Uint8Array {
  const auth = o.auth
    ? concat([0, 1, o.auth.idLen, o.auth.authLen], new Uint8Array(o.auth.idLen + o.auth.authLen), filler(8), [0])
    : new Uint8Array(0);
  // RFC 4380 obfuscates port and address by XOR with all ones
  const origin = o.origin ? concat([0, 0], u16(~o.origin.port & 0xffff), ip4(o.origin.ip).map((v) => ~v & 0xff)) : new Uint8Array(0);
  return concat(auth, origin, payload);
}

// ------------------------------------------------------------------------------------------- helpers

export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
