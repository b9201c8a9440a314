// The network interfaces libpcap can capture on, and the default choice when the user names none (the first
// interface that is up and not loopback, as tcpdump does). node_pcap only says whether an interface is
// loopback, so up/running come from /sys/class/net.

import { readFileSync } from 'node:fs';
import { CaptureDeviceError } from '../errors.js';
import { loadPcapAddon, type PcapAddon } from './live-capture.js';

export interface InterfaceAddress {
  address: string;
  netmask?: string;
  broadcast?: string;
  /** the other end of a point-to-point link */
  destination?: string;
}

export interface NetworkInterface {
  name: string;
  description?: string;
  /** IPv4 and IPv6 addresses only */
  addresses: InterfaceAddress[];
  loopback: boolean;
  /** administratively up (IFF_UP); undefined for pseudo-devices without /sys/class/net entry (any, nflog, dbus-*...) */
  up: boolean | undefined;
  /** IFF_RUNNING as `ip link` shows it: up, and operstate up or unknown; undefined for pseudo-devices */
  running: boolean | undefined;
  /** /sys/class/net/NAME/operstate: up, down, unknown (lo, tun), dormant...; undefined for pseudo-devices */
  operState: string | undefined;
}

// <linux/if.h>; sysfs `flags` holds only the stored flags, not IFF_RUNNING, which the kernel derives
// (dev_get_flags) from being up with operstate up or unknown
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

/** Every interface pcap_findalldevs() reports, in its order (libpcap lists up and running ones first). */
export function listInterfaces(addon: PcapAddon = loadPcapAddon()): NetworkInterface[] {
  let devices: ReturnType<PcapAddon['findalldevs']>;
  try {
    devices = addon.findalldevs();
  } catch (err) {
    // node_pcap throws when the list is empty as well as on failure
    const why = (err as Error)?.message ?? String(err);
    if (why === '' || /didn't find|no interfaces/i.test(why)) return [];
    throw new CaptureDeviceError(`libpcap cannot list the network interfaces: ${why}`, 'check `ip link`; listing needs no privileges', { cause: err });
  }
  return devices.map((d) => {
    const sys = readSysFlags(d.name);
    const iface: NetworkInterface = {
      name: d.name,
      addresses: (d.addresses ?? []).flatMap((a) =>
        a && a.addr
          ? [
              {
                address: a.addr,
                ...(a.netmask ? { netmask: a.netmask } : {}),
                ...(a.broadaddr ? { broadcast: a.broadaddr } : {}),
                ...(a.dstaddr ? { destination: a.dstaddr } : {}),
              },
            ]
          : [],
      ),
      loopback: d.flags === 'PCAP_IF_LOOPBACK' || (sys !== undefined && (sys.flags & IFF_LOOPBACK) !== 0),
      up: sys === undefined ? undefined : (sys.flags & IFF_UP) !== 0,
      running: sys === undefined ? undefined : (sys.flags & IFF_UP) !== 0 && (sys.operState === 'up' || sys.operState === 'unknown'),
      operState: sys?.operState,
    };
    if (d.description) iface.description = d.description;
    return iface;
  });
}

/**
 * The interface a capture uses when none is named: the first one that is up, running and not loopback,
 * preferring one with an IP address (pcap_lookupdev's rule plus the carrier check tcpdump -D shows).
 * Pseudo-devices such as `any` are never picked implicitly.
 */
export function pickDefaultInterface(interfaces: NetworkInterface[] = listInterfaces()): string {
  const candidates = interfaces.filter((i) => !i.loopback && i.up === true && i.running === true);
  const pick = candidates.find((i) => i.addresses.length > 0) ?? candidates[0];
  if (pick) return pick.name;
  const names = interfaces.map((i) => `${i.name}${i.loopback ? ' (loopback)' : i.up === false ? ' (down)' : i.running === false ? ' (no carrier)' : ''}`);
  throw new CaptureDeviceError(
    'no network interface is up apart from loopback, so there is no default to capture on',
    names.length > 0 ? `name one with -i; libpcap lists: ${names.join(', ')}` : 'libpcap lists no interfaces at all; are you in a container without network?',
  );
}

function readSysFlags(name: string): { flags: number; operState: string | undefined } | undefined {
  // names come from libpcap, but never let one walk out of /sys/class/net
  if (name.includes('/') || name === '.' || name === '..') return undefined;
  let flags: number;
  try {
    flags = Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(flags)) return undefined;
  let operState: string | undefined;
  try {
    operState = readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim();
  } catch {
    operState = undefined;
  }
  return { flags, operState };
}
