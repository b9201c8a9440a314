// Turns a decoded PacketMeta into a plain object with addresses as text, so a test can compare every field
// of a decode with one toEqual against `expected({...only what this packet sets})`.

import { decodeFrame } from '../../src/decode/decode-frame.js';
import { decodeStatusNames, PacketMeta, tunnelKindNames } from '../../src/decode/packet-meta.js';
import { protocolName } from '../../src/decode/protocol-name.js';
import { LinkType } from '../../src/decode/link-types.js';

export interface DecodedView {
  status: string;
  detail: string;
  linkType: number;
  ethSrc: string | null;
  ethDst: string | null;
  etherType: number;
  vlanId: number;
  vlanInnerId: number;
  vlanDepth: number;
  mplsLabel: number;
  ipVersion: number;
  src: string | null;
  dst: string | null;
  ipProto: number;
  protocol: string;
  ttl: number;
  ipLen: number;
  df: number;
  mf: number;
  fragOffset: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  tcpSeq: number;
  tcpAck: number;
  tcpWindow: number;
  tcpOptionsLen: number;
  payloadLen: number;
  icmpType: number;
  icmpCode: number;
  arpOp: number;
  tunnel: string;
  tunnelSrc: string | null;
  tunnelDst: string | null;
}

/** Every field absent: what a frame with nothing decodable (and status ok) looks like on Ethernet. */
export const ABSENT: DecodedView = {
  status: 'ok',
  detail: '',
  linkType: LinkType.ethernet,
  ethSrc: null,
  ethDst: null,
  etherType: -1,
  vlanId: -1,
  vlanInnerId: -1,
  vlanDepth: 0,
  mplsLabel: -1,
  ipVersion: 0,
  src: null,
  dst: null,
  ipProto: -1,
  protocol: 'other',
  ttl: -1,
  ipLen: -1,
  df: -1,
  mf: -1,
  fragOffset: -1,
  srcPort: -1,
  dstPort: -1,
  tcpFlags: -1,
  tcpSeq: -1,
  tcpAck: -1,
  tcpWindow: -1,
  tcpOptionsLen: -1,
  payloadLen: -1,
  icmpType: -1,
  icmpCode: -1,
  arpOp: -1,
  tunnel: '',
  tunnelSrc: null,
  tunnelDst: null,
};

export function expected(fields: Partial<DecodedView>): DecodedView {
  return { ...ABSENT, ...fields };
}

export function macText(b: Uint8Array, off: number): string | null {
  if (off < 0) return null;
  return Array.from(b.subarray(off, off + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function addressText(b: Uint8Array, off: number, len: number): string | null {
  if (off < 0) return null;
  if (len === 4) return Array.from(b.subarray(off, off + 4)).join('.');
  if (len === 16) {
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push(((b[off + 2 * i] << 8) | b[off + 2 * i + 1]).toString(16));
    return words.join(':');
  }
  return `?${len}@${off}`;
}

export function view(m: PacketMeta): DecodedView {
  const addrLen = m.ipVersion === 6 ? 16 : m.ipVersion === 4 ? 4 : m.arpAddrLen;
  const tunnelLen = m.tunnelIpVersion === 6 ? 16 : m.tunnelIpVersion === 4 ? 4 : 0;
  return {
    status: decodeStatusNames[m.status],
    detail: m.statusDetail,
    linkType: m.linkType,
    ethSrc: macText(m.bytes, m.ethSrcOffset),
    ethDst: macText(m.bytes, m.ethDstOffset),
    etherType: m.etherType,
    vlanId: m.vlanId,
    vlanInnerId: m.vlanInnerId,
    vlanDepth: m.vlanDepth,
    mplsLabel: m.mplsLabel,
    ipVersion: m.ipVersion,
    src: addressText(m.bytes, m.srcAddrOffset, addrLen),
    dst: addressText(m.bytes, m.dstAddrOffset, addrLen),
    ipProto: m.ipProto,
    protocol: protocolName(m),
    ttl: m.ttl,
    ipLen: m.ipLen,
    df: m.ipDontFragment,
    mf: m.ipMoreFragments,
    fragOffset: m.fragOffset,
    srcPort: m.srcPort,
    dstPort: m.dstPort,
    tcpFlags: m.tcpFlags,
    tcpSeq: m.tcpSeq,
    tcpAck: m.tcpAck,
    tcpWindow: m.tcpWindow,
    tcpOptionsLen: m.tcpOptionsLen,
    payloadLen: m.payloadLen,
    icmpType: m.icmpType,
    icmpCode: m.icmpCode,
    arpOp: m.arpOp,
    tunnel: tunnelKindNames[m.tunnel],
    tunnelSrc: addressText(m.bytes, m.tunnelSrcOffset, tunnelLen),
    tunnelDst: addressText(m.bytes, m.tunnelDstOffset, tunnelLen),
  };
}

/** Decodes a whole standalone frame with a fresh PacketMeta. */
export function decode(bytes: Uint8Array, linkType: number = LinkType.ethernet): DecodedView {
  const meta = new PacketMeta();
  decodeFrame(bytes, 0, bytes.length, linkType, meta);
  return view(meta);
}

/** IPv6 text as addressText renders it (eight unabbreviated hex words), from a compressed form. */
export function v6(text: string): string {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':').filter((w) => w !== '') : [];
  const t = tail ? tail.split(':').filter((w) => w !== '') : [];
  return [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16).toString(16)).join(':');
}
