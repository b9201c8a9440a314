// The lab's network: four namespaces of its own (server, client, attacker, and a bridge joining them) with
// 10.77.0.0/24 addresses that exist only inside them (the client namespace holds several client addresses). Nothing is configured in the host's namespace: every veth
// is created with both ends already inside lab namespaces, and there is no route to or from the host.

import { spawnSync } from 'node:child_process';

export const SUBNET_PREFIX = 24;
export const HOSTS = {
  server: { role: 'srv', address: '10.77.0.1' },
  client: { role: 'cli', address: '10.77.0.10' },
  attacker: { role: 'atk', address: '10.77.0.66' },
};
/**
 * Every normal client address: the client namespace's own address first, then secondary addresses on the same
 * interface, so that several "hosts" make normal traffic without a namespace each. Label rules go by the
 * attacker's address and time windows, so any of these is normal.
 */
export const CLIENT_ADDRESSES = [HOSTS.client.address, ...[11, 12, 13, 14, 15, 16, 17].map((n) => `10.77.0.${n}`)];
/** the interface name inside each host namespace */
export const HOST_INTERFACE = 'lab0';
const BRIDGE = 'br-lab';
/** nmlab-<pid of the lab>-<role>: the PID lets a later run tell a leftover (owner dead) from a run in progress */
const NAME = /^nmlab-(\d+)-(srv|cli|atk|br)$/;

/** @param {string[]} args */
function ip(args) {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(run.stderr || '').trim()}`);
  return run.stdout;
}

/** @param {number} labPid */
export function namespaceNames(labPid) {
  return {
    server: `nmlab-${labPid}-srv`,
    client: `nmlab-${labPid}-cli`,
    attacker: `nmlab-${labPid}-atk`,
    bridge: `nmlab-${labPid}-br`,
  };
}

/** Every namespace whose name follows the lab's pattern, with the PID of the lab that made it. */
export function labNamespaces() {
  const out = [];
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    const m = NAME.exec(name);
    if (m) out.push({ name, labPid: Number(m[1]) });
  }
  return out;
}

/** PIDs of the processes living in namespace `ns` (`ip netns pids`). */
export function pidsIn(ns) {
  const run = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  if (run.status !== 0) return [];
  return run.stdout.split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
}

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * Builds the four namespaces. IPv6 is switched off inside them first (per-namespace sysctls) so that router
 * solicitations and MLD reports do not mix into the captures; the host's sysctls are untouched.
 * @param {number} labPid
 * @param {(line: string) => void} log
 */
export function createLabNetwork(labPid, log) {
  const names = namespaceNames(labPid);
  /** @type {string[]} */
  const created = [];
  try {
    for (const ns of Object.values(names)) {
      ip(['netns', 'add', ns]);
      created.push(ns);
      for (const key of ['all', 'default']) {
        spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${key}.disable_ipv6=1`], { stdio: 'ignore' });
      }
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    ip(['-n', names.bridge, 'link', 'add', BRIDGE, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    for (const [host, { role, address }] of Object.entries(HOSTS)) {
      const ns = names[/** @type {keyof typeof HOSTS} */ (host)];
      const port = `to-${role}`;
      ip(['link', 'add', HOST_INTERFACE, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', names.bridge]);
      // A veth lets TCP segmentation offload pass 64 KB frames, which no Ethernet carries: one segment per
      // frame (gso_max_segs 1) on both ends makes the capture look like a 1514-byte wire.
      ip(['-n', ns, 'link', 'set', 'dev', HOST_INTERFACE, 'gso_max_segs', '1']);
      ip(['-n', names.bridge, 'link', 'set', 'dev', port, 'gso_max_segs', '1']);
      ip(['-n', names.bridge, 'link', 'set', port, 'master', BRIDGE]);
      ip(['-n', names.bridge, 'link', 'set', port, 'up']);
      ip(['-n', ns, 'addr', 'add', `${address}/${SUBNET_PREFIX}`, 'dev', HOST_INTERFACE]);
      if (host === 'client') {
        for (const extra of CLIENT_ADDRESSES.slice(1)) ip(['-n', ns, 'addr', 'add', `${extra}/${SUBNET_PREFIX}`, 'dev', HOST_INTERFACE]);
      }
      ip(['-n', ns, 'link', 'set', HOST_INTERFACE, 'up']);
    }
    ip(['-n', names.bridge, 'link', 'set', BRIDGE, 'up']);
    log(`namespaces ${Object.values(names).join(' ')} up: server ${HOSTS.server.address}, clients ${CLIENT_ADDRESSES.join(' ')}, attacker ${HOSTS.attacker.address}`);
    return names;
  } catch (err) {
    for (const ns of created) spawnSync('ip', ['netns', 'del', ns]);
    throw err;
  }
}

/**
 * Kills what still lives in the namespaces (only processes inside lab namespaces: started by the lab or by
 * its daemons), then deletes them; deleting a namespace deletes its veth ends and bridge with it.
 * Synchronous, so that it also runs from an 'exit' handler.
 * @param {string[]} namespaces
 */
export function removeNamespaces(namespaces) {
  /** @type {number[]} */
  const killed = [];
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGKILL'])) {
    const pids = namespaces.flatMap(pidsIn);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
        if (signal === 'SIGTERM') killed.push(pid);
      } catch {
        /* already gone */
      }
    }
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && pids.some(isAlive)) spawnSync('sleep', ['0.05']);
  }
  const failures = [];
  for (const ns of namespaces) {
    const run = spawnSync('ip', ['netns', 'del', ns], { encoding: 'utf8' });
    if (run.status !== 0 && !/No such file/.test(run.stderr)) failures.push(`${ns}: ${run.stderr.trim()}`);
  }
  return { killed, failures };
}

/** Namespaces left by a lab run that was killed (its PID is gone): their processes are ended and they are removed. */
export function removeLeftovers(log) {
  const stale = labNamespaces().filter((n) => n.labPid !== process.pid && !isAlive(n.labPid));
  if (stale.length === 0) return;
  const { killed } = removeNamespaces(stale.map((n) => n.name));
  log(`removed ${stale.length} namespaces left by an earlier lab run that was killed (${stale.map((n) => n.name).join(' ')}), ending ${killed.length} processes in them`);
}
