import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { LinkType } from '../../src/decode/link-types.js';
import { DecodeStatus, PacketMeta } from '../../src/decode/packet-meta.js';
import { decode, expected, view, type DecodedView } from './decoded-view.js';
import { FIXTURES, type Fixture } from './fixtures.js';

/** mulberry32: a tiny seeded PRNG, so every fuzz run sees the same bytes */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NETWORK_AND_TRANSPORT: (keyof DecodedView)[] = [
  'ipVersion', 'src', 'dst', 'ipProto', 'protocol', 'ttl', 'ipLen', 'df', 'mf', 'fragOffset', 'srcPort', 'dstPort',
  'tcpFlags', 'tcpSeq', 'tcpAck', 'tcpWindow', 'tcpOptionsLen', 'payloadLen', 'icmpType', 'icmpCode', 'arpOp',
];

function isAbsent(value: unknown): boolean {
  return value === -1 || value === null || value === 0 || value === '' || value === 'other' || value === 'ip';
}

/** Every offset the CSV writer will read must lie inside the frame. */
function expectOffsetsInside(meta: PacketMeta, start: number, end: number): void {
  const addrLen = meta.ipVersion === 6 ? 16 : meta.ipVersion === 4 ? 4 : meta.arpAddrLen;
  const tunnelLen = meta.tunnelIpVersion === 6 ? 16 : meta.tunnelIpVersion === 4 ? 4 : 0;
  const spans: [number, number][] = [
    [meta.ethSrcOffset, 6],
    [meta.ethDstOffset, 6],
    [meta.srcAddrOffset, addrLen],
    [meta.dstAddrOffset, addrLen],
    [meta.tunnelSrcOffset, tunnelLen],
    [meta.tunnelDstOffset, tunnelLen],
  ];
  for (const [off, len] of spans) {
    if (off === -1) continue;
    expect(len).toBeGreaterThan(0);
    expect(off).toBeGreaterThanOrEqual(start);
    expect(off + len).toBeLessThanOrEqual(end);
  }
}

describe('decodeFrame on one valid packet per protocol, tunnel and link type', () => {
  it.each(FIXTURES)('$line', (f) => {
    expect(decode(f.bytes, f.linkType)).toEqual(f.want);
  });
});

describe('decodeFrame inside a bigger buffer', () => {
  it.each(FIXTURES)('decodes at a non-zero start with absolute offsets: $line', (f) => {
    const start = 37;
    const big = new Uint8Array(start + f.bytes.length + 23).fill(0xff);
    big.set(f.bytes, start);
    const inPlace = new PacketMeta();
    decodeFrame(big, start, start + f.bytes.length, f.linkType, inPlace);
    const alone = new PacketMeta();
    decodeFrame(f.bytes, 0, f.bytes.length, f.linkType, alone);
    expect(view(inPlace)).toEqual(f.want);
    expect(inPlace.srcAddrOffset).toBe(alone.srcAddrOffset === -1 ? -1 : alone.srcAddrOffset + start);
    expect(inPlace.dstAddrOffset).toBe(alone.dstAddrOffset === -1 ? -1 : alone.dstAddrOffset + start);
    expect(inPlace.ethSrcOffset).toBe(alone.ethSrcOffset === -1 ? -1 : alone.ethSrcOffset + start);
    expect(inPlace.tunnelSrcOffset).toBe(alone.tunnelSrcOffset === -1 ? -1 : alone.tunnelSrcOffset + start);
  });

  it('never reads the bytes after `end`, even when they would complete the header', () => {
    const f = FIXTURES[0];
    const meta = new PacketMeta();
    decodeFrame(f.bytes, 0, 30, LinkType.ethernet, meta);
    expect(meta.status).toBe(DecodeStatus.truncated);
    expect(meta.statusDetail).toBe('ipv4: header needs 20 bytes, 16 captured');
    expect(meta.srcAddrOffset).toBe(-1);
  });

  it('clamps an end beyond the buffer and reports a start beyond the end as truncated', () => {
    const f = FIXTURES[0];
    const meta = new PacketMeta();
    decodeFrame(f.bytes, 0, f.bytes.length + 100, LinkType.ethernet, meta);
    expect(view(meta)).toEqual(f.want);
    decodeFrame(f.bytes, 50, 10, LinkType.ethernet, meta);
    expect(meta.status).toBe(DecodeStatus.truncated);
  });

  it('resets every field between frames when the meta is reused', () => {
    const meta = new PacketMeta();
    for (const f of FIXTURES) {
      decodeFrame(f.bytes, 0, f.bytes.length, f.linkType, meta);
      expect(view(meta)).toEqual(f.want);
    }
  });

  it('reports an unknown link type as unsupported', () => {
    expect(decode(new Uint8Array(40), 147)).toEqual(
      expected({ linkType: 147, status: 'unsupported', detail: 'link type 147 not decoded' }),
    );
  });
});

describe('decodeFrame on every truncation of a valid packet', () => {
  function checkCut(f: Fixture, n: number, full: DecodedView): void {
    const meta = new PacketMeta();
    // a snap-length cut: the wire length is the whole packet's
    expect(() => decodeFrame(f.bytes, 0, n, f.linkType, meta, f.bytes.length)).not.toThrow();
    expectOffsetsInside(meta, 0, n);
    const cut = view(meta);
    const visible = n >= (f.detectableFrom ?? 0);
    if (n >= f.headersLen) {
      // only payload is missing: the headers say everything
      expect(cut).toEqual(full);
      return;
    }
    if (visible) expect(cut.status, `cut at ${n}`).not.toBe('ok');
    if (cut.status !== 'ok') expect(['truncated', 'unsupported']).toContain(cut.status);
    // a tunnel whose inner network header was cut off is not reported, and its outer header stays in the
    // address columns: the innermost IP header decoded
    const stoppedOutside = full.tunnel !== '' && cut.tunnel === '';
    // vlanDepth counts the tags seen so far, so a cut between tags counts fewer
    expect(cut.vlanDepth).toBeLessThanOrEqual(full.vlanDepth);
    for (const key of Object.keys(full) as (keyof DecodedView)[]) {
      if (key === 'status' || key === 'detail' || key === 'vlanDepth') continue;
      if (isAbsent(cut[key])) continue;
      if (stoppedOutside && NETWORK_AND_TRANSPORT.includes(key)) continue;
      expect(cut[key], `${key} when cut at ${n} of ${f.bytes.length}`).toEqual(full[key]);
    }
    if (stoppedOutside && cut.src !== null && cut.ipVersion !== 0) {
      expect(cut.src).toBe(full.tunnelSrc);
      // a header cut between the addresses keeps the source only
      if (cut.dst !== null) expect(cut.dst).toBe(full.tunnelDst);
    }
  }

  it.each(FIXTURES)('every cut 0..length decodes, flags the cut and keeps what came before: $line', (f) => {
    const full = decode(f.bytes, f.linkType);
    for (let n = 0; n <= f.bytes.length; n++) checkCut(f, n, full);
  });
});

describe('decodeFrame on a whole frame whose IP header claims more bytes than it has', () => {
  it.each([
    [4, 'IP 10.0.0.1 > 10.0.0.2: ICMP echo req'],
    [6, 'IP6 2001:db8::1.5353 > 2001:db8:0:1::'],
  ])('flags IPv%i as truncated when captured whole, but not when the snap length cut it', (version, line) => {
    const f = FIXTURES.find((x) => x.line.startsWith(line))!;
    const cutAt = f.headersLen;
    const meta = new PacketMeta();
    decodeFrame(f.bytes, 0, cutAt, f.linkType, meta, f.bytes.length);
    expect(meta.status).toBe(DecodeStatus.ok);
    decodeFrame(f.bytes, 0, cutAt, f.linkType, meta, cutAt);
    expect(meta.status).toBe(DecodeStatus.truncated);
    expect(meta.statusDetail).toMatch(new RegExp(`^ipv${version}: .* captured whole$`));
    expect(meta.ipVersion).toBe(version);
  });
});

describe('decodeFrame on damaged bytes', () => {
  it('never throws on thousands of seeded random byte flips and cuts of valid packets', () => {
    const random = prng(0x5eed);
    const meta = new PacketMeta();
    let notOk = 0;
    for (let round = 0; round < 4000; round++) {
      const f = FIXTURES[round % FIXTURES.length];
      const bytes = f.bytes.slice();
      const flips = 1 + Math.floor(random() * 6);
      for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const end = random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length;
      expect(() => decodeFrame(bytes, 0, end, f.linkType, meta)).not.toThrow();
      expect(meta.statusDetail.startsWith('decoder error')).toBe(false);
      expectOffsetsInside(meta, 0, end);
      if (meta.status !== DecodeStatus.ok) notOk++;
    }
    // the damage must actually reach the decoder's checks, or this test proves nothing
    expect(notOk).toBeGreaterThan(100);
  });

  it('never throws on random bytes under every link type', () => {
    const random = prng(42);
    const meta = new PacketMeta();
    const linkTypes = Object.values(LinkType);
    for (let round = 0; round < 3000; round++) {
      const len = Math.floor(random() * 120);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = Math.floor(random() * 256);
      // bias the first bytes towards the values that lead deeper (IPv4/IPv6 versions, ethertypes)
      if (len > 0 && random() < 0.5) bytes[0] = random() < 0.5 ? 0x45 : 0x60;
      const linkType = linkTypes[round % linkTypes.length];
      expect(() => decodeFrame(bytes, 0, len, linkType, meta)).not.toThrow();
      expect(meta.statusDetail.startsWith('decoder error')).toBe(false);
      expectOffsetsInside(meta, 0, len);
    }
  });
});

describe('decodeFrame cost', () => {
  it('allocates nothing per packet on the ordinary path', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc !== 'function') return;
    const meta = new PacketMeta();
    const okFixtures = FIXTURES.filter((f) => f.want.status === 'ok');
    const run = (rounds: number): void => {
      for (let r = 0; r < rounds; r++) for (const f of okFixtures) decodeFrame(f.bytes, 0, f.bytes.length, f.linkType, meta);
    };
    // The JIT's code and feedback live on the same heap and keep arriving for a while, so the best of
    // three measurements after a warm-up is the decoder's own share.
    run(10000);
    const rounds = 10000;
    let best = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      gc();
      const before = process.memoryUsage().heapUsed;
      run(rounds);
      best = Math.min(best, (process.memoryUsage().heapUsed - before) / (rounds * okFixtures.length));
    }
    // one number box, object or string per packet would be 12+ bytes
    expect(best).toBeLessThan(1);
  });
});
