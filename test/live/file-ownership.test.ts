// Files written by `sudo netml capture` go to the user who typed it; symlinks and FIFOs planted at an output
// path are left alone.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToInvokingUser, invokingUser, makeDirectoryForInvokingUser } from '../../src/io/file-ownership.js';

describe('who invoked sudo', () => {
  it.each([
    ['root through sudo', { SUDO_UID: '1000', SUDO_GID: '1000' }, 0, { uid: 1000, gid: 1000 }],
    ['root without sudo', {}, 0, undefined],
    ['a user (setcap node) with a stray SUDO_UID', { SUDO_UID: '1000', SUDO_GID: '1000' }, 1000, undefined],
    ['root through sudo from root', { SUDO_UID: '0', SUDO_GID: '0' }, 0, undefined],
    ['garbage in SUDO_UID', { SUDO_UID: '1000; rm', SUDO_GID: '1000' }, 0, undefined],
    ['SUDO_GID missing', { SUDO_UID: '1000' }, 0, undefined],
  ])('%s', (_who, env, euid, expected) => {
    expect(invokingUser(env, euid)).toEqual(expected);
  });

  it('without sudo nothing changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-own-'));
    try {
      writeFileSync(join(dir, 'f'), 'x');
      expect(giveToInvokingUser(join(dir, 'f'), undefined)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const isRoot = process.geteuid?.() === 0;
if (!isRoot) console.warn('skipping chown tests: they need root');

describe.skipIf(!isRoot)('giving files to the invoking user (as root)', () => {
  const nobody = { uid: 65534, gid: 65534 };
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netml-own-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a written file changes owner', () => {
    const f = join(dir, 'packets.csv');
    writeFileSync(f, 'a,b\n');
    expect(giveToInvokingUser(f, nobody)).toBe(true);
    expect(statSync(f)).toMatchObject(nobody);
  });

  it('a symlink at the path is not followed', () => {
    const target = join(dir, 'system-file');
    writeFileSync(target, 'secret');
    const link = join(dir, 'capture.pcap');
    symlinkSync(target, link);
    expect(giveToInvokingUser(link, nobody)).toBe(false);
    expect(statSync(target)).toMatchObject({ uid: 0, gid: 0 });
  });

  it('a FIFO at the path neither blocks nor changes owner', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(giveToInvokingUser(fifo, nobody)).toBe(false);
    expect(statSync(fifo)).toMatchObject({ uid: 0 });
  });

  it('a missing path is not an error', () => {
    expect(giveToInvokingUser(join(dir, 'nothing-here'), nobody)).toBe(false);
  });

  it('mkdir -p gives every directory it created, and only those', () => {
    mkdirSync(join(dir, 'existing'));
    const first = makeDirectoryForInvokingUser(join(dir, 'existing', 'dataset', 'day1'), nobody);
    expect(first).toBe(join(dir, 'existing', 'dataset'));
    expect(statSync(join(dir, 'existing'))).toMatchObject({ uid: 0 });
    expect(statSync(join(dir, 'existing', 'dataset'))).toMatchObject(nobody);
    expect(statSync(join(dir, 'existing', 'dataset', 'day1'))).toMatchObject(nobody);
    expect(makeDirectoryForInvokingUser(join(dir, 'existing', 'dataset'), nobody)).toBeUndefined();
  });
});
