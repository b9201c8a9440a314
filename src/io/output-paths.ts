// One rule for every command's outputs: none may be one of its inputs or another of its outputs, since each
// is replaced by rename when complete (`extract -i x.pcap -o x.pcap` replaced the capture with CSV), and
// each is checked writable before any work. Devices and pipes (`-o /dev/null`, `-o /dev/stdout`) are written
// in place and may take several outputs.

import { closeSync, constants, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { outputFileError, UsageError } from '../errors.js';
import { makeOutputDirectory } from './atomic-text-file.js';
import { replaceableByRename, temporaryPath } from './file-sink.js';

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

/**
 * Checks a command's outputs before any work: none is one of its inputs or another output, each one's
 * directory exists (made if missing) and is writable, and none is a directory. So a long run neither ends in
 * a write error with some outputs replaced and others not, nor overwrites the file it reads.
 * Each entry is [option, path], e.g. ['--output', 'models/rf.json'].
 */
export function checkOutputs(outputs: readonly NamedPath[], inputs: readonly NamedPath[] = []): void {
  refuseOverlappingPaths(outputs, inputs);
  for (const [, path] of outputs) {
    if (path === undefined) continue;
    let directory = false;
    try {
      directory = statSync(path).isDirectory();
    } catch {
      // not there yet: fine
    }
    if (directory) throw outputFileError(path, Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' }));
    // a device or a pipe (-o /dev/null) is written in place and may take several outputs
    if (!replaceableByRename(path)) continue;
    makeOutputDirectory(path);
    // the temporary name the output is written under, created and removed: the only sure test (access()
    // says yes to root on a read-only or special file system)
    const probe = temporaryPath(path);
    try {
      closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644));
      rmSync(probe, { force: true });
    } catch (err) {
      throw outputFileError(path, err);
    }
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
