// Listing capture interfaces and choosing the default one: the rule on made-up lists, then the real lists
// inside namespaces of our own (one with a veth, one with nothing but lo).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetworkInterface, pickDefaultInterface } from '../../src/capture/interfaces.js';
import { CaptureDeviceError } from '../../src/errors.js';
import { removeProbe, runProbe } from './capture-probe.js';
import { createVethPair, liveSkipReason, removeStaleNamespaces, type VethPair } from './netns.js';

function iface(name: string, over: Partial<NetworkInterface> = {}): NetworkInterface {
  return { name, addresses: [], loopback: false, up: true, running: true, operState: 'up', ...over };
}

describe('the default interface is the first one up, running and not loopback', () => {
  it.each<[string, NetworkInterface[], string]>([
    ['skips loopback', [iface('lo', { loopback: true }), iface('eth0')], 'eth0'],
    ['skips interfaces that are down or without carrier', [iface('eth0', { up: false }), iface('eth1', { running: false }), iface('wlan0')], 'wlan0'],
    ['skips pseudo-devices such as any', [iface('any', { up: undefined, running: undefined }), iface('eth0')], 'eth0'],
    ['prefers one with an address', [iface('docker0'), iface('eth0', { addresses: [{ address: '192.0.2.7' }] })], 'eth0'],
    ['takes the first without addresses when none has one', [iface('eth0'), iface('eth1')], 'eth0'],
  ])('%s', (_why, list, expected) => {
    expect(pickDefaultInterface(list)).toBe(expected);
  });

  it('with nothing but loopback up, the error lists what there is and says to use -i', () => {
    const list = [iface('lo', { loopback: true }), iface('eth0', { up: false })];
    expect(() => pickDefaultInterface(list)).toThrow(CaptureDeviceError);
    try {
      pickDefaultInterface(list);
    } catch (err) {
      expect((err as CaptureDeviceError).hint).toBe('name one with -i; libpcap lists: lo (loopback), eth0 (down)');
    }
  });
});

const skipReason = liveSkipReason();

describe.skipIf(skipReason !== undefined)('interfaces as libpcap lists them inside our namespaces', () => {
  let pair: VethPair;
  const lonely = `netml-t-c-${randomBytes(2).toString('hex')}`;

  beforeAll(() => {
    removeStaleNamespaces();
    pair = createVethPair();
    spawnSync('ip', ['netns', 'add', lonely]);
  });

  afterAll(() => {
    pair?.remove();
    spawnSync('ip', ['netns', 'del', lonely]);
    removeProbe();
  });

  it('lists the veth with its address and state, lo as loopback, and picks the veth', async () => {
    const { report: r } = await runProbe(pair.nsA, { action: 'interfaces' }).result;
    const byName = new Map<string, NetworkInterface>(r.interfaces.map((i: NetworkInterface) => [i.name, i]));
    expect(byName.get(pair.ifA)).toMatchObject({
      loopback: false,
      up: true,
      running: true,
      operState: 'up',
      addresses: expect.arrayContaining([{ address: pair.addrA, netmask: '255.255.255.252', broadcast: expect.any(String) }]),
    });
    expect(byName.get('lo')).toMatchObject({ loopback: true, up: true });
    // node_pcap leaves holes for AF_PACKET addresses; none may survive
    for (const i of r.interfaces) expect(i.addresses.every((a: unknown) => a !== null && typeof a === 'object')).toBe(true);
    expect(r.pick).toBe(pair.ifA);
  });

  it('in a namespace with only lo there is no default, and the error says so', async () => {
    const { report: r } = await runProbe(lonely, { action: 'interfaces' }).result;
    expect(r.pick).toBeUndefined();
    expect(r.pickError).toMatchObject({ name: 'CaptureDeviceError', message: expect.stringMatching(/no network interface is up/) });
    expect(r.pickError.hint).toMatch(/lo \(loopback\)/);
  });
});
