// What the client and the attacker do: each activity is a real program run inside its namespace against the
// server's lab address, with bounds (counts, byte budgets, timeouts) so that a run's length and size are known.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS } from './lab-network.js';
import { FILES, PORTS, SSH_USER, ZONE, ZONE_HOSTS } from './lab-services.js';

const SERVER = HOSTS.server.address;

// A DNS client in a few lines of python3 (always there), so no dnsutils package is needed: one A or MX query
// per name to the lab resolver, the rcode printed per answer.
const DNS_QUERY = `
import socket, struct, sys, random
server, seed, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rng = random.Random(seed)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for spec in names:
    name, qtype = spec.split(':')
    qid = rng.randrange(65536)
    q = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    q += b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\\0'
    q += struct.pack('>HH', {'A': 1, 'MX': 15, 'TXT': 16}[qtype], 1)
    s.sendto(q, (server, 53))
    try:
        r, _ = s.recvfrom(2048)
        print(name, qtype, 'rcode', r[3] & 15, 'answers', struct.unpack('>H', r[6:8])[0])
    except socket.timeout:
        print(name, qtype, 'timeout')
`;

const SSH_OPTIONS = [
  '-F', '/dev/null',
  '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
  '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR',
];

/**
 * @typedef {{ kind: string, detail: string, argv: string[], timeoutMs: number }} Activity
 * @param {ReturnType<import('./seeded-random.js').seededRandom>} random
 * @param {{ dir: string, www: string, downloads: string, clientKey: string }} files
 * @param {number} sequence  the activity's number in the run (unique names for batch files)
 * @returns {Record<string, () => Activity>}
 */
export function normalActivities(random, files, sequence) {
  return {
    http: () => {
      const [name] = random.next() < 0.1 ? [`missing-${random.integer(1, 99)}.html`] : random.pick(FILES);
      return {
        kind: 'http',
        detail: `GET /${name}`,
        argv: ['curl', '-sS', '-o', '/dev/null', '--noproxy', '*', '--max-time', '20', '-w', '%{http_code} %{size_download}\\n', `http://${SERVER}:${PORTS.http}/${name}`],
        timeoutMs: 25000,
      };
    },
    dns: () => {
      const names = Array.from({ length: random.integer(1, 4) }, () => {
        const host = random.next() < 0.2 ? `host-${random.integer(1, 999)}` : random.pick(ZONE_HOSTS);
        return `${host}.${ZONE}:${random.next() < 0.15 ? 'MX' : 'A'}`;
      });
      return { kind: 'dns', detail: names.join(' '), argv: ['python3', '-c', DNS_QUERY, SERVER, String(random.integer(0, 1e9)), ...names], timeoutMs: 15000 };
    },
    ping: () => {
      const count = random.integer(2, 5);
      return { kind: 'ping', detail: `${count} echo requests`, argv: ['ping', '-n', '-c', String(count), '-i', '0.2', '-W', '1', SERVER], timeoutMs: 10000 };
    },
    ssh: () => {
      const [name] = random.pick(FILES.filter(([, size]) => size <= 128 * 1024));
      const batch = join(files.dir, `sftp-${sequence}.batch`);
      writeFileSync(batch, `ls -l ${files.www}\nget ${join(files.www, name)} ${join(files.downloads, `${sequence}-${name}`)}\n`);
      return {
        kind: 'ssh',
        detail: `key login as ${SSH_USER}, sftp get ${name}`,
        argv: ['sftp', '-q', '-b', batch, '-i', files.clientKey, ...SSH_OPTIONS, `${SSH_USER}@${SERVER}`],
        timeoutMs: 20000,
      };
    },
    iperf: () => {
      const megabytes = random.integer(2, 8);
      // -b keeps a veth (tens of Gbit/s) from writing gigabytes of capture: 8 MB at 40 Mbit/s is under 2 s
      return {
        kind: 'iperf',
        detail: `${megabytes} MB bulk TCP`,
        argv: ['iperf3', '--client', SERVER, '--port', String(PORTS.iperf), '--bytes', `${megabytes}M`, '--bitrate', '40M', '--connect-timeout', '3000'],
        timeoutMs: 20000,
      };
    },
  };
}

/** how often each normal activity is picked after the first round (which runs each once, in seeded order) */
export const NORMAL_WEIGHTS = { http: 35, dns: 25, ping: 10, ssh: 15, iperf: 15 };

/** A few well-known weak passwords; the brute force tries a seeded subset of them. */
const PASSWORDS = [
  '123456', 'password', '12345678', 'qwerty', '123456789', '12345', '1234', '111111', '1234567', 'dragon', '123123',
  'baseball', 'abc123', 'football', 'monkey', 'letmein', '696969', 'shadow', 'master', '666666', 'qwertyuiop',
  '123321', 'mustang', '1234567890', 'michael', '654321', 'superman', '1qaz2wsx', '7777777', 'admin', 'root',
  'changeme', 'welcome', 'passw0rd', 'trustno1', 'iloveyou', 'sunshine', 'princess', 'toor', 'default',
];
const USERS = ['root', 'admin', SSH_USER];

/**
 * The three attacks, scaled by `short` (a CI run of ~15 s). Each has a class name for the labels file and
 * the Debian tool that runs it.
 * @typedef {{ className: string, tool: string, detail: string, argv: string[], timeoutMs: number, keepOutput: boolean }} Attack
 * @param {ReturnType<import('./seeded-random.js').seededRandom>} random @param {string} dir @param {boolean} short
 * @returns {Record<string, () => Attack>}
 */
export function attacks(random, dir, short) {
  return {
    portscan: () => {
      const lastPort = short ? 1024 : 4096;
      return {
        className: 'portscan',
        tool: 'nmap',
        detail: `nmap SYN scan of ports 1-${lastPort}`,
        argv: ['nmap', '-sS', '-Pn', '-n', '-T4', '--max-retries', '1', '-p', `1-${lastPort}`, SERVER],
        timeoutMs: short ? 20000 : 60000,
        keepOutput: true,
      };
    },
    synflood: () => {
      const seconds = short ? 3 : 8;
      const intervalUs = 200; // 5,000 SYN/s at most: a flood for a 2-core capture, not a disk filler
      const count = Math.round((seconds * 1e6) / intervalUs);
      return {
        className: 'synflood',
        tool: 'hping3',
        detail: `hping3 SYN flood to port ${PORTS.http}, ${count} packets, u${intervalUs}`,
        argv: ['hping3', '-S', '-p', String(PORTS.http), '-i', `u${intervalUs}`, '-c', String(count), '-q', SERVER],
        timeoutMs: (seconds + 3) * 1000,
        keepOutput: false,
      };
    },
    bruteforce: () => {
      const words = random.shuffle(PASSWORDS).slice(0, short ? 16 : PASSWORDS.length);
      const passwordFile = join(dir, 'passwords.txt');
      const userFile = join(dir, 'users.txt');
      writeFileSync(passwordFile, `${words.join('\n')}\n`);
      writeFileSync(userFile, `${USERS.join('\n')}\n`);
      return {
        className: 'bruteforce',
        tool: 'hydra',
        detail: `hydra ssh, ${USERS.length} users x ${words.length} passwords, 4 tasks`,
        // -I: ignore a restore file from an interrupted run (else hydra waits 10 s); cwd is the temp dir
        argv: ['hydra', '-I', '-t', '4', '-L', userFile, '-P', passwordFile, '-s', String(PORTS.ssh), `ssh://${SERVER}`],
        timeoutMs: short ? 25000 : 90000,
        keepOutput: true,
      };
    },
  };
}
