// The server namespace's daemons, each on its own configuration in the run's temp dir and listening on the
// server's lab address only: an HTTP file server, a DNS resolver for a made-up zone that never forwards,
// sshd, and an iperf3 server.

import { chmodSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HOSTS } from './lab-network.js';

export const ZONE = 'lab.test'; // .test is reserved by RFC 2606: it can never be a real name
/** names with records in the zone; queries for others get NXDOMAIN from dnsmasq itself (--local) */
export const ZONE_HOSTS = ['www', 'mail', 'files', 'ns1', 'intranet', 'printer', 'git', 'wiki'];
export const SSH_USER = 'nobody';
/** iperf: the first of IPERF_SERVERS consecutive ports (an iperf3 server runs one test at a time: one per client worker) */
export const PORTS = { http: 80, dns: 53, ssh: 22, iperf: 5201 };
export const IPERF_SERVERS = 6;
/** served files: name and size in bytes */
export const FILES = [
  ['index.html', 0],
  ['doc-1k.txt', 1024],
  ['image-16k.bin', 16 * 1024],
  ['archive-128k.bin', 128 * 1024],
  ['video-1m.bin', 1024 * 1024],
  ['backup-4m.bin', 4 * 1024 * 1024],
];
/** the objects of the web pages (style sheets, scripts, images, data): name and size in bytes, 300 B to 180 KB */
export const ASSETS = [
  ['style.css', 3100],
  ['theme.css', 11800],
  ['app.js', 24600],
  ['vendor.js', 96300],
  ['logo.png', 5400],
  ['icon-16.png', 310],
  ['icon-32.png', 820],
  ['banner.jpg', 61200],
  ['photo-1.jpg', 38700],
  ['photo-2.jpg', 142500],
  ['photo-3.jpg', 183000],
  ['chart.svg', 7300],
  ['news.json', 2200],
  ['menu.json', 640],
  ['font.woff2', 27900],
];
/** pages: each loads a seeded subset of ASSETS */
export const PAGES = ['index.html', 'news.html', 'about.html', 'gallery.html', 'docs.html', 'contact.html'];
const PRIVSEP_DIR = '/run/sshd';

/**
 * Writes the server's files (content from the seeded generator, so runs are byte-identical), keys and configs.
 * The temp dir is made world-traversable because sshd reads authorized_keys, and internal-sftp serves files,
 * as the unprivileged SSH user.
 * @param {string} dir @param {ReturnType<import('./seeded-random.js').seededRandom>} random
 */
export function prepareServerFiles(dir, random) {
  chmodSync(dir, 0o755);
  const www = join(dir, 'www');
  const ssh = join(dir, 'ssh');
  mkdirSync(www, { mode: 0o755 });
  mkdirSync(ssh, { mode: 0o755 });
  mkdirSync(join(dir, 'downloads'), { mode: 0o700 });
  for (const [name, size] of FILES) {
    const path = join(www, name);
    if (name === 'index.html') continue; // a page, below
    writeFileSync(path, randomBytes(random, size), { mode: 0o644 });
  }
  for (const [name, size] of ASSETS) writeFileSync(join(www, name), randomBytes(random, size), { mode: 0o644 });
  for (const page of PAGES) {
    // pages of 1 to 20 KB of text around the links, so that page sizes differ too
    const links = [...FILES.slice(1), ...ASSETS].map(([n]) => `<li><a href="${n}">${n}</a></li>`).join('\n');
    const filler = Array.from({ length: random.integer(1, 40) }, (_, i) => `<p>${page} paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(random.integer(4, 18))}</p>`).join('\n');
    writeFileSync(join(www, page), `<!doctype html><title>lab.test ${page}</title><h1>netml lab</h1><ul>\n${links}\n</ul>\n${filler}\n`, { mode: 0o644 });
  }
  for (const key of ['host_ed25519', 'client_ed25519']) {
    const run = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `netml-lab-${key}`, '-f', join(ssh, key)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`ssh-keygen failed: ${run.stderr.trim()}`);
  }
  writeFileSync(join(ssh, 'authorized_keys'), readFileSync(join(ssh, 'client_ed25519.pub')), { mode: 0o644 });
  const server = HOSTS.server.address;
  // A dedicated sshd: no PAM, only the existing unprivileged account `nobody`, key logins for the normal
  // client and password attempts for the brute force (they all fail: nobody's password is locked with '*').
  // ForceCommand internal-sftp: a login runs sftp inside sshd, never a shell, and needs no account change.
  writeFileSync(
    join(ssh, 'sshd_config'),
    [
      `Port ${PORTS.ssh}`,
      `ListenAddress ${server}`,
      `HostKey ${join(ssh, 'host_ed25519')}`,
      'PidFile none',
      'UsePAM no',
      'PermitRootLogin no',
      `AllowUsers ${SSH_USER}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${join(ssh, 'authorized_keys')}`,
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'MaxStartups 64:30:128',
      // hydra 9.4 stops making progress once sshd drops a connection at MaxAuthTries (default 6) failures and
      // then only ends at its timeout; with room for every try on one connection it finishes in about a second
      'MaxAuthTries 200',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  return { www, ssh, downloads: join(dir, 'downloads'), clientKey: join(ssh, 'client_ed25519') };
}

/** `size` seeded random bytes. @param {ReturnType<import('./seeded-random.js').seededRandom>} random @param {number} size */
function randomBytes(random, size) {
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = (random.next() * 4294967296) >>> 0;
  return new Uint8Array(words.buffer, 0, size);
}

/**
 * Starts the daemons in the server namespace and waits until each listens.
 * @param {import('./lab-processes.js').LabProcesses} processes @param {string} ns @param {ReturnType<typeof prepareServerFiles>} files
 * @returns {Promise<{ removePrivsepDir: boolean }>}
 */
export async function startServices(processes, ns, files) {
  const server = HOSTS.server.address;
  // sshd refuses to start without its privilege-separation directory, normally made by the ssh service
  const removePrivsepDir = !existsSync(PRIVSEP_DIR);
  if (removePrivsepDir) mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
  // HTTP/1.1: keep-alive connections, so that a page's objects can share one connection as a browser's do
  processes.spawn(ns, 'http-server', ['python3', '-u', '-m', 'http.server', String(PORTS.http), '--bind', server, '--directory', files.www, '--protocol', 'HTTP/1.1'], { keepOutput: false });
  const hostRecords = ZONE_HOSTS.map((h, i) => `--host-record=${h}.${ZONE},10.77.0.${i === 0 ? 1 : 100 + i}`);
  processes.spawn(ns, 'dnsmasq', [
    'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll', '--pid-file=',
    `--listen-address=${server}`, '--bind-interfaces', `--port=${PORTS.dns}`, '--log-facility=-',
    `--local=/${ZONE}/`, `--domain=${ZONE}`, `--mx-host=${ZONE},mail.${ZONE},10`, ...hostRecords,
    '--user=nobody', '--group=nogroup',
  ]);
  processes.spawn(ns, 'sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', join(files.ssh, 'sshd_config')]);
  for (let i = 0; i < IPERF_SERVERS; i++) {
    processes.spawn(ns, `iperf3-server-${i}`, ['iperf3', '--server', '--bind', server, '--port', String(PORTS.iperf + i)], { keepOutput: false });
  }
  await Promise.all([
    waitListening(processes, ns, 'tcp', PORTS.http, 'http-server'),
    waitListening(processes, ns, 'udp', PORTS.dns, 'dnsmasq'),
    waitListening(processes, ns, 'tcp', PORTS.ssh, 'sshd'),
    ...Array.from({ length: IPERF_SERVERS }, (_, i) => waitListening(processes, ns, 'tcp', PORTS.iperf + i, `iperf3-server-${i}`)),
  ]);
  return { removePrivsepDir };
}

export function removePrivsepDir() {
  try {
    rmdirSync(PRIVSEP_DIR);
  } catch {
    /* not empty or gone: leave it */
  }
}

/** Polls `ss` inside the namespace (no probe packet, so nothing extra lands in the capture). */
async function waitListening(processes, ns, proto, port, name) {
  const deadline = Date.now() + 15000;
  const entry = processes.started.find((e) => e.name === name);
  while (Date.now() < deadline) {
    const run = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-H', proto === 'tcp' ? '-ltn' : '-lun', `sport = :${port}`], { encoding: 'utf8' });
    if (run.stdout.trim() !== '') return;
    if (entry && entry.child.exitCode !== null) {
      const r = await entry.done;
      throw new Error(`${name} ended with code ${r.code} before listening on ${proto} port ${port}:\n${r.stderr.slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} is not listening on ${proto} port ${port} after 15 s`);
}
