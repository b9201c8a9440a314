// The streaming summaries behind the charts: time bins that merge without losing a byte, columns that cover
// equal time, the sent/received split, the service-port rule, local networks, the top-suspicious list.

import { describe, expect, it } from 'vitest';
import { compactNumber, formatShare, truncateMiddle } from '../../src/viz/chart-text.js';
import { DetectionSummaryBuilder, TOP_KEPT } from '../../src/viz/detection-summary.js';
import { scoreRange } from '../../src/viz/detection-charts.js';
import { localNetworks, invalidNetwork } from '../../src/viz/local-addresses.js';
import { ipv6String } from '../../src/viz/packet-record.js';
import { binsToColumns, TimeBins } from '../../src/viz/time-bins.js';
import { servicePort, TrafficSummaryBuilder } from '../../src/viz/traffic-summary.js';

describe('TimeBins', () => {
  it('merges neighbours when the span outgrows the cap, keeping totals and maxima', () => {
    const bins = new TimeBins(['sum', 'max'], { maxBins: 16 });
    let total = 0;
    for (let t = 0; t < 1000; t += 0.5) {
      bins.add(1_000_000 + t, 0, t);
      bins.add(1_000_000 + t, 1, t);
      total += t;
    }
    expect(bins.binWidth).toBe(64);
    expect(bins.length).toBeLessThanOrEqual(16);
    expect(bins.values(0).reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...bins.values(1))).toBe(999.5);
    expect(bins.start % bins.binWidth).toBe(0);
  });

  it('takes times earlier than the first one (out-of-order packets)', () => {
    const bins = new TimeBins(['sum']);
    bins.add(100.5, 0, 1);
    bins.add(97.2, 0, 2);
    bins.add(101, 0, 4);
    expect(bins.start).toBe(97);
    expect(Array.from(bins.values(0))).toEqual([2, 0, 0, 1, 4]);
  });

  it('leaves empty max bins NaN and ignores non-finite input', () => {
    const bins = new TimeBins(['max']);
    bins.add(10, 0, 0.5);
    bins.add(12, 0, 0.7);
    bins.add(Number.NaN, 0, 1);
    bins.add(11, 0, Number.NaN);
    expect(Array.from(bins.values(0))).toEqual([0.5, Number.NaN, 0.7]);
  });
});

describe('binsToColumns', () => {
  it('groups whole bins so every column covers the same time, as mean rates', () => {
    const cols = binsToColumns([10, 20, 30, 40, 50], 1, 0, 2, 'rate');
    expect(cols.columnWidth).toBe(3);
    expect(Array.from(cols.values)).toEqual([20, 30]); // (10+20+30)/3, (40+50)/3
  });

  it('stretches short series by a whole number of columns per bin', () => {
    const cols = binsToColumns([1, 2], 1, 0, 7, 'rate');
    expect(cols.repeat).toBe(3);
    expect(Array.from(cols.values)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('takes the largest value for max, NaN where a column is empty', () => {
    const cols = binsToColumns([0.1, Number.NaN, Number.NaN, Number.NaN, 0.9, 0.3], 1, 0, 3, 'max');
    expect(Array.from(cols.values)).toEqual([0.1, Number.NaN, 0.9]);
  });
});

describe('TrafficSummaryBuilder', () => {
  const packet = (src: string, dst: string, bytes: number, t = 0) => ({ timeS: t, wireBytes: bytes, src, dst, protocol: 'udp', srcPort: 5353, dstPort: 40000 });

  it('counts sent and received relative to the local network, internal traffic in neither', () => {
    const b = new TrafficSummaryBuilder(localNetworks(['10.0.0.0/8'], 'option'));
    b.add(packet('10.0.0.1', '1.1.1.1', 100));
    b.add(packet('1.1.1.1', '10.0.0.1', 1000));
    b.add(packet('10.0.0.1', '10.0.0.2', 7));
    const s = b.finish();
    expect([s.sentBytes, s.receivedBytes, s.bytes]).toEqual([100, 1000, 1107]);
  });

  it('finds the busiest address for the default local host', () => {
    const b = new TrafficSummaryBuilder(null);
    b.add(packet('a', 'b', 1));
    b.add(packet('c', 'b', 1));
    b.add(packet('b', 'd', 1));
    expect(b.finish().busiestAddress).toBe('b');
  });

  it('stops tracking new addresses at the cap and says how many packets were left out', () => {
    const b = new TrafficSummaryBuilder(null, { maxAddresses: 2 });
    for (const a of ['x', 'y', 'z']) b.add(packet(a, a, 1));
    const s = b.finish();
    expect(s.talkers.map((t) => t.address)).toEqual(['x', 'y']);
    expect(s.untrackedAddressPackets).toBe(1);
  });
});

describe('servicePort', () => {
  it.each([
    [51000, 443, 443],
    [53, 40000, 53],
    [-1, 80, 80],
    [-1, -1, -1],
  ])('%i -> %i is port %i', (src, dst, port) => expect(servicePort(src, dst)).toBe(port));
});

describe('local networks', () => {
  it('match IPv4 and IPv6 networks and single addresses', () => {
    const local = localNetworks(['192.168.0.0/16', 'fd00::/8', '10.1.2.3'], 'option');
    expect(['192.168.4.5', 'fd12::1', '10.1.2.3'].every((a) => local.matches(a))).toBe(true);
    expect(['192.169.0.1', 'fe80::1', '10.1.2.4', '', 'not-an-address'].some((a) => local.matches(a))).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', 'bogus', '10.0.0.0/8/8', '10.0.0.0/x'])('reject %s with a message', (spec) => {
    expect(invalidNetwork(spec)).toMatch(/expected|prefix/);
  });
});

describe('DetectionSummaryBuilder', () => {
  const has = { id: true, time: true, addresses: true, ports: true, classes: false };
  const row = (i: number, score: number, suspicious: boolean) => ({
    row: i,
    id: String(i),
    timeS: 1000 + i,
    src: `10.0.0.${i % 5}`,
    dst: '10.0.0.99',
    srcPort: 1,
    dstPort: 2,
    score,
    suspicious,
    predictedClass: '',
  });

  it('infers a threshold between the highest NORMAL and the lowest SUSPICIOUS score when none is given', () => {
    const b = new DetectionSummaryBuilder({ has });
    b.add(row(1, 0.4, false));
    b.add(row(2, 0.5, false));
    b.add(row(3, 0.7, true));
    const d = b.finish();
    expect(d.threshold).toBeCloseTo(0.6);
    expect(d.thresholdOrigin).toBe('verdicts');
  });

  it('keeps the top suspicious rows, highest first, ties in file order', () => {
    const b = new DetectionSummaryBuilder({ has, threshold: 0.5 });
    for (let i = 1; i <= TOP_KEPT + 50; i++) b.add(row(i, 0.5 + (i % 10) / 100, true));
    const d = b.finish();
    expect(d.topSuspicious).toHaveLength(TOP_KEPT);
    expect(d.topSuspicious[0]).toMatchObject({ id: '9', score: 0.59 });
    expect(d.topSuspicious[1]).toMatchObject({ id: '19' });
    expect(d.hosts[0]).toMatchObject({ host: '10.0.0.99', asDestination: TOP_KEPT + 50 });
  });
});

describe('scoreRange', () => {
  it.each([
    [[0.45, 0.52, Number.NaN], 0.62, { min: 0.45, max: 0.65 }],
    [[0.61], null, { min: 0.55, max: 0.65 }],
    [[], null, { min: 0, max: 1 }],
    [[0.99, 1], 0.5, { min: 0.5, max: 1 }],
  ])('%j with threshold %j -> %j', (bins, threshold, expected) => expect(scoreRange(bins, threshold)).toEqual(expected));
});

describe('text helpers', () => {
  it.each([
    [0, '0'],
    [0.5, '0.5'],
    [12.345, '12.3'],
    [999.6, '1k'],
    [1234, '1.23k'],
    [76_923, '76.9k'],
    [12_500_000, '12.5M'],
  ])('compactNumber(%d) = %s', (v, text) => expect(compactNumber(v)).toBe(text));

  it.each([
    [0, '0%'],
    [0.0004, '<0.1%'],
    [0.1234, '12.3%'],
    [1, '100%'],
  ])('formatShare(%d) = %s', (v, text) => expect(formatShare(v)).toBe(text));

  it('shortens in the middle, keeping more of the end', () => {
    expect(truncateMiddle('[2001:db8:0:1::10d]:64851', 19)).toBe('[2001:…::10d]:64851');
    expect(truncateMiddle('short', 10)).toBe('short');
  });

  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['fe800000000000000000000000000001', 'fe80::1'],
    ['20010db8000100000001000000000001', '2001:db8:1:0:1::1'],
    ['00000000000000000000ffff0a000001', '::ffff:10.0.0.1'],
  ])('ipv6String(%s) = %s (RFC 5952)', (hex, text) => expect(ipv6String(Buffer.from(hex, 'hex'), 0)).toBe(text));
});
