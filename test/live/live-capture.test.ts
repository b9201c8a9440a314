// Live capture through libpcap: exact packet accounting on a veth pair between two namespaces of our own,
// plus the parts that need no network (link types, error mapping, a missing addon).

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkTypeFromPcapName, loadPcapAddon, openErrorFromPcap } from '../../src/capture/live-capture.js';
import { CaptureDeviceError, ExitCode, PermissionError, UnknownInterfaceError, UsageError } from '../../src/errors.js';
import { removeProbe, runProbe } from './capture-probe.js';
import { createVethPair, liveSkipReason, payloadOf, removeStaleNamespaces, sendUdp, type VethPair } from './netns.js';

const PORT = 9999;
const FILTER = `udp port ${PORT}`;

describe('node_pcap link type names become LINKTYPE numbers', () => {
  it.each([
    ['LINKTYPE_ETHERNET', 1],
    ['LINKTYPE_NULL', 0],
    ['LINKTYPE_RAW', 101],
    ['LINKTYPE_LINUX_SLL', 113],
    ['LINKTYPE_IEEE802_11_RADIO', 127],
    ['Unknown linktype 276', 276], // DLT_LINUX_SLL2: same number in both spaces
    ['Unknown linktype 12', 101], // DLT_RAW on most platforms
    ['Unknown linktype 9', 9], // DLT_PPP
  ])('%s is %i', (name, linkType) => {
    expect(linkTypeFromPcapName(name, 'eth0')).toBe(linkType);
  });

  it('a DLT without a LINKTYPE number is a clear error, not a wrong number', () => {
    expect(() => linkTypeFromPcapName('Unknown linktype 17', 'pflog0')).toThrow(/DLT 17/);
    expect(() => linkTypeFromPcapName('something else', 'x0')).toThrow(CaptureDeviceError);
  });
});

describe("libpcap's messages become errors a user can act on", () => {
  const available = () => ['eth0', 'lo'];
  it.each([
    ['socket: Operation not permitted', undefined, PermissionError, ExitCode.noPermission],
    ["You don't have permission to capture on that device (socket: Operation not permitted)", undefined, PermissionError, ExitCode.noPermission],
    ['No such device exists', undefined, UnknownInterfaceError, ExitCode.usage],
    ["can't parse filter expression: syntax error", 'udp port', UsageError, ExitCode.usage],
    ['unknown host \'nowhere\'', 'host nowhere', UsageError, ExitCode.usage],
    ["can't mmap rx ring: Cannot allocate memory", 'udp', CaptureDeviceError, ExitCode.failure],
  ])('"%s" (filter %s) is a %o', (message, filter, type, exitCode) => {
    const err = openErrorFromPcap(new Error(message), 'eth9', filter, available);
    expect(err).toBeInstanceOf(type);
    expect(err.exitCode).toBe(exitCode);
  });

  it('the permission error says how to get the permission', () => {
    const err = openErrorFromPcap(new Error('socket: Operation not permitted'), 'eth0', undefined, available);
    expect(err.hint).toMatch(/sudo/);
    expect(err.hint).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
  });

  it('an unknown interface lists the available ones, and a bad filter quotes libpcap', () => {
    expect(openErrorFromPcap(new Error('No such device exists'), 'eth9', undefined, available).hint).toBe('available interfaces: eth0, lo');
    expect(openErrorFromPcap(new Error("can't parse filter expression: syntax error"), 'eth0', 'udp port', available).message).toBe(
      "bad capture filter 'udp port': libpcap says \"can't parse filter expression: syntax error\"",
    );
  });

  it('a missing addon says to install libpcap-dev and rebuild', () => {
    let caught: unknown;
    try {
      loadPcapAddon('netml-no-such-pcap-package');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CaptureDeviceError);
    expect((caught as CaptureDeviceError).message).toMatch(/optional "pcap" addon/);
    expect((caught as CaptureDeviceError).hint).toMatch(/libpcap-dev.*npm rebuild pcap/);
  });
});

const skipReason = liveSkipReason();
if (skipReason) console.warn(`skipping live capture tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('live capture on a veth pair between two namespaces', () => {
  let pair: VethPair;

  beforeAll(() => {
    removeStaleNamespaces();
    pair = createVethPair();
  });

  afterAll(() => {
    pair?.remove();
    removeProbe();
  });

  it('captures exactly the 500 datagrams sent, in order, with their addresses, ports, lengths and times', async () => {
    const N = 500;
    const tag = 'exact';
    const before = Date.now() / 1000;
    const probe = runProbe(pair.nsA, { capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 65535, promiscuous: false }, keepPayloads: true });
    expect(await probe.ready).toBe(pair.ifA);
    const sent = await sendUdp(pair, { count: N, port: PORT, tag });
    expect(sent.sent).toBe(N);
    probe.child.kill('SIGINT');
    const { code, report: r } = await probe.result;
    const after = Date.now() / 1000;

    expect(code).toBe(0);
    expect(r.iterationError).toBeUndefined();
    expect(r.linkType).toBe(1);
    expect(r.frames).toBe(N);
    expect(r.payloads).toEqual(Array.from({ length: N }, (_, i) => payloadOf(tag, i)));
    expect(r.nonUdp).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.numberingOk).toBe(true);
    // Ethernet 14 + IPv4 20 + UDP 8 + 32 bytes of payload
    expect(r.first).toMatchObject({ src: pair.addrB, dst: pair.addrA, srcPort: PORT + 1, dstPort: PORT, capLen: 74, wireLen: 74 });
    expect(r.first.tsNsec % 1000).toBe(0); // microsecond timestamps
    expect(r.tsMin).toBeGreaterThanOrEqual(Math.floor(before));
    expect(r.tsMax).toBeLessThanOrEqual(after + 1);
    expect(r.stats).toEqual({ received: N, droppedByKernel: 0, droppedByInterface: 0, droppedByNetml: 0 });
    expect(r.closedStats).toEqual(r.stats);
  });

  it('a burst at full speed: every frame the kernel counted is either yielded or counted as dropped', async () => {
    const perSender = 100_000;
    const probe = runProbe(pair.nsA, { capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 65535, promiscuous: false } });
    await probe.ready;
    // two senders in parallel: one alone is the bottleneck, not the capture
    const results = await Promise.all([
      sendUdp(pair, { count: perSender, port: PORT, tag: 'burst1', sourcePort: 20001 }),
      sendUdp(pair, { count: perSender, port: PORT, tag: 'burst2', sourcePort: 20002 }),
    ]);
    probe.child.kill('SIGINT');
    const { code, report: r } = await probe.result;
    expect(code).toBe(0);
    const s = r.stats;
    expect(r.frames).toBe(s.received - s.droppedByKernel - s.droppedByNetml);
    expect(s.received).toBe(2 * perSender);
    expect(r.outOfOrder).toBe(0);
    const seconds = Math.max(...results.map((x) => x.seconds));
    console.info(
      `live burst: ${2 * perSender} datagrams sent in ${seconds.toFixed(2)} s (${Math.round((2 * perSender) / seconds)} pkt/s); ` +
        `captured ${r.frames}, kernel drops ${s.droppedByKernel}, netml drops ${s.droppedByNetml}, ${r.batches} batches`,
    );
  });

  it('a consumer slower than the wire: memory stays bounded and what netml dropped is counted', async () => {
    const N = 20_000;
    const probe = runProbe(pair.nsA, {
      capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 65535, promiscuous: false, maxQueuedBytes: 64 * 1024 },
      slowConsumerMs: 20,
    });
    await probe.ready;
    await sendUdp(pair, { count: N, port: PORT, tag: 'slow' });
    probe.child.kill('SIGINT');
    const { code, report: r } = await probe.result;
    expect(code).toBe(0);
    const s = r.stats;
    expect(s.received).toBe(N);
    expect(s.droppedByNetml).toBeGreaterThan(0);
    expect(r.frames).toBe(s.received - s.droppedByKernel - s.droppedByNetml);
    // 64 KiB of 74-byte frames: at most ~885 frames can be queued at once
    expect(r.frames).toBeLessThan(N);
  });

  it('a consumer that blocks the event loop: the kernel drops, and the counts still add up exactly', async () => {
    const N = 50_000;
    const probe = runProbe(pair.nsA, {
      capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 65535, promiscuous: false, bufferSizeBytes: 256 * 1024 },
      busyConsumerMs: 50,
    });
    await probe.ready;
    await sendUdp(pair, { count: N, port: PORT, tag: 'busy' });
    probe.child.kill('SIGINT');
    const { code, report: r } = await probe.result;
    expect(code).toBe(0);
    const s = r.stats;
    expect(s.received).toBe(N);
    expect(s.droppedByKernel).toBeGreaterThan(0);
    expect(r.frames).toBe(s.received - s.droppedByKernel - s.droppedByNetml);
    expect(r.outOfOrder).toBeGreaterThan(0); // the gaps are where the kernel dropped
  });

  it('on loopback, where the kernel counts every frame twice, the counts are halved and still exact', async () => {
    const N = 300;
    const probe = runProbe(pair.nsA, { capture: { interfaceName: 'lo', filter: FILTER, snapLen: 65535, promiscuous: false }, keepPayloads: true });
    await probe.ready;
    await sendUdp(pair, { count: N, port: PORT, tag: 'lo', fromNamespace: pair.nsA, to: '127.0.0.1' });
    probe.child.kill('SIGINT');
    const { code, report: r } = await probe.result;
    expect(code).toBe(0);
    expect(r.frames).toBe(N);
    expect(r.payloads).toEqual(Array.from({ length: N }, (_, i) => payloadOf('lo', i)));
    expect(r.stats).toEqual({ received: N, droppedByKernel: 0, droppedByInterface: 0, droppedByNetml: 0 });
  });

  it('stops promptly without traffic, and nothing keeps the process alive afterwards', async () => {
    const started = Date.now();
    const probe = runProbe(pair.nsA, {
      capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 65535, promiscuous: false },
      stopAfterMs: 200,
      exitExplicitly: false,
    });
    await probe.ready;
    const { code, report: r } = await probe.result;
    expect(code).toBe(0);
    expect(r.frames).toBe(0);
    expect(r.stats).toEqual({ received: 0, droppedByKernel: 0, droppedByInterface: 0, droppedByNetml: 0 });
    expect(r.stopToEndMs).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('snap length 0 means libpcap\'s maximum (262144), not "keep nothing"', async () => {
    const probe = runProbe(pair.nsA, { capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 0, promiscuous: true } });
    await probe.ready;
    await sendUdp(pair, { count: 50, port: PORT, tag: 'snap0' });
    probe.child.kill('SIGINT');
    const { report: r } = await probe.result;
    expect(r.snapLen).toBe(262144);
    expect(r.first).toMatchObject({ capLen: 74, wireLen: 74 });
    expect(r.frames).toBe(50);
  });

  it('a snap length shorter than the frames cuts them and keeps their wire length', async () => {
    const probe = runProbe(pair.nsA, { capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 60, promiscuous: false } });
    await probe.ready;
    await sendUdp(pair, { count: 20, port: PORT, tag: 'cut', payloadBytes: 1000 });
    probe.child.kill('SIGINT');
    const { report: r } = await probe.result;
    expect(r.frames).toBe(20);
    expect(r.first).toMatchObject({ capLen: 60, wireLen: 14 + 20 + 8 + 1000 });
  });

  it('a consumer that leaves the loop early stops the capture, and the process then ends by itself', async () => {
    const probe = runProbe(pair.nsA, {
      capture: { interfaceName: pair.ifA, filter: FILTER, snapLen: 65535, promiscuous: false },
      breakAfter: 100,
      exitExplicitly: false,
    });
    await probe.ready;
    await sendUdp(pair, { count: 300, port: PORT, tag: 'early' });
    const { code, report: r } = await probe.result;
    expect(code).toBe(0);
    expect(r.frames).toBeGreaterThanOrEqual(100);
    expect(r.closedStats.received).toBeGreaterThanOrEqual(r.frames);
  });

  it('an interface that disappears ends the capture with an error, keeping what came before', async () => {
    const id = pair.ifA.slice(-4);
    const [x, y] = [`nml-x-${id}`, `nml-y-${id}`];
    execFileSync('ip', ['-n', pair.nsA, 'link', 'add', x, 'type', 'veth', 'peer', 'name', y]);
    execFileSync('ip', ['-n', pair.nsA, 'link', 'set', x, 'up']);
    execFileSync('ip', ['-n', pair.nsA, 'link', 'set', y, 'up']);
    const probe = runProbe(pair.nsA, { capture: { interfaceName: x, snapLen: 65535, promiscuous: false } });
    await probe.ready;
    execFileSync('ip', ['-n', pair.nsA, 'link', 'del', x]);
    const killer = setTimeout(() => probe.child.kill('SIGINT'), 5000);
    const { code, report: r } = await probe.result;
    clearTimeout(killer);
    expect(code).toBe(0);
    expect(r.iterationError).toMatchObject({ name: 'CaptureDeviceError', exitCode: 1 });
    expect(r.iterationError.message).toMatch(new RegExp(`${x}: the interface is gone`));
  });

  it.each([
    ['a missing interface', { interfaceName: 'netml-nope0' }, 'UnknownInterfaceError', 64, /available interfaces: .*nml-a-/],
    ['a bad filter', { filter: 'udp port' }, 'UsageError', 64, /tcpdump syntax/],
  ])('%s fails to open with the right error', async (_what, overrides, name, exitCode, hint) => {
    const probe = runProbe(pair.nsA, { capture: { interfaceName: pair.ifA, snapLen: 65535, promiscuous: false, ...overrides } });
    const { report: r } = await probe.result;
    expect(r.openError).toMatchObject({ name, exitCode });
    expect(r.openError.hint).toMatch(hint);
  });

  it('without privileges opening fails with exit code 77 and the sudo/setcap hint', async () => {
    const probe = runProbe(pair.nsA, { capture: { interfaceName: pair.ifA, snapLen: 65535, promiscuous: false } }, { asUser: 65534 });
    const { report: r, stderr } = await probe.result;
    expect(r?.openError, stderr).toMatchObject({ name: 'PermissionError', exitCode: 77 });
    expect(r.openError.hint).toMatch(/setcap/);
  });
});
