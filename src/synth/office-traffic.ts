// A seeded small-office network: clients browsing a web server (TCP handshake, request, response,
// FIN teardown both ways), DNS lookups, pings, ARP, IPv6 HTTPS, and optionally a SYN port scan and a SYN
// flood from an attacker. Used for the bundled sample capture and the benchmark captures.

import { arpFrame, dnsMessage, echoFrame, ipv4, ipv6, LINUX_SYN_OPTIONS, mac, tcpFrame, udpFrame, type IpAddr, type Mac } from './frame-builder.js';
import { SeededRandom } from './seeded-random.js';

export interface SynthPacket {
  /** time in microseconds since the epoch (integer) */
  timeUs: number;
  frame: Uint8Array;
}

export interface OfficeTrafficOptions {
  seed: number;
  /** first packet time, seconds since the epoch */
  startEpochS: number;
  /** one round = one second of traffic */
  rounds: number;
  clients: number;
  /** web sessions started per client per round (on average) */
  sessionsPerClientRound: number;
  /** add a SYN scan in the middle and a SYN flood near the end */
  attacks: boolean;
  /** SYNs of the flood per round while it lasts */
  floodSynsPerRound?: number;
  /**
   * share of the flood's SYNs the server answers with a SYN/ACK (default 0.3: an overwhelmed server). A
   * Linux server with SYN cookies answers every one (1: two packets per flow; the lab's hping3 flood
   * measured three with the retransmitted SYN/ACK).
   */
  floodAnsweredShare?: number;
  /** largest web response; responses are uniform between 200 bytes and this */
  maxResponseBytes?: number;
}

interface Host {
  mac: Mac;
  ip4: IpAddr;
  ip6: IpAddr;
}

const GATEWAY_MAC = mac('02:00:0a:00:00:01');
const SERVER: Host = { mac: mac('02:00:0a:00:00:02'), ip4: ipv4('10.0.0.2'), ip6: ipv6('2001:db8:0:1::2') };
const DNS_SERVER: Host = { mac: mac('02:00:0a:00:00:35'), ip4: ipv4('10.0.0.53'), ip6: ipv6('2001:db8:0:1::53') };
const ATTACKER: Host = { mac: mac('02:00:0a:00:00:42'), ip4: ipv4('10.0.0.66'), ip6: ipv6('2001:db8:0:1::66') };
const SITES = ['intranet.example', 'wiki.example', 'files.example', 'mail.example', 'git.example'];
const OPEN_PORTS = new Set([22, 80, 443]);

function client(i: number): Host {
  return {
    mac: mac(`02:00:0a:00:01:${(i & 0xff).toString(16).padStart(2, '0')}`),
    ip4: [10, 0, 1 + (i >> 8), i & 0xff],
    ip6: ipv6(`2001:db8:0:1::${(0x100 + i).toString(16)}`),
  };
}

/** Rounds of the attacks: the scan takes one round in the middle, the flood the rounds from 3/4 on. */
function attackRounds(rounds: number): { scanRound: number; floodStart: number; floodRounds: number } {
  return { scanRound: Math.floor(rounds / 2), floodStart: Math.floor((rounds * 3) / 4), floodRounds: Math.max(1, Math.floor(rounds / 20)) };
}

/**
 * The ground truth of a capture made with `attacks`, as `netml extract --labels` rules: the clients' flows are
 * normal (first rule, so a client's web session during the flood stays normal), the attacker's flows in the
 * scan's second are portscan, the SYNs to the web server during the flood (from spoofed sources) synflood.
 */
export function officeAttackLabels(o: Pick<OfficeTrafficOptions, 'startEpochS' | 'rounds' | 'clients'>): { default: string; rules: Record<string, string | number>[] } {
  const { scanRound, floodStart, floodRounds } = attackRounds(o.rounds);
  const t0 = o.startEpochS;
  const text = (ip: IpAddr): string => ip.join('.');
  // clients are 10.0.1.x, 10.0.2.x, ...: one rule per /24 they use
  const clientNets = new Set(Array.from({ length: o.clients }, (_, i) => `${text(client(i + 10).ip4.slice(0, 3))}.0/24`));
  return {
    default: 'normal',
    rules: [
      ...Array.from(clientNets, (net) => ({ class: 'normal', src: net })),
      { class: 'portscan', src: text(ATTACKER.ip4), start: t0 + scanRound, end: t0 + scanRound + 1 },
      { class: 'synflood', dst: text(SERVER.ip4), dst_port: 80, protocol: 'tcp', start: t0 + floodStart, end: t0 + floodStart + floodRounds },
    ],
  };
}

/** Yields one second of traffic at a time, sorted by time, so a million packets never sit in memory. */
export function* officeTraffic(o: OfficeTrafficOptions): Generator<SynthPacket[]> {
  const rng = new SeededRandom(o.seed);
  const clients = Array.from({ length: o.clients }, (_, i) => client(i + 10));
  const { scanRound, floodStart, floodRounds } = attackRounds(o.rounds);
  for (let round = 0; round < o.rounds; round++) {
    const out: SynthPacket[] = [];
    const t0 = (o.startEpochS + round) * 1e6;
    if (round === 0) {
      for (const c of clients) arpExchange(out, t0 + rng.int(0, 200_000), c, SERVER.ip4, SERVER.mac);
    }
    for (const c of clients) {
      const sessions = poisson(rng, o.sessionsPerClientRound);
      for (let s = 0; s < sessions; s++) {
        const start = t0 + rng.int(0, 500_000);
        const site = rng.pick(SITES);
        const afterDns = dnsLookup(out, rng, start, c, site);
        const v6 = rng.next() < 0.2;
        webSession(out, rng, afterDns, c, v6, v6 ? 443 : 80, rng.int(200, o.maxResponseBytes ?? 60_000));
      }
      if (rng.next() < 0.05) ping(out, rng, t0 + rng.int(0, 800_000), c, rng.next() < 0.5);
    }
    if (o.attacks && round === scanRound) synScan(out, rng, t0);
    if (o.attacks && round >= floodStart && round < floodStart + floodRounds) synFlood(out, rng, t0, o.floodSynsPerRound ?? 2000, o.floodAnsweredShare ?? 0.3);
    out.sort((a, b) => a.timeUs - b.timeUs);
    yield out;
  }
}

function poisson(rng: SeededRandom, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

function arpExchange(out: SynthPacket[], t: number, who: Host, targetIp: IpAddr, targetMac: Mac): void {
  out.push({ timeUs: t, frame: arpFrame(who.mac, mac('ff:ff:ff:ff:ff:ff'), 1, who.ip4, [0, 0, 0, 0, 0, 0], targetIp) });
  out.push({ timeUs: t + 180, frame: arpFrame(targetMac, who.mac, 2, targetIp, who.mac, who.ip4) });
}

/** Query and answer over UDP; returns the time the answer arrived. */
function dnsLookup(out: SynthPacket[], rng: SeededRandom, t: number, c: Host, name: string): number {
  const id = rng.int(0, 0xffff);
  const port = rng.int(32768, 60999);
  const rtt = rng.int(300, 3000);
  out.push({ timeUs: t, frame: udpFrame(c.mac, DNS_SERVER.mac, { src: c.ip4, dst: DNS_SERVER.ip4, ttl: 64, ipId: id }, port, 53, dnsMessage(id, name)) });
  const answer = dnsMessage(id, name, SERVER.ip4);
  out.push({ timeUs: t + rtt, frame: udpFrame(DNS_SERVER.mac, c.mac, { src: DNS_SERVER.ip4, dst: c.ip4, ttl: 64, ipId: id }, 53, port, answer) });
  return t + rtt + rng.int(50, 400);
}

/** Handshake, request, response in MSS-sized segments with delayed ACKs, FIN from the client, FIN back, last ACK. */
function webSession(out: SynthPacket[], rng: SeededRandom, t: number, c: Host, v6: boolean, port: number, responseBytes: number): void {
  const rtt = rng.int(200, 2000);
  const cport = rng.int(32768, 60999);
  const cip = { src: v6 ? c.ip6 : c.ip4, dst: v6 ? SERVER.ip6 : SERVER.ip4, ttl: 64 };
  const sip = { src: cip.dst, dst: cip.src, ttl: 64 };
  let cseq = rng.int(0, 0xffffffff);
  let sseq = rng.int(0, 0xffffffff);
  const toServer = (flags: number, payloadLen: number, at: number, options?: Uint8Array) => {
    out.push({ timeUs: at, frame: tcpFrame(c.mac, GATEWAY_MAC, cip, { srcPort: cport, dstPort: port, seq: cseq, ack: flags & 2 && !(flags & 16) ? 0 : sseq, flags, window: 502, options, payloadLen }) });
    cseq = (cseq + payloadLen + (flags & 3 ? 1 : 0)) >>> 0;
  };
  const toClient = (flags: number, payloadLen: number, at: number, options?: Uint8Array) => {
    out.push({ timeUs: at, frame: tcpFrame(SERVER.mac, c.mac, sip, { srcPort: port, dstPort: cport, seq: sseq, ack: cseq, flags, window: 509, options, payloadLen }) });
    sseq = (sseq + payloadLen + (flags & 3 ? 1 : 0)) >>> 0;
  };
  toServer(0x02, 0, t, LINUX_SYN_OPTIONS);
  toClient(0x12, 0, t + rtt, LINUX_SYN_OPTIONS);
  toServer(0x10, 0, t + rtt + 30);
  toServer(0x18, rng.int(120, 600), t + rtt + 60);
  let at = t + 2 * rtt + 60;
  toClient(0x10, 0, at);
  let left = responseBytes;
  let segments = 0;
  while (left > 0) {
    const len = Math.min(1448, left);
    left -= len;
    at += rng.int(5, 60);
    toClient(left === 0 ? 0x18 : 0x10, len, at);
    if (++segments % 2 === 0 || left === 0) toServer(0x10, 0, at + rtt / 2);
  }
  at += rtt + rng.int(1000, 20000);
  toServer(0x11, 0, at);
  toClient(0x11, 0, at + rtt);
  toServer(0x10, 0, at + rtt + 40);
}

function ping(out: SynthPacket[], rng: SeededRandom, t: number, c: Host, v6: boolean): void {
  const id = rng.int(1, 0xffff);
  for (let seq = 1; seq <= 4; seq++) {
    const at = t + (seq - 1) * 1000 + rng.int(0, 50);
    const rtt = rng.int(100, 900);
    const fwd = { src: v6 ? c.ip6 : c.ip4, dst: v6 ? SERVER.ip6 : SERVER.ip4, ttl: 64, ipId: seq };
    out.push({ timeUs: at, frame: echoFrame(c.mac, GATEWAY_MAC, fwd, false, id, seq) });
    out.push({ timeUs: at + rtt, frame: echoFrame(SERVER.mac, c.mac, { src: fwd.dst, dst: fwd.src, ttl: 64, ipId: seq }, true, id, seq) });
  }
}

/** nmap -sS style: one SYN per port 1..1024; RST/ACK from closed ports, SYN/ACK then RST for open ones. */
function synScan(out: SynthPacket[], rng: SeededRandom, t0: number): void {
  const sport = rng.int(40000, 60000);
  const a = { src: ATTACKER.ip4, dst: SERVER.ip4, ttl: 44 };
  const s = { src: SERVER.ip4, dst: ATTACKER.ip4, ttl: 64 };
  for (let port = 1; port <= 1024; port++) {
    const at = t0 + port * 400;
    const seq = rng.int(0, 0xffffffff);
    out.push({ timeUs: at, frame: tcpFrame(ATTACKER.mac, SERVER.mac, a, { srcPort: sport, dstPort: port, seq, ack: 0, flags: 0x02, window: 1024, options: new Uint8Array([2, 4, 5, 0xb4]), payloadLen: 0 }) });
    if (OPEN_PORTS.has(port)) {
      out.push({ timeUs: at + 150, frame: tcpFrame(SERVER.mac, ATTACKER.mac, s, { srcPort: port, dstPort: sport, seq: rng.int(0, 0xffffffff), ack: seq + 1, flags: 0x12, window: 64240, options: new Uint8Array([2, 4, 5, 0xb4]), payloadLen: 0 }) });
      out.push({ timeUs: at + 300, frame: tcpFrame(ATTACKER.mac, SERVER.mac, a, { srcPort: sport, dstPort: port, seq: seq + 1, ack: 0, flags: 0x04, window: 0, payloadLen: 0 }) });
    } else {
      out.push({ timeUs: at + 150, frame: tcpFrame(SERVER.mac, ATTACKER.mac, s, { srcPort: port, dstPort: sport, seq: 0, ack: seq + 1, flags: 0x14, window: 0, payloadLen: 0 }) });
    }
  }
}

/** hping3 -S --flood style: SYNs to port 80 from random spoofed sources, a SYN/ACK for `answered` of them. */
function synFlood(out: SynthPacket[], rng: SeededRandom, t0: number, syns: number, answered: number): void {
  const gap = Math.max(1, Math.floor(1_000_000 / syns));
  for (let i = 0; i < syns; i++) {
    const src = [rng.int(1, 223), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)];
    const sport = rng.int(1024, 65535);
    const seq = rng.int(0, 0xffffffff);
    const at = t0 + i * gap;
    out.push({ timeUs: at, frame: tcpFrame(ATTACKER.mac, SERVER.mac, { src, dst: SERVER.ip4, ttl: 64 }, { srcPort: sport, dstPort: 80, seq, ack: 0, flags: 0x02, window: 512, payloadLen: 0 }) });
    if (rng.next() < answered) {
      out.push({ timeUs: at + 100, frame: tcpFrame(SERVER.mac, GATEWAY_MAC, { src: SERVER.ip4, dst: src, ttl: 64 }, { srcPort: 80, dstPort: sport, seq: rng.int(0, 0xffffffff), ack: seq + 1, flags: 0x12, window: 64240, payloadLen: 0 }) });
    }
  }
}
