// The lines `netml traceroute` prints, in the layout of the classic traceroute so people and scripts that
// know it read it at once: " 2  10.0.2.2  0.412 ms  0.380 ms  *", an address repeated only when it changes
// within a hop, "!H"-style marks for unreachable answers.

/** How one probe was answered. */
export interface ProbeAnswer {
  address: string;
  rttMs: number;
  /** time-exceeded: a router on the way; port-unreachable: the target itself; unreachable: someone refused */
  kind: 'time-exceeded' | 'port-unreachable' | 'unreachable';
  /** traceroute's annotation for unreachable answers: !N network, !H host, !P protocol, !X administratively, !<code> other */
  mark: string;
}

export interface HopResult {
  /** TTL (hop limit) of the probes */
  hop: number;
  /** one entry per probe, in the order sent; null = no answer within the timeout */
  probes: (ProbeAnswer | null)[];
}

/** The hop is the last one: the target answered, or someone said it cannot be reached. */
export function hopEndsTrace(h: HopResult): boolean {
  return h.probes.some((p) => p !== null && p.kind !== 'time-exceeded');
}

export function formatRtt(ms: number): string {
  return `${ms.toFixed(3)} ms`;
}

/** " 1  10.0.0.1  0.123 ms  0.101 ms  *", hop numbers right-aligned to two digits. */
export function formatHop(h: HopResult): string {
  const parts: string[] = [String(h.hop).padStart(2)];
  let last: string | undefined;
  for (const p of h.probes) {
    if (p === null) {
      parts.push('*');
      continue;
    }
    if (p.address !== last) {
      parts.push(p.address);
      last = p.address;
    }
    parts.push(p.mark ? `${formatRtt(p.rttMs)} ${p.mark}` : formatRtt(p.rttMs));
  }
  return parts.join('  ');
}

/** The one-line heading: "traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 3 probes per hop, UDP to port 33434+, via veth0". */
export function formatTraceHeading(target: string, address: string, maxHops: number, probes: number, firstPort: number, interfaceName: string): string {
  const name = target === address ? address : `${target} (${address})`;
  return `traceroute to ${name}, ${maxHops} hops max, ${probes} probe${probes === 1 ? '' : 's'} per hop, UDP to port ${firstPort}+, answers read on ${interfaceName}`;
}

/** traceroute's marks for ICMP / ICMPv6 destination-unreachable codes (RFC 792, RFC 1812, RFC 4443). */
export function unreachableMark(family: 4 | 6, code: number): string {
  if (family === 4) {
    switch (code) {
      case 0:
        return '!N';
      case 1:
        return '!H';
      case 2:
        return '!P';
      case 4:
        return '!F';
      case 5:
        return '!S';
      case 9:
      case 10:
      case 13:
        return '!X';
      default:
        return `!<${code}>`;
    }
  }
  switch (code) {
    case 0:
      return '!N';
    case 1:
      return '!X';
    case 3:
      return '!H';
    default:
      return `!<${code}>`;
  }
}
