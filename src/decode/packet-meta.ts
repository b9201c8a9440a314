// The one record every decoder writes into. It is allocated once and reset per frame, so decoding a
// million packets allocates nothing: addresses are byte offsets into the frame, not strings.
// -1 means "absent / not applicable" for every numeric field.

/** How far decoding got. Anything but `ok` keeps every field decoded before the problem. */
export const DecodeStatus = {
  ok: 0,
  /** the captured bytes end before a header does (snaplen cut or damaged frame) */
  truncated: 1,
  /** a header is present but its fields are impossible (bad version, length smaller than the header...) */
  malformed: 2,
  /** link type or protocol we do not decode; the fields before it are filled */
  unsupported: 3,
} as const;
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];
export const decodeStatusNames = ['ok', 'truncated', 'malformed', 'unsupported'] as const;

/** Tunnel kinds; the address columns hold the innermost IP header, the tunnel columns the outermost. */
export const TunnelKind = {
  none: 0,
  gre: 1,
  vxlan: 2,
  teredo: 3,
  sixInFour: 4, // IPv6 in IPv4 (proto 41)
  ipInIp: 5, // IPv4 in IPv4 (proto 4), IPv4/IPv6 in IPv6
} as const;
export type TunnelKind = (typeof TunnelKind)[keyof typeof TunnelKind];
export const tunnelKindNames = ['', 'gre', 'vxlan', 'teredo', '6in4', 'ipip'] as const;

export class PacketMeta {
  /** the frame's bytes; all *Offset fields index into it */
  bytes: Uint8Array = new Uint8Array(0);
  status: DecodeStatus = DecodeStatus.ok;
  /** short reason when status is not ok, e.g. "tcp: header needs 20 bytes, 12 captured" */
  statusDetail = '';

  linkType = -1;
  /**
   * true when the whole frame is known to be captured (captured length = wire length): an IP length beyond
   * the frame is then damage, not the snap length cutting a long packet short
   */
  frameIsWhole = false;
  /** offsets of the 6-byte MAC addresses, -1 without an Ethernet header */
  ethSrcOffset = -1;
  ethDstOffset = -1;
  /** the ethertype that introduced the (outermost) network layer, after VLAN/MPLS/PPPoE */
  etherType = -1;
  /** outermost and second 802.1Q/802.1ad VLAN ids; vlanDepth counts all tags (QinQinQ = 3) */
  vlanId = -1;
  vlanInnerId = -1;
  vlanDepth = 0;
  /** outermost MPLS label */
  mplsLabel = -1;

  /** 4 or 6 for the innermost IP header, 0 when there is none */
  ipVersion = 0;
  /** offsets of the innermost IP source/destination (4 or 16 bytes as ipVersion says) */
  srcAddrOffset = -1;
  dstAddrOffset = -1;
  /** the transport protocol number after IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...) */
  ipProto = -1;
  /** IPv4 TTL or IPv6 hop limit */
  ttl = -1;
  /** total length of the innermost IP packet as its header declares it (IPv6: 40 + payload length) */
  ipLen = -1;
  ipDontFragment = -1;
  ipMoreFragments = -1;
  /** fragment offset in bytes (header field x 8); from the IPv6 fragment header too */
  fragOffset = -1;

  srcPort = -1;
  dstPort = -1;
  /** the 12 TCP flag bits (NS CWR ECE URG ACK PSH RST SYN FIN and 3 reserved) */
  tcpFlags = -1;
  tcpSeq = -1;
  tcpAck = -1;
  tcpWindow = -1;
  /** TCP header length minus 20 */
  tcpOptionsLen = -1;
  /** transport payload length from the declared IP/UDP lengths, not the captured length */
  payloadLen = -1;
  icmpType = -1;
  icmpCode = -1;

  /** ARP opcode; for ARP the sender/target protocol addresses go into src/dstAddrOffset with arpAddrLen */
  arpOp = -1;
  arpAddrLen = 0;

  tunnel: TunnelKind = TunnelKind.none;
  /** IP version and address offsets of the outermost IP header when a tunnel was seen */
  tunnelIpVersion = 0;
  tunnelSrcOffset = -1;
  tunnelDstOffset = -1;

  reset(bytes: Uint8Array, linkType: number): void {
    this.bytes = bytes;
    this.status = DecodeStatus.ok;
    this.statusDetail = '';
    this.linkType = linkType;
    this.frameIsWhole = false;
    this.ethSrcOffset = -1;
    this.ethDstOffset = -1;
    this.etherType = -1;
    this.vlanId = -1;
    this.vlanInnerId = -1;
    this.vlanDepth = 0;
    this.mplsLabel = -1;
    this.ipVersion = 0;
    this.srcAddrOffset = -1;
    this.dstAddrOffset = -1;
    this.ipProto = -1;
    this.ttl = -1;
    this.ipLen = -1;
    this.ipDontFragment = -1;
    this.ipMoreFragments = -1;
    this.fragOffset = -1;
    this.srcPort = -1;
    this.dstPort = -1;
    this.tcpFlags = -1;
    this.tcpSeq = -1;
    this.tcpAck = -1;
    this.tcpWindow = -1;
    this.tcpOptionsLen = -1;
    this.payloadLen = -1;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.arpOp = -1;
    this.arpAddrLen = 0;
    this.tunnel = TunnelKind.none;
    this.tunnelIpVersion = 0;
    this.tunnelSrcOffset = -1;
    this.tunnelDstOffset = -1;
  }

  /** Marks the frame as cut short or damaged; the first problem wins, later layers do not overwrite it. */
  flag(status: DecodeStatus, detail: string): void {
    if (this.status === DecodeStatus.ok) {
      this.status = status;
      this.statusDetail = detail;
    }
  }
}
