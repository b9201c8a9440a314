// A route of its own for the traceroute tests: three network namespaces, client -> router -> target, joined
// by two veth pairs on /30 links (and /64 IPv6 ones), forwarding on in the router only, default routes inside
// the namespaces only. Nothing touches the host's namespace; remove() deletes all three (and so the links).

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Chain {
  client: string;
  router: string;
  target: string;
  /** the router's address on the client's link: the answer to TTL 1 */
  routerAddr: string;
  routerAddr6: string;
  /** the target's address: the answer (port unreachable) to TTL 2 */
  targetAddr: string;
  targetAddr6: string;
  /** a /32 behind the router that it silently drops (blackhole route) */
  blackholeAddr: string;
  /** a /32 the router refuses with ICMP "administratively prohibited" (prohibit route) */
  prohibitedAddr: string;
  remove(): void;
}

const PREFIX = 'nmtr';
const NAME = new RegExp(`^${PREFIX}-[crt]-[0-9a-f]{4}$`);

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createChain(): Chain {
  const id = randomBytes(2).toString('hex');
  const x = 1 + (randomBytes(1)[0] % 254);
  const client = `${PREFIX}-c-${id}`;
  const router = `${PREFIX}-r-${id}`;
  const target = `${PREFIX}-t-${id}`;
  const hex = x.toString(16);
  const a = { client: `10.211.${x}.1`, routerIn: `10.211.${x}.2`, routerOut: `10.211.${x}.5`, target: `10.211.${x}.6` };
  const a6 = { client: `fd00:211:${hex}:1::1`, routerIn: `fd00:211:${hex}:1::2`, routerOut: `fd00:211:${hex}:2::1`, target: `fd00:211:${hex}:2::2` };
  const created: string[] = [];
  const remove = () => {
    for (const ns of created.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    for (const ns of [client, router, target]) {
      ip(['netns', 'add', ns]);
      created.push(ns);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // veth ends created directly inside the namespaces: the pairs never exist in the host's namespace
    ip(['link', 'add', 'c0', 'netns', client, 'type', 'veth', 'peer', 'name', 'r0', 'netns', router]);
    ip(['link', 'add', 'r1', 'netns', router, 'type', 'veth', 'peer', 'name', 't0', 'netns', target]);
    const links: [string, string, string, string][] = [
      [client, 'c0', a.client, a6.client],
      [router, 'r0', a.routerIn, a6.routerIn],
      [router, 'r1', a.routerOut, a6.routerOut],
      [target, 't0', a.target, a6.target],
    ];
    for (const [ns, dev, v4, v6] of links) {
      ip(['-n', ns, 'addr', 'add', `${v4}/30`, 'dev', dev]);
      // nodad: usable at once instead of after duplicate address detection
      ip(['-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
    ip(['-n', client, 'route', 'add', 'default', 'via', a.routerIn]);
    ip(['-n', client, '-6', 'route', 'add', 'default', 'via', a6.routerIn]);
    ip(['-n', target, 'route', 'add', 'default', 'via', a.routerOut]);
    ip(['-n', target, '-6', 'route', 'add', 'default', 'via', a6.routerOut]);
    execFileSync('ip', ['netns', 'exec', router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'], { stdio: 'ignore' });
    const blackholeAddr = `10.212.${x}.1`;
    const prohibitedAddr = `10.212.${x}.2`;
    ip(['-n', router, 'route', 'add', 'blackhole', `${blackholeAddr}/32`]);
    ip(['-n', router, 'route', 'add', 'prohibit', `${prohibitedAddr}/32`]);
    return { client, router, target, routerAddr: a.routerIn, routerAddr6: a6.routerIn, targetAddr: a.target, targetAddr6: a6.target, blackholeAddr, prohibitedAddr, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Namespaces left by a killed run of this suite (older than any run in progress could be) are removed. */
export function removeStaleChains(maxAgeMs = 10 * 60 * 1000): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (!NAME.test(name)) continue;
    const st = spawnSync('stat', ['-c', '%Y', `/run/netns/${name}`], { encoding: 'utf8' });
    const mtimeMs = Number(st.stdout.trim()) * 1000;
    if (Number.isFinite(mtimeMs) && Date.now() - mtimeMs > maxAgeMs) spawnSync('ip', ['netns', 'del', name]);
  }
}
