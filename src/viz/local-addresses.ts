// Which addresses count as "local" for the sent/received split of the traffic charts: the networks given with
// --local (CIDR or single addresses), this host's own addresses, or, for a capture made elsewhere, the one
// address that took part in the most packets (a capture taken on a host has that host in almost every packet).

import { BlockList, isIP } from 'node:net';

export interface LocalAddresses {
  /** human text for chart titles: "10.0.0.0/24", "10.0.0.2" */
  readonly description: string;
  /** where the choice came from, said under the chart so a reader can change it */
  readonly origin: 'option' | 'host' | 'busiest';
  matches(address: string): boolean;
}

/** Cap of the per-address answer cache; beyond it answers are computed each time (correct, just slower). */
const MAX_CACHED = 65536;

/** A spec is "a.b.c.d/n", "x::/n" or a single address; returns a message for the first one that is not. */
export function invalidNetwork(spec: string): string | undefined {
  const [address, prefix, ...rest] = spec.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${spec}" is not an address or a network (expected e.g. 192.168.1.0/24 or fd00::/8)`;
  if (prefix !== undefined) {
    const bits = Number(prefix);
    const most = family === 4 ? 32 : 128;
    if (!/^\d+$/.test(prefix) || bits > most) return `"${spec}": the prefix length must be a whole number from 0 to ${most}`;
  }
  return undefined;
}

/** A matcher over networks and addresses; throws on an invalid spec (check with invalidNetwork first). */
export function localNetworks(specs: readonly string[], origin: LocalAddresses['origin'], description?: string): LocalAddresses {
  const list = new BlockList();
  for (const raw of specs) {
    const problem = invalidNetwork(raw);
    if (problem) throw new Error(problem);
    const [address, prefix] = raw.trim().split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  const cache = new Map<string, boolean>();
  return {
    description: description ?? specs.map((s) => s.trim()).join(', '),
    origin,
    matches(address: string): boolean {
      if (address === '') return false;
      const known = cache.get(address);
      if (known !== undefined) return known;
      const family = isIP(address);
      const answer = family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
      if (cache.size < MAX_CACHED) cache.set(address, answer);
      return answer;
    },
  };
}
