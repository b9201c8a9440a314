// The tunnel rule in one place: tunnel columns keep the outermost IP header, address/port columns the innermost one.

import { TunnelKind, type PacketMeta } from './packet-meta.js';

/**
 * Called by an encapsulation before it decodes its payload; the outermost tunnel names the kind. Returns
 * whether this call set it, to hand to leaveTunnel.
 */
export function enterTunnel(meta: PacketMeta, kind: TunnelKind): boolean {
  if (meta.tunnel !== TunnelKind.none) return false;
  meta.tunnel = kind;
  return true;
}

/** Called after the payload was decoded: a tunnel that produced no inner network header is not reported. */
export function leaveTunnel(meta: PacketMeta, entered: boolean): void {
  if (entered && meta.tunnelIpVersion === 0) meta.tunnel = TunnelKind.none;
}

/**
 * Called by an IP or ARP header found after another IP header, once its own length check passed: the outer
 * header moves to the tunnel columns (only the outermost one is kept) and every outer network and transport
 * field is forgotten, so the inner packet never inherits an outer port or flag.
 */
export function startInnerNetworkLayer(meta: PacketMeta): void {
  if (meta.tunnelIpVersion === 0) {
    meta.tunnelIpVersion = meta.ipVersion;
    meta.tunnelSrcOffset = meta.srcAddrOffset;
    meta.tunnelDstOffset = meta.dstAddrOffset;
  }
  meta.ipVersion = 0;
  meta.srcAddrOffset = -1;
  meta.dstAddrOffset = -1;
  meta.ipProto = -1;
  meta.ttl = -1;
  meta.ipLen = -1;
  meta.ipDontFragment = -1;
  meta.ipMoreFragments = -1;
  meta.fragOffset = -1;
  meta.srcPort = -1;
  meta.dstPort = -1;
  meta.tcpFlags = -1;
  meta.tcpSeq = -1;
  meta.tcpAck = -1;
  meta.tcpWindow = -1;
  meta.tcpOptionsLen = -1;
  meta.payloadLen = -1;
  meta.icmpType = -1;
  meta.icmpCode = -1;
  meta.arpOp = -1;
  meta.arpAddrLen = 0;
}
