// What the client and the attacker do: each activity is a real program run inside its namespace against the
// server's lab address, with bounds (counts, byte budgets, timeouts) so that a run's length and size are known.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS } from './lab-network.js';
import { ASSETS, FILES, PAGES, PORTS, SSH_USER, ZONE, ZONE_HOSTS } from './lab-services.js';

const SERVER = HOSTS.server.address;

// A DNS client in a few lines of python3 (always there), so no dnsutils package is needed. Like a stub resolver,
// each query goes out from a fresh socket (a new source port, so a flow of its own), bound to the client address
// given; the gaps between the queries of a burst come from the seeded generator. The rcode is printed per answer.
const DNS_QUERY = `
import socket, struct, sys, random, time
server, source, seed, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
rng = random.Random(seed)
for spec in names:
    name, qtype = spec.split(':')
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.settimeout(2)
    qid = rng.randrange(65536)
    q = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    q += b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\\0'
    q += struct.pack('>HH', {'A': 1, 'MX': 15, 'TXT': 16, 'AAAA': 28}[qtype], 1)
    s.sendto(q, (server, 53))
    try:
        r, _ = s.recvfrom(2048)
        print(name, qtype, 'rcode', r[3] & 15, 'answers', struct.unpack('>H', r[6:8])[0])
    except socket.timeout:
        print(name, qtype, 'timeout')
    s.close()
    time.sleep(rng.choice([0, 0, 0.002, 0.01, 0.03, 0.08]))
`;

const SSH_OPTIONS = [
  '-F', '/dev/null',
  '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
  '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR',
];

const CURL = ['curl', '-sS', '--noproxy', '*', '--max-time', '20'];
const USER_AGENTS = ['Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'curl/7.88.1'];

/**
 * @typedef {{ kind: string, detail: string, argv: string[], timeoutMs: number }} Activity
 * @param {ReturnType<import('./seeded-random.js').seededRandom>} random  the worker's own generator
 * @param {{ dir: string, www: string, downloads: string, clientKey: string }} files
 * @param {{ name: string, source: string, iperfPort: number }} worker  unique name (batch files), client address, its iperf3 server
 * @returns {Record<string, () => Activity>}
 */
export function normalActivities(random, files, worker) {
  const source = worker.source;
  const url = (name) => `http://${SERVER}:${PORTS.http}/${name}`;
  return {
    // a page with its objects: over one keep-alive connection (HTTP/1.1), or over 2-4 parallel connections as
    // a browser does; now and then an object is missing (a 404, after which the server closes the connection)
    web: () => {
      const page = random.pick(PAGES);
      const objects = random.shuffle(ASSETS).slice(0, random.integer(1, 8)).map(([n]) => n);
      if (random.next() < 0.08) objects.splice(random.integer(0, objects.length), 0, `missing-${random.integer(1, 99)}.png`);
      const names = [page, ...objects];
      const parallel = random.next() < 0.4 ? random.integer(2, 4) : 0;
      const argv = [...CURL, '--interface', source, '-A', random.pick(USER_AGENTS), '-w', '%{http_code} %{size_download} %{num_connects}\\n'];
      if (parallel) argv.push('--parallel', '--parallel-max', String(parallel));
      for (const n of names) argv.push('-o', '/dev/null', url(n));
      return { kind: 'web', detail: `${names.length} objects from ${source}${parallel ? `, ${parallel} parallel connections` : ', keep-alive'}`, argv, timeoutMs: 25000 };
    },
    // one file of 1 KB to 4 MB on a connection of its own
    download: () => {
      const [name] = random.next() < 0.1 ? [`missing-${random.integer(1, 99)}.html`] : random.pick(FILES);
      return {
        kind: 'download',
        detail: `GET /${name} from ${source}`,
        argv: [...CURL, '--interface', source, '-o', '/dev/null', '-H', 'Connection: close', '-w', '%{http_code} %{size_download}\\n', url(name)],
        timeoutMs: 25000,
      };
    },
    // a burst of 1-12 lookups, as when a page or a program starts
    dns: () => {
      const names = Array.from({ length: random.integer(1, 12) }, () => {
        const host = random.next() < 0.2 ? `host-${random.integer(1, 999)}` : random.pick(ZONE_HOSTS);
        const u = random.next();
        return `${host}.${ZONE}:${u < 0.1 ? 'MX' : u < 0.15 ? 'TXT' : u < 0.35 ? 'AAAA' : 'A'}`;
      });
      return { kind: 'dns', detail: `${names.length} lookups from ${source}`, argv: ['python3', '-c', DNS_QUERY, SERVER, source, String(random.integer(0, 1e9)), ...names], timeoutMs: 30000 };
    },
    ping: () => {
      const count = random.integer(1, 5);
      const interval = random.pick(['0.2', '0.5', '1']);
      const size = random.pick(['56', '56', '56', '16', '120', '1000']);
      return { kind: 'ping', detail: `${count} echo requests of ${size} bytes from ${source}`, argv: ['ping', '-n', '-c', String(count), '-i', interval, '-s', size, '-W', '1', '-I', source, SERVER], timeoutMs: 15000 };
    },
    // a key login and an sftp session: a listing and one to three small files
    ssh: () => {
      const picks = random.shuffle(FILES.filter(([n, size]) => size <= 128 * 1024 && n !== 'index.html')).slice(0, random.integer(1, 3)).map(([n]) => n);
      const batch = join(files.dir, `sftp-${worker.name}-${random.integer(0, 1e9)}.batch`);
      const gets = picks.map((n, i) => `get ${join(files.www, n)} ${join(files.downloads, `${worker.name}-${i}-${n}`)}`);
      writeFileSync(batch, `${random.next() < 0.7 ? `ls -l ${files.www}\n` : ''}${gets.join('\n')}\n`);
      return {
        kind: 'ssh',
        detail: `key login as ${SSH_USER} from ${source}, sftp get ${picks.join(' ')}`,
        argv: ['sftp', '-q', '-b', batch, '-i', files.clientKey, ...SSH_OPTIONS, '-o', `BindAddress=${source}`, `${SSH_USER}@${SERVER}`],
        timeoutMs: 20000,
      };
    },
    iperf: () => {
      const megabytes = random.integer(1, 4);
      const reverse = random.next() < 0.3;
      // -b keeps a veth (tens of Gbit/s) from writing gigabytes of capture: 4 MB at 40 Mbit/s is under 1 s
      return {
        kind: 'iperf',
        detail: `${megabytes} MB bulk TCP ${reverse ? 'from' : 'to'} the server, from ${source}`,
        argv: ['iperf3', '--client', SERVER, '--port', String(worker.iperfPort), '--bind', source, '--bytes', `${megabytes}M`, '--bitrate', '40M', '--connect-timeout', '3000', ...(reverse ? ['--reverse'] : [])],
        timeoutMs: 20000,
      };
    },
  };
}

/** how often each normal activity is picked after a worker's first round */
export const NORMAL_WEIGHTS = { web: 34, dns: 30, ping: 12, ssh: 10, download: 8, iperf: 6 };

/**
 * A worker's pause between two activities: mostly a short one (a script, a page's follow-up), sometimes a
 * person reading (a few seconds). Shorter in the CI's short run.
 * @param {ReturnType<import('./seeded-random.js').seededRandom>} random @param {boolean} short
 */
export function normalPause(random, short) {
  const u = random.next();
  if (u < 0.75) return random.uniform(0.05, 0.4);
  if (u < 0.95) return random.uniform(0.4, short ? 1.5 : 2);
  return random.uniform(2, short ? 3 : 5);
}

/** A few well-known weak passwords; the brute force tries a seeded subset of them. */
const PASSWORDS = [
  '123456', 'password', '12345678', 'qwerty', '123456789', '12345', '1234', '111111', '1234567', 'dragon', '123123',
  'baseball', 'abc123', 'football', 'monkey', 'letmein', '696969', 'shadow', 'master', '666666', 'qwertyuiop',
  '123321', 'mustang', '1234567890', 'michael', '654321', 'superman', '1qaz2wsx', '7777777', 'admin', 'root',
  'changeme', 'welcome', 'passw0rd', 'trustno1', 'iloveyou', 'sunshine', 'princess', 'toor', 'default',
];
const USERS = ['root', 'admin', SSH_USER];
/**
 * Long runs try more accounts, as brute forcers do. hydra opens a connection per task and account (and
 * tries every password on it: sshd allows 200 tries, see lab-services.js), so 3 accounts gave only 13 flows,
 * where one missed flow is 8% of them; 12 accounts give ~49 flows in about 2 s.
 */
const LONG_RUN_USERS = [...USERS, 'user', 'test', 'guest', 'ubuntu', 'pi', 'oracle', 'postgres', 'ftp', 'git'];

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
        // hping3 keeps u200 only roughly (8 s of SYNs take ~11 s here): room to send them all before the timeout
        timeoutMs: (2 * seconds + 3) * 1000,
        keepOutput: false,
      };
    },
    bruteforce: () => {
      const words = random.shuffle(PASSWORDS).slice(0, short ? 16 : PASSWORDS.length);
      const users = short ? USERS : LONG_RUN_USERS;
      const passwordFile = join(dir, 'passwords.txt');
      const userFile = join(dir, 'users.txt');
      writeFileSync(passwordFile, `${words.join('\n')}\n`);
      writeFileSync(userFile, `${users.join('\n')}\n`);
      return {
        className: 'bruteforce',
        tool: 'hydra',
        detail: `hydra ssh, ${users.length} users x ${words.length} passwords, 4 tasks`,
        // -I: ignore a restore file from an interrupted run (else hydra waits 10 s); cwd is the temp dir
        argv: ['hydra', '-I', '-t', '4', '-L', userFile, '-P', passwordFile, '-s', String(PORTS.ssh), `ssh://${SERVER}`],
        timeoutMs: short ? 25000 : 90000,
        keepOutput: true,
      };
    },
  };
}
