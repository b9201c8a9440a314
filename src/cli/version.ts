// netml's version, read once from package.json so --version, model files and reports agree.

import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function readVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
