// What the traffic charts draw, gathered in one streaming pass over packets (packets.csv rows, decoded
// frames or live ones): per-second counters, protocol and port counts, per-address totals. Memory is
// bounded: time bins merge as the span grows and the address tables stop at a cap, the rest counted apart.

import type { LocalAddresses } from './local-addresses.js';
import { TimeBins } from './time-bins.js';

/** One packet as the charts need it; -1 for absent ports, '' for absent addresses. */
export interface PacketRecord {
  timeS: number;
  wireBytes: number;
  src: string;
  dst: string;
  /** the `protocol` column of packets.csv: tcp, udp, icmp, icmpv6, sctp, arp, gre, ..., ip, other */
  protocol: string;
  srcPort: number;
  dstPort: number;
}

/** The protocol groups of the distribution chart, in their display order. */
export const PROTOCOL_GROUPS = ['tcp', 'udp', 'icmp', 'icmpv6', 'arp', 'other'] as const;
export type ProtocolGroup = (typeof PROTOCOL_GROUPS)[number];

export interface Totals {
  packets: number;
  bytes: number;
}

export interface AddressTotals extends Totals {
  address: string;
}

export interface PortTotals extends Totals {
  protocol: 'tcp' | 'udp' | 'sctp';
  port: number;
}

/** Channels of TrafficSummary.bins. */
export const TrafficChannel = { packets: 0, bytes: 1, sentBytes: 2, receivedBytes: 3 } as const;

export interface TrafficSummary {
  packets: number;
  bytes: number;
  firstTimeS: number;
  lastTimeS: number;
  bins: TimeBins;
  /** null: no local addresses were known, so no sent/received split */
  local: LocalAddresses | null;
  sentBytes: number;
  receivedBytes: number;
  protocols: (Totals & { name: ProtocolGroup })[];
  /** every (protocol, service port) seen, largest packet count first */
  ports: PortTotals[];
  /** by source address, most bytes first */
  talkers: AddressTotals[];
  /** by destination address, most bytes first */
  destinations: AddressTotals[];
  /** the address in the most packets (as source or destination), for the default of --local */
  busiestAddress: string | undefined;
  /** packets whose address did not fit in the tables (more distinct addresses than the cap) */
  untrackedAddressPackets: number;
}

/** Distinct addresses kept per table: enough for any LAN capture, bounded for a scan of the whole Internet. */
export const MAX_ADDRESSES = 100_000;

const PORT_PROTOCOLS = { tcp: 0, udp: 1, sctp: 2 } as const;
const PORT_PROTOCOL_NAMES = ['tcp', 'udp', 'sctp'] as const;

export class TrafficSummaryBuilder {
  private readonly local: LocalAddresses | null;
  private readonly maxAddresses: number;
  private readonly bins = new TimeBins(['sum', 'sum', 'sum', 'sum']);
  private packets = 0;
  private bytes = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private sent = 0;
  private received = 0;
  private readonly protocolPackets = new Float64Array(PROTOCOL_GROUPS.length);
  private readonly protocolBytes = new Float64Array(PROTOCOL_GROUPS.length);
  /** key protocol * 65536 + port -> [packets, bytes] */
  private readonly ports = new Map<number, [number, number]>();
  private readonly sources = new Map<string, [number, number]>();
  private readonly destinations = new Map<string, [number, number]>();
  private readonly involvement = new Map<string, number>();
  private untracked = 0;

  constructor(local: LocalAddresses | null, options: { maxAddresses?: number } = {}) {
    this.local = local;
    this.maxAddresses = options.maxAddresses ?? MAX_ADDRESSES;
  }

  add(p: PacketRecord): void {
    const bytes = p.wireBytes > 0 ? p.wireBytes : 0;
    this.packets++;
    this.bytes += bytes;
    const t = p.timeS;
    if (Number.isFinite(t)) {
      if (t < this.first) this.first = t;
      if (t > this.last) this.last = t;
      this.bins.add(t, TrafficChannel.packets, 1);
      this.bins.add(t, TrafficChannel.bytes, bytes);
    }
    if (this.local) {
      const srcLocal = this.local.matches(p.src);
      const dstLocal = this.local.matches(p.dst);
      // traffic between two local addresses is neither sent nor received
      if (srcLocal && !dstLocal) {
        this.sent += bytes;
        this.bins.add(t, TrafficChannel.sentBytes, bytes);
      } else if (dstLocal && !srcLocal) {
        this.received += bytes;
        this.bins.add(t, TrafficChannel.receivedBytes, bytes);
      }
    }
    const group = protocolGroup(p.protocol);
    this.protocolPackets[group]++;
    this.protocolBytes[group] += bytes;
    const portProtocol = PORT_PROTOCOLS[p.protocol as keyof typeof PORT_PROTOCOLS];
    if (portProtocol !== undefined) {
      const port = servicePort(p.srcPort, p.dstPort);
      if (port >= 0) {
        const key = portProtocol * 65536 + port;
        const e = this.ports.get(key);
        if (e) {
          e[0]++;
          e[1] += bytes;
        } else this.ports.set(key, [1, bytes]);
      }
    }
    let tracked = this.count(this.sources, p.src, bytes);
    tracked = this.count(this.destinations, p.dst, bytes) && tracked;
    if (!tracked) this.untracked++;
    if (p.src !== '') this.involve(p.src);
    if (p.dst !== '' && p.dst !== p.src) this.involve(p.dst);
  }

  private count(table: Map<string, [number, number]>, address: string, bytes: number): boolean {
    if (address === '') return true;
    const e = table.get(address);
    if (e) {
      e[0]++;
      e[1] += bytes;
      return true;
    }
    if (table.size >= this.maxAddresses) return false;
    table.set(address, [1, bytes]);
    return true;
  }

  private involve(address: string): void {
    const n = this.involvement.get(address);
    if (n !== undefined) this.involvement.set(address, n + 1);
    else if (this.involvement.size < this.maxAddresses) this.involvement.set(address, 1);
  }

  finish(): TrafficSummary {
    let busiest: string | undefined;
    let most = 0;
    for (const [address, n] of this.involvement) {
      if (n > most || (n === most && busiest !== undefined && address < busiest)) {
        busiest = address;
        most = n;
      }
    }
    const ports: PortTotals[] = [...this.ports].map(([key, [packets, bytes]]) => ({
      protocol: PORT_PROTOCOL_NAMES[Math.floor(key / 65536)],
      port: key % 65536,
      packets,
      bytes,
    }));
    ports.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || a.port - b.port || a.protocol.localeCompare(b.protocol));
    return {
      packets: this.packets,
      bytes: this.bytes,
      firstTimeS: this.packets > 0 && Number.isFinite(this.first) ? this.first : Number.NaN,
      lastTimeS: this.packets > 0 && Number.isFinite(this.last) ? this.last : Number.NaN,
      bins: this.bins,
      local: this.local,
      sentBytes: this.sent,
      receivedBytes: this.received,
      protocols: PROTOCOL_GROUPS.map((name, i) => ({ name, packets: this.protocolPackets[i], bytes: this.protocolBytes[i] })),
      ports,
      talkers: sortedTotals(this.sources),
      destinations: sortedTotals(this.destinations),
      busiestAddress: busiest,
      untrackedAddressPackets: this.untracked,
    };
  }
}

function sortedTotals(table: Map<string, [number, number]>): AddressTotals[] {
  const rows = [...table].map(([address, [packets, bytes]]) => ({ address, packets, bytes }));
  return rows.sort((a, b) => b.bytes - a.bytes || b.packets - a.packets || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function protocolGroup(protocol: string): number {
  const i = (PROTOCOL_GROUPS as readonly string[]).indexOf(protocol);
  return i >= 0 ? i : PROTOCOL_GROUPS.length - 1;
}

/**
 * The application port of a TCP/UDP/SCTP packet: the lower of its two ports, since servers listen on
 * well-known and registered ports (below 49152) and clients send from ephemeral ones; -1 without ports.
 */
export function servicePort(srcPort: number, dstPort: number): number {
  if (srcPort < 0 || dstPort < 0) return srcPort < 0 ? dstPort : srcPort;
  return Math.min(srcPort, dstPort);
}

const SERVICE_NAMES: Readonly<Record<string, string>> = {
  'tcp/20': 'ftp-data',
  'tcp/21': 'ftp',
  'tcp/22': 'ssh',
  'tcp/23': 'telnet',
  'tcp/25': 'smtp',
  'udp/53': 'dns',
  'tcp/53': 'dns',
  'udp/67': 'dhcp',
  'udp/68': 'dhcp',
  'udp/69': 'tftp',
  'tcp/80': 'http',
  'tcp/110': 'pop3',
  'udp/123': 'ntp',
  'udp/137': 'netbios-ns',
  'udp/138': 'netbios-dgm',
  'tcp/139': 'netbios-ssn',
  'tcp/143': 'imap',
  'udp/161': 'snmp',
  'tcp/389': 'ldap',
  'tcp/443': 'https',
  'udp/443': 'quic',
  'tcp/445': 'smb',
  'udp/514': 'syslog',
  'tcp/587': 'submission',
  'tcp/636': 'ldaps',
  'tcp/993': 'imaps',
  'tcp/995': 'pop3s',
  'udp/1900': 'ssdp',
  'tcp/3306': 'mysql',
  'tcp/3389': 'rdp',
  'udp/5353': 'mdns',
  'tcp/5432': 'postgresql',
  'tcp/6379': 'redis',
  'tcp/8080': 'http-alt',
  'tcp/8443': 'https-alt',
  'tcp/27017': 'mongodb',
};

/** "tcp/443 https", "udp/5353 mdns", "tcp/9999". */
export function portLabel(protocol: string, port: number): string {
  const key = `${protocol}/${port}`;
  const name = SERVICE_NAMES[key];
  return name ? `${key} ${name}` : key;
}
