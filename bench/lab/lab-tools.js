// The programs the lab drives, the Debian package of each, and their installation with apt-get when missing.
// Installing never starts a service on the host: see installPackages for why and how.

import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * `command` is looked up on PATH (sshd by absolute path: it refuses to re-exec otherwise). `neededFor` says
 * which part of the lab cannot run without it. dnsmasq-base, not dnsmasq: the latter also installs and
 * starts a host-wide DNS service, and the lab only needs the binary.
 */
export const TOOLS = [
  { command: 'ip', pkg: 'iproute2', neededFor: 'lab' },
  { command: 'ss', pkg: 'iproute2', neededFor: 'lab' },
  { command: 'python3', pkg: 'python3', neededFor: 'lab' },
  { command: 'curl', pkg: 'curl', neededFor: 'lab' },
  { command: 'ping', pkg: 'iputils-ping', neededFor: 'lab' },
  { command: 'dnsmasq', pkg: 'dnsmasq-base', neededFor: 'lab' },
  { command: '/usr/sbin/sshd', pkg: 'openssh-server', neededFor: 'lab' },
  { command: 'sftp', pkg: 'openssh-client', neededFor: 'lab' },
  { command: 'ssh-keygen', pkg: 'openssh-client', neededFor: 'lab' },
  { command: 'iperf3', pkg: 'iperf3', neededFor: 'lab' },
  { command: 'tcpdump', pkg: 'tcpdump', neededFor: 'capture fallback' },
  { command: 'nmap', pkg: 'nmap', neededFor: 'portscan' },
  { command: 'hping3', pkg: 'hping3', neededFor: 'synflood' },
  { command: 'hydra', pkg: 'hydra', neededFor: 'bruteforce' },
];

/** @param {string} command */
export function hasCommand(command) {
  if (command.startsWith('/')) return existsSync(command);
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
}

/** @param {string[]} parts  e.g. ['lab', 'portscan'] */
export function missingTools(parts) {
  return TOOLS.filter((t) => parts.includes(t.neededFor) && !hasCommand(t.command));
}

/** First line of a tool's version output, for the summary. */
/** @param {NodeJS.ProcessEnv} env  the environment the lab runs its tools with (its PATH decides which python3) */
export function toolVersions(env) {
  const probes = {
    nmap: ['nmap', '--version'],
    hping3: ['hping3', '--version'],
    hydra: ['hydra', '-h'],
    sshd: ['/usr/sbin/sshd', '-V'],
    dnsmasq: ['dnsmasq', '--version'],
    iperf3: ['iperf3', '--version'],
    curl: ['curl', '--version'],
    python3: ['python3', '--version'],
    tcpdump: ['tcpdump', '--version'],
  };
  /** @type {Record<string, string>} */
  const out = {};
  for (const [name, argv] of Object.entries(probes)) {
    const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 5000, env });
    const text = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
    const line = text.split('\n').find((l) => /\d+\.\d+/.test(l));
    out[name] = run.error ? 'missing' : (line ?? '').trim().slice(0, 80);
  }
  return out;
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * apt-get install of `packages`, retried once after `apt-get update` (a fresh image has no package lists).
 * While it runs, a policy-rc.d that answers 101 ("action forbidden", Debian policy 9.3.3.1) keeps
 * openssh-server's postinst from starting an sshd that would listen on every host interface; the file is
 * only written when none exists and is removed afterwards. Returns undefined on success, else the reason.
 * @param {string[]} packages
 * @param {(line: string) => void} log
 */
export function installPackages(packages, log) {
  if (!hasCommand('apt-get')) return 'apt-get is not available on this system';
  const wrotePolicy = !existsSync(POLICY_RC_D);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    if (wrotePolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\n# written by netml lab during apt-get install; removed right after\nexit 101\n', { mode: 0o755 });
    log(`installing ${packages.join(' ')} with apt-get ...`);
    let run = install();
    if (run.status !== 0) {
      log('apt-get install failed; running apt-get update and trying again ...');
      spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
      run = install();
    }
    if (run.status !== 0) return `apt-get install ${packages.join(' ')} failed:\n${(run.stderr || run.stdout).trim().split('\n').slice(-5).join('\n')}`;
  } finally {
    if (wrotePolicy) rmSync(POLICY_RC_D, { force: true });
  }
  if (packages.includes('openssh-server')) keepHostSshOff(log);
  return undefined;
}

/** On a systemd host the package also enables ssh.service for the next boot; the lab only wants the binary. */
function keepHostSshOff(log) {
  if (!existsSync('/run/systemd/system') || !hasCommand('systemctl')) return;
  const enabled = spawnSync('systemctl', ['is-enabled', 'ssh.service'], { encoding: 'utf8' }).stdout.trim();
  if (enabled !== 'enabled') return;
  spawnSync('systemctl', ['disable', '--now', 'ssh.service', 'ssh.socket'], { stdio: 'ignore' });
  log('openssh-server was installed for the lab only: ssh.service disabled again (`sudo systemctl enable --now ssh` to use it)');
}
