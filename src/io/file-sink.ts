// A write buffer over a file descriptor. Hot writers (packets.csv, capture.pcap) put bytes straight into
// `buf` at `pos` and call `ensure(n)` before writing n bytes.
//
// Two ways to flush full blocks:
// - synchronous (default): writeSync, simple and natural backpressure; `close()` finishes.
// - background: full blocks queue up and libuv's thread pool writes them while the main thread decodes the
//   next packets. Writing packets.csv cost ~40% of `capture --read` when done in line; in the background it
//   overlaps with decoding on the second core. The caller awaits `waitForRoom()` between batches (bounded
//   queue = bounded memory) and `finish()` at the end.

import { close as closeAsync, closeSync, constants, fsync as fsyncAsync, fsyncSync, lstatSync, openSync, renameSync, rmSync, write as writeAsync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { outputFileError } from '../errors.js';

const DEFAULT_BLOCK_BYTES = 1 << 20;
/** Background mode: at most this many full blocks wait for the disk before waitForRoom() blocks. */
const MAX_QUEUED_BLOCKS = 8;

export interface FileSinkOptions {
  blockBytes?: number;
  /**
   * Write to `path.tmp-<pid>` and rename on close, so a failure never leaves a half file under the final
   * name (live capture writes in place instead, so Ctrl+C or a crash still leaves every flushed packet).
   */
  atomic?: boolean;
  /** fsync before the rename: for small files that must survive a power cut (models, reports) */
  durable?: boolean;
  /** write full blocks from the thread pool; use waitForRoom() and finish() */
  background?: boolean;
}

/**
 * Temporary files of atomic outputs on this thread that are not renamed yet, so a second Ctrl+C (which ends the
 * process at once) can remove them instead of leaving `*.tmp-<pid>` files behind.
 */
const pendingTempFiles = new Set<string>();

export function trackTempFile(path: string): void {
  pendingTempFiles.add(path);
}

export function untrackTempFile(path: string): void {
  pendingTempFiles.delete(path);
}

/** Removes every temporary file not yet renamed (synchronously: called just before the process exits). */
export function removePendingTempFiles(): void {
  for (const path of pendingTempFiles) {
    try {
      rmSync(path, { force: true });
    } catch {
      /* exiting anyway */
    }
  }
  pendingTempFiles.clear();
}

/** The name an atomic output is written under until it is complete (then renamed to `path`). */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/**
 * /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: the system's own links to this process's open files
 * (`-o /dev/stdout` to pipe a table on). They are written in place through the link: renaming over one would
 * replace /dev/stdout itself with a regular file (as root), and no user can plant a link there.
 */
export function isOpenFileLink(path: string): boolean {
  return /^\/(dev\/(stdout|stderr|fd\/\d+)|proc\/(self|\d+)\/fd\/\d+)$/.test(resolve(path));
}

/**
 * True when `path` is missing, a regular file or a symlink (a rename replaces the link, not its target),
 * except the links to open files above.
 */
export function replaceableByRename(path: string): boolean {
  if (isOpenFileLink(path)) return false;
  try {
    const stat = lstatSync(path);
    return stat.isFile() || stat.isSymbolicLink();
  } catch {
    return true;
  }
}

export class FileSink {
  readonly path: string;
  buf: Buffer;
  pos = 0;
  /** bytes handed to the kernel so far */
  bytesFlushed = 0;
  private fd: number;
  private readonly finalPath: string | undefined;
  private readonly options: FileSinkOptions;
  private readonly blockBytes: number;
  private readonly queue: { buf: Buffer; len: number }[] = [];
  private readonly spare: Buffer[] = [];
  private writing = false;
  private failure: unknown;
  private roomWaiters: (() => void)[] = [];
  private abandoned = false;

  constructor(path: string, options: FileSinkOptions = {}) {
    this.options = options;
    // renaming over a device or a pipe (-o /dev/null, a FIFO) would replace it with a regular file: write
    // into those in place; only a regular file (or no file yet) is replaced atomically
    const atomic = options.atomic === true && replaceableByRename(path);
    this.finalPath = atomic ? path : undefined;
    this.path = atomic ? temporaryPath(path) : path;
    this.blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    this.buf = Buffer.allocUnsafe(this.blockBytes);
    // never follow a symlink planted at the output path: under sudo that would let a user truncate any file
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (isOpenFileLink(path) ? 0 : constants.O_NOFOLLOW);
    try {
      this.fd = openSync(this.path, flags, 0o644);
    } catch (err) {
      throw outputFileError(path, err);
    }
    if (this.finalPath) trackTempFile(this.path);
  }

  /** Makes room for `n` more bytes, flushing (and growing for one oversized record) as needed. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  write(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  writeAscii(text: string): void {
    this.ensure(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Hands the buffered bytes to the kernel (background mode: to the write queue). */
  flush(): void {
    if (this.failure) throw this.failure;
    if (this.pos === 0) return;
    if (this.options.background) {
      this.queue.push({ buf: this.buf, len: this.pos });
      this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.blockBytes);
      this.pos = 0;
      this.pump();
      return;
    }
    let off = 0;
    try {
      while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    } catch (err) {
      throw outputFileError(this.finalPath ?? this.path, err);
    }
    this.bytesFlushed += this.pos;
    this.pos = 0;
  }

  /** Background mode: true when waitForRoom() would wait (or throw), so callers can skip the await otherwise. */
  get mustWait(): boolean {
    return this.queue.length > MAX_QUEUED_BLOCKS || this.failure !== undefined;
  }

  /** Background mode: resolves once the write queue is short enough to accept more blocks. */
  async waitForRoom(): Promise<void> {
    while (this.queue.length > MAX_QUEUED_BLOCKS && !this.failure) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Flushes, waits for every queued block, (fsyncs,) closes and, with `atomic`, moves to the final name. */
  async finish(): Promise<void> {
    this.flush();
    while ((this.queue.length > 0 || this.writing) && !this.failure) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
    try {
      if (this.options.durable && this.finalPath) await promisify(fsyncAsync)(this.fd);
      await promisify(closeAsync)(this.fd);
      this.fd = -1;
      if (this.finalPath) {
        renameSync(this.path, this.finalPath);
        untrackTempFile(this.path);
      }
    } catch (err) {
      throw outputFileError(this.finalPath ?? this.path, err);
    }
  }

  /** Synchronous mode: flushes, (fsyncs,) closes and, with `atomic`, moves the file to its final name. */
  close(): void {
    if (this.options.background) throw new Error('FileSink: a background sink is closed with finish()');
    this.flush();
    try {
      if (this.options.durable && this.finalPath) fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      if (this.finalPath) {
        renameSync(this.path, this.finalPath);
        untrackTempFile(this.path);
      }
    } catch (err) {
      throw outputFileError(this.finalPath ?? this.path, err);
    }
  }

  /** Closes without keeping an atomic file's partial content (the final name is left untouched). */
  abandon(): void {
    this.queue.length = 0;
    this.abandoned = true;
    // with a background write in flight, its callback closes the descriptor once the thread pool is done
    if (!this.writing) this.release();
  }

  private release(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        /* already failing; nothing more to report */
      }
      this.fd = -1;
    }
    if (this.finalPath) {
      rmSync(this.path, { force: true });
      untrackTempFile(this.path);
    }
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0 || this.failure) return;
    this.writing = true;
    const block = this.queue[0];
    const writeFrom = (offset: number): void => {
      writeAsync(this.fd, block.buf, offset, block.len - offset, null, (err, written) => {
        if (err) {
          this.failure = outputFileError(this.finalPath ?? this.path, err);
          this.writing = false;
          if (this.abandoned) this.release();
          this.wakeWaiters();
          return;
        }
        if (offset + written < block.len) {
          writeFrom(offset + written);
          return;
        }
        this.bytesFlushed += block.len;
        this.queue.shift();
        if (block.buf.length === this.blockBytes && this.spare.length <= MAX_QUEUED_BLOCKS) this.spare.push(block.buf);
        this.writing = false;
        if (this.abandoned) {
          this.release();
          return;
        }
        this.pump();
        this.wakeWaiters();
      });
    };
    try {
      writeFrom(0);
    } catch (err) {
      // fs.write throws synchronously on bad arguments: without this the sink stays "writing" forever and
      // abandon() never removes the temporary file
      this.failure = outputFileError(this.finalPath ?? this.path, err);
      this.writing = false;
      throw this.failure;
    }
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}
