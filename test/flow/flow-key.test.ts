// The flow key is direction-free: a packet and its reply build the same ten words, and only the sender side
// differs. ICMP pairs requests with replies by identifier; everything without ports keys with port 0.
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { PacketMeta } from '../../src/decode/packet-meta.js';
import { FlowKeyBuilder, KEY_PORT_WORD } from '../../src/flow/flow-key.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';
import * as P from '../helpers/packet-builder.js';

function keyOf(frame: Uint8Array): { words: number[]; hash: number; side: number } {
  const meta = new PacketMeta();
  decodeFrame(frame, 0, frame.length, 1, meta);
  const builder = new FlowKeyBuilder();
  builder.build(meta);
  return { words: Array.from(builder.words), hash: builder.hash, side: builder.senderSide };
}

type Proto = 'tcp' | 'udp' | 'sctp' | 'gre';

function packet(v6: boolean, proto: Proto, src: string, dst: string, sport: number, dport: number, vlanId?: number): Uint8Array {
  const l4 =
    proto === 'tcp'
      ? P.tcp({ sport, dport })
      : proto === 'udp'
        ? P.udp({ sport, dport }, [1, 2, 3])
        : proto === 'sctp'
          ? P.sctp({ sport, dport })
          : new Uint8Array([0, 0, 0x08, 0x00]);
  const protoNumber = { tcp: P.PROTO_TCP, udp: P.PROTO_UDP, sctp: P.PROTO_SCTP, gre: 200 }[proto];
  const ip = v6 ? P.ipv6({ src, dst, next: protoNumber }, l4) : P.ipv4({ src, dst, proto: protoNumber }, l4);
  const type = v6 ? P.ETH_IPV6 : P.ETH_IPV4;
  return vlanId === undefined ? P.ethernet({ type }, ip) : P.ethernet({ type: P.ETH_VLAN }, P.vlan({ id: vlanId, type }, ip));
}

function randomAddress(rng: SeededRandom, v6: boolean): string {
  if (!v6) return Array.from({ length: 4 }, () => rng.int(0, 255)).join('.');
  return Array.from({ length: 8 }, () => rng.int(0, 0xffff).toString(16)).join(':');
}

describe('flow key', () => {
  it('is the same in both directions, for 2,000 random TCP/UDP/SCTP/other packets over IPv4 and IPv6, with and without VLAN', () => {
    const rng = new SeededRandom(42);
    const protos: Proto[] = ['tcp', 'udp', 'sctp', 'gre'];
    for (let i = 0; i < 2000; i++) {
      const v6 = rng.next() < 0.5;
      const proto = rng.pick(protos);
      const a = randomAddress(rng, v6);
      // sometimes the same address on both sides, so the ports decide the order
      const b = rng.next() < 0.1 ? a : randomAddress(rng, v6);
      const pa = rng.int(0, 65535);
      const pb = rng.next() < 0.05 ? pa : rng.int(0, 65535);
      const vlanId = rng.next() < 0.3 ? rng.int(0, 4095) : undefined;
      const forward = keyOf(packet(v6, proto, a, b, pa, pb, vlanId));
      const reverse = keyOf(packet(v6, proto, b, a, pb, pa, vlanId));
      expect(reverse.words).toEqual(forward.words);
      expect(reverse.hash).toBe(forward.hash);
      const symmetric = a === b && (pa === pb || proto === 'gre');
      if (!symmetric) expect(reverse.side).toBe(1 - forward.side);
    }
  });

  it.each([
    ['source port', packet(false, 'tcp', '10.0.0.1', '10.0.0.2', 1001, 80)],
    ['protocol', packet(false, 'udp', '10.0.0.1', '10.0.0.2', 1000, 80)],
    ['VLAN id', packet(false, 'tcp', '10.0.0.1', '10.0.0.2', 1000, 80, 7)],
    ['IP version (IPv4-mapped IPv6 is not IPv4)', packet(true, 'tcp', '::ffff:10.0.0.1', '::ffff:10.0.0.2', 1000, 80)],
    ['address', packet(false, 'tcp', '10.0.0.3', '10.0.0.2', 1000, 80)],
  ])('tells flows apart by %s', (_what, other) => {
    const base = keyOf(packet(false, 'tcp', '10.0.0.1', '10.0.0.2', 1000, 80));
    expect(keyOf(other).words).not.toEqual(base.words);
  });

  it('uses port 0 for protocols without ports and for non-first fragments', () => {
    const gre = keyOf(packet(false, 'gre', '10.0.0.1', '10.0.0.2', 1000, 80));
    expect(gre.words[KEY_PORT_WORD]).toBe(0);
    const fragment = P.ethernet({ type: P.ETH_IPV4 }, P.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: P.PROTO_UDP, fragOffset: 1480 }, new Uint8Array(100)));
    expect(keyOf(fragment).words[KEY_PORT_WORD]).toBe(0);
  });

  describe('ICMP', () => {
    const icmp = (v6: boolean, src: string, dst: string, type: number, code: number, id: number, seq: number) => {
      const body = P.icmp({ type, code, rest: (id << 16) | seq }, new Uint8Array(56));
      return v6
        ? P.ethernet({ type: P.ETH_IPV6 }, P.ipv6({ src, dst, next: P.PROTO_ICMPV6 }, body))
        : P.ethernet({ type: P.ETH_IPV4 }, P.ipv4({ src, dst, proto: P.PROTO_ICMP }, body));
    };

    it.each([
      ['echo', false, 8, 0],
      ['timestamp', false, 13, 14],
      ['address mask', false, 17, 18],
      ['ICMPv6 echo', true, 128, 129],
    ])('puts a %s request and its reply in one flow, keyed by identifier', (_name, v6, request, reply) => {
      const [a, b] = v6 ? ['2001:db8::1', '2001:db8::2'] : ['10.0.0.1', '10.0.0.2'];
      const req = keyOf(icmp(v6, a, b, request, 0, 77, 1));
      const rep = keyOf(icmp(v6, b, a, reply, 0, 77, 1));
      expect(rep.words).toEqual(req.words);
      expect(rep.side).toBe(1 - req.side);
      expect(keyOf(icmp(v6, a, b, request, 0, 78, 1)).words).not.toEqual(req.words);
      expect(keyOf(icmp(v6, a, b, request, 0, 77, 2)).words).toEqual(req.words);
    });

    it('keys other ICMP messages by type and code, with IPv4 options skipped', () => {
      const unreachable = (code: number) =>
        P.ethernet({ type: P.ETH_IPV4 }, P.ipv4({ src: '10.0.0.9', dst: '10.0.0.1', proto: P.PROTO_ICMP, options: [1, 1, 1, 0] }, P.icmp({ type: 3, code, rest: 0 }, new Uint8Array(28))));
      expect(keyOf(unreachable(3)).words).toEqual(keyOf(unreachable(3)).words);
      expect(keyOf(unreachable(3)).words).not.toEqual(keyOf(unreachable(1)).words);
      expect(keyOf(unreachable(3)).words[KEY_PORT_WORD]).toBe((3 << 8) | 3);
    });

    it('finds the echo identifier after IPv4 options', () => {
      const withOptions = P.ethernet(
        { type: P.ETH_IPV4 },
        P.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: P.PROTO_ICMP, options: [1, 1, 1, 0, 1, 1, 1, 0] }, P.icmp({ type: 8, rest: (4242 << 16) | 1 }, new Uint8Array(8))),
      );
      expect(keyOf(withOptions).words[KEY_PORT_WORD] & 0xffff).toBe(4242);
    });
  });
});
