// Writes a whole text file (a model, a report, a summary) so that it is either there complete or not at
// all: a temp file beside it, fsync, rename. Big texts go through in slices, so a 100 MB model never needs
// a 300 MB buffer.

import { dirname, resolve } from 'node:path';
import { outputFileError } from '../errors.js';
import { FileSink } from './file-sink.js';
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

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
