// Writes a whole text file (a model, a report, a summary) so that it is either there complete or not at
// all: a temp file beside it, fsync, rename. Big texts go through in slices, so a 100 MB model never needs
// a 300 MB buffer.

import { closeSync, constants, openSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { outputFileError } from '../errors.js';
import { FileSink, replaceableByRename } from './file-sink.js';
import { refuseOverlappingPaths, type NamedPath } from './output-paths.js';
import { giveToInvokingUser, makeDirectoryForInvokingUser } from './file-ownership.js';

const SLICE_CHARS = 1 << 20;

export function writeTextFileAtomically(path: string, text: string): void {
  makeOutputDirectory(path);
  const sink = new FileSink(path, { atomic: true, durable: true });
  try {
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + SLICE_CHARS);
      // never cut a surrogate pair in two
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
      sink.writeAscii(text.slice(i, end));
      i = end;
    }
    sink.close();
  } catch (err) {
    sink.abandon();
    throw err;
  }
  giveToInvokingUser(path);
}

/** mkdir -p of the file's directory, owned by the user behind sudo; a failure is a CannotWriteError. */
export function makeOutputDirectory(path: string): void {
  try {
    makeDirectoryForInvokingUser(dirname(resolve(path)));
  } catch (err) {
    throw outputFileError(path, err);
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
    const probe = `${path}.tmp-${process.pid}`;
    try {
      closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644));
      rmSync(probe, { force: true });
    } catch (err) {
      throw outputFileError(path, err);
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
