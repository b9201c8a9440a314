// One rule for every command's outputs: none may be one of its inputs or another of its outputs, since each
// is replaced by rename when complete (`extract -i x.pcap -o x.pcap` replaced the capture with CSV). Devices
// and pipes (`-o /dev/null`, `-o /dev/stdout`) are written in place and may take several outputs.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { replaceableByRename } from './file-sink.js';

/** An option and the path given to it, e.g. ['--output', 'models/rf.json']; undefined when not in use. */
export type NamedPath = readonly [option: string, path: string | undefined];

/** Throws a UsageError (exit 64) when an output is an input or another output. */
export function refuseOverlappingPaths(outputs: readonly NamedPath[], inputs: readonly NamedPath[] = []): void {
  const seen: [string, string][] = inputs.filter((p): p is [string, string] => p[1] !== undefined).map(([option, path]) => [option, path]);
  for (const [option, path] of outputs) {
    if (path === undefined || !replaceableByRename(path)) continue;
    const clash = seen.find(([, other]) => samePath(other, path));
    if (clash !== undefined) {
      const [other] = clash;
      const isInput = inputs.some(([o]) => o === other);
      throw new UsageError(
        isInput ? `${option} ${path} is also ${other}: writing it would replace what is read` : `${other} and ${option} are the same file (${path})`,
        `give ${option} another path`,
      );
    }
    seen.push([option, path]);
  }
}

/** The same path, or the same file under two names (a symbolic or hard link resolved). */
export function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
