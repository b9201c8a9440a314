// How `netml traceroute` recognises the answer to a probe: an ICMP/ICMPv6 error quoting our UDP datagram
// (its ports identify the probe), built here byte by byte; and the lines it prints for a hop.

import { describe, expect, it } from 'vitest';
import { icmpAnswerOf } from '../../src/cli/traceroute.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { PacketMeta } from '../../src/decode/packet-meta.js';
import { formatHop, hopEndsTrace, unreachableMark } from '../../src/viz/traceroute-report.js';
import { ETH_IPV4, ETH_IPV6, ethernet, icmp, ipv4, ipv6, ipv6Extension, PROTO_DEST_OPTS, PROTO_ICMP, PROTO_ICMPV6, PROTO_UDP, udp } from '../helpers/packet-builder.js';

const ETHERNET = 1;

function decoded(frame: Uint8Array, pad = 0): { meta: PacketMeta; end: number } {
  // the frame sits inside a larger buffer, as in a capture batch, so the parser must stop at its end
  const bytes = new Uint8Array(frame.length + pad + 64).fill(0xee);
  bytes.set(frame, pad);
  const meta = new PacketMeta();
  decodeFrame(bytes, pad, pad + frame.length, ETHERNET, meta, frame.length);
  return { meta, end: pad + frame.length };
}

/** A probe as it left: IPv4 + UDP 40000 -> target:port, quoted by the router (IP header + 8 bytes). */
const quoted4 = (port: number, dst = '10.0.2.2') => ipv4({ src: '10.0.1.1', dst, proto: PROTO_UDP, ttl: 1, totalLength: 60 }, udp({ sport: 40000, dport: port, length: 40 }));
const quoted6 = (port: number) => ipv6({ src: 'fd00:1::1', dst: 'fd00:2::2', next: PROTO_UDP, payloadLength: 40 }, udp({ sport: 40000, dport: port, length: 40 }));

describe('icmpAnswerOf', () => {
  it('reads a time-exceeded message: the router, and the probe by its quoted ports and destination', () => {
    const frame = ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.1.2', dst: '10.0.1.1', proto: PROTO_ICMP }, icmp({ type: 11, code: 0, rest: 0 }, quoted4(33435))));
    const { meta, end } = decoded(frame, 100);
    expect(icmpAnswerOf(meta, end)).toEqual({
      from: '10.0.1.2',
      family: 4,
      kind: 'time-exceeded',
      mark: '',
      quotedDst: '10.0.2.2',
      quotedSrcPort: 40000,
      quotedDstPort: 33435,
    });
  });

  it.each([
    [3, 'port-unreachable', ''],
    [1, 'unreachable', '!H'],
    [13, 'unreachable', '!X'],
  ])('reads IPv4 destination unreachable code %i as %s %s', (code, kind, mark) => {
    const frame = ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.2.2', dst: '10.0.1.1', proto: PROTO_ICMP }, icmp({ type: 3, code, rest: 0 }, quoted4(33436))));
    const { meta, end } = decoded(frame);
    expect(icmpAnswerOf(meta, end)).toMatchObject({ from: '10.0.2.2', kind, mark, quotedDstPort: 33436 });
  });

  it('reads ICMPv6 time exceeded and port unreachable, after extension headers too', () => {
    const te = ethernet({ type: ETH_IPV6 }, ipv6({ src: 'fd00:1::2', dst: 'fd00:1::1', next: PROTO_ICMPV6 }, icmp({ type: 3, code: 0, rest: 0 }, quoted6(33434))));
    expect(icmpAnswerOf(decoded(te).meta)).toMatchObject({ from: 'fd00:1::2', family: 6, kind: 'time-exceeded', quotedDst: 'fd00:2::2', quotedDstPort: 33434 });
    const pu = ethernet(
      { type: ETH_IPV6 },
      ipv6({ src: 'fd00:2::2', dst: 'fd00:1::1', next: PROTO_DEST_OPTS }, ipv6Extension({ next: PROTO_ICMPV6 }, icmp({ type: 1, code: 4, rest: 0 }, quoted6(33440)))),
    );
    expect(icmpAnswerOf(decoded(pu).meta)).toMatchObject({ from: 'fd00:2::2', kind: 'port-unreachable', quotedDstPort: 33440 });
  });

  it.each([
    ['an echo reply', ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.2.2', dst: '10.0.1.1', proto: PROTO_ICMP }, icmp({ type: 0 }, new Uint8Array(32))))],
    ['a UDP datagram', ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.2.2', dst: '10.0.1.1', proto: PROTO_UDP }, udp({ sport: 1, dport: 2 })))],
    [
      'a quote of a TCP segment',
      ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.1.2', dst: '10.0.1.1', proto: PROTO_ICMP }, icmp({ type: 11, rest: 0 }, ipv4({ src: '10.0.1.1', dst: '10.0.2.2', proto: 6 }, new Uint8Array(8))))),
    ],
    ['a quote cut before the ports', ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.0.1.2', dst: '10.0.1.1', proto: PROTO_ICMP }, icmp({ type: 11, rest: 0 }, quoted4(33434).subarray(0, 21))))],
  ])('ignores %s', (_, frame) => {
    const { meta, end } = decoded(frame, 7);
    expect(icmpAnswerOf(meta, end)).toBeUndefined();
  });
});

describe('hop lines', () => {
  const answer = (address: string, rttMs: number, kind: 'time-exceeded' | 'port-unreachable' | 'unreachable' = 'time-exceeded', mark = '') => ({ address, rttMs, kind, mark });

  it('print the address once, the round-trip times, and * for silence', () => {
    expect(formatHop({ hop: 1, probes: [answer('10.0.1.2', 0.1234), answer('10.0.1.2', 0.2), null] })).toBe(' 1  10.0.1.2  0.123 ms  0.200 ms  *');
    expect(formatHop({ hop: 12, probes: [null, null, null] })).toBe('12  *  *  *');
  });

  it('repeat the address when another router answers within the hop (load balancing), and mark unreachable answers', () => {
    expect(formatHop({ hop: 3, probes: [answer('a', 1), answer('b', 2), answer('b', 3, 'unreachable', '!H')] })).toBe(' 3  a  1.000 ms  b  2.000 ms  3.000 ms !H');
  });

  it('end the trace when the target or an unreachable answer comes, not on time-exceeded or silence', () => {
    expect(hopEndsTrace({ hop: 1, probes: [answer('r', 1), null] })).toBe(false);
    expect(hopEndsTrace({ hop: 2, probes: [null, answer('t', 1, 'port-unreachable')] })).toBe(true);
    expect(hopEndsTrace({ hop: 2, probes: [answer('r', 1, 'unreachable', '!N')] })).toBe(true);
  });

  it.each([
    [4, 0, '!N'],
    [4, 10, '!X'],
    [4, 7, '!<7>'],
    [6, 0, '!N'],
    [6, 1, '!X'],
    [6, 3, '!H'],
  ])('IPv%i unreachable code %i is %s', (family, code, mark) => expect(unreachableMark(family as 4 | 6, code)).toBe(mark));
});
