// `sudo netml capture` runs as root, but the files it writes belong to the user who typed it: without this
// the next stage, run without sudo, could not overwrite dataset/packets.csv.

import { closeSync, constants, fchownSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface InvokingUser {
  uid: number;
  gid: number;
}

/** The user behind sudo: only when we really are root (euid 0) and sudo's SUDO_UID/SUDO_GID name someone else. */
export function invokingUser(env: NodeJS.ProcessEnv = process.env, euid: number | undefined = process.geteuid?.()): InvokingUser | undefined {
  if (euid !== 0) return undefined;
  const uid = parseId(env.SUDO_UID);
  const gid = parseId(env.SUDO_GID);
  if (uid === undefined || gid === undefined || uid === 0) return undefined;
  return { uid, gid };
}

/**
 * Gives a regular file or directory to the user behind sudo; a no-op (false) without sudo. Symbolic links are
 * not followed (O_NOFOLLOW + fchown), so a link planted at an output path cannot hand a system file to the
 * user. Failure is not an error (the capture itself succeeded): it returns false.
 */
export function giveToInvokingUser(path: string, user: InvokingUser | undefined = invokingUser()): boolean {
  if (user === undefined) return false;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO planted at the path must not hang us
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() && !st.isDirectory()) return false;
    if (st.uid === user.uid && st.gid === user.gid) return true;
    fchownSync(fd, user.uid, user.gid);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * mkdir -p that gives every directory it creates (and only those) to the user behind sudo.
 * Returns the first directory created, as mkdirSync does, or undefined when all existed.
 */
export function makeDirectoryForInvokingUser(dir: string, user: InvokingUser | undefined = invokingUser()): string | undefined {
  const target = resolve(dir);
  const first = mkdirSync(target, { recursive: true });
  if (first === undefined || user === undefined) return first;
  const created: string[] = [];
  for (let d = target; ; d = dirname(d)) {
    created.push(d);
    if (d === first || d === dirname(d)) break;
  }
  for (const d of created.reverse()) giveToInvokingUser(d, user);
  return first;
}

function parseId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 0xfffffffe ? n : undefined;
}
