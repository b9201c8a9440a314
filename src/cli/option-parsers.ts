// commander argument parsers: reject bad numbers at parse time with a message that names the value.

import { InvalidArgumentError } from 'commander';
import { invalidNetwork } from '../viz/local-addresses.js';

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number above 0, got "${value}"`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, 0 or more, got "${value}"`);
  return n;
}

/** A random seed: the generator keeps 32 bits, so larger seeds would silently repeat smaller ones. */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`expected a whole number from 0 to 4294967295, got "${value}"`);
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number above 0, got "${value}"`);
  return n;
}

/** --local: networks (CIDR or address), repeatable or comma-separated; each checked as it is given. */
export function collectNetworks(value: string, previous: string[] | undefined): string[] {
  const specs = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const spec of specs) {
    const problem = invalidNetwork(spec);
    if (problem) throw new InvalidArgumentError(problem);
  }
  return [...(previous ?? []), ...specs];
}
