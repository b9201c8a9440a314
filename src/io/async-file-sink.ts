// A write buffer whose full blocks are written by libuv's thread pool while JavaScript keeps computing.
// features.csv of a SYN flood is ~200 bytes per packet read; writing it with writeSync cost a quarter of
// the run (the kernel copies every byte into the page cache on the calling thread). Here the copy happens
// on another core. Writers fill `buf` at `pos` after `ensure(n)`, exactly as with FileSink; the caller
// awaits drain() between batches, which bounds the bytes waiting to be written (backpressure).

import { close, closeSync, fsync, open, rename, rmSync, write } from 'node:fs';
import { promisify } from 'node:util';
import { outputFileError } from '../errors.js';

const DEFAULT_BLOCK_BYTES = 1 << 20;
/** blocks waiting for the disk beyond this make drain() wait */
const DEFAULT_MAX_PENDING_BYTES = 4 << 20;
/** spare blocks kept for reuse */
const SPARE_BLOCKS = 4;

const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);
const renameAsync = promisify(rename);

export class AsyncFileSink {
  readonly path: string;
  buf: Buffer;
  pos = 0;
  /** bytes handed to the kernel so far */
  bytesWritten = 0;
  /** bytes queued or being written */
  pendingBytes = 0;
  private readonly finalPath: string | undefined;
  private readonly blockBytes: number;
  private readonly maxPendingBytes: number;
  private fd = -1;
  private fileOffset = 0;
  private readonly queue: { buf: Buffer; length: number }[] = [];
  private readonly spare: Buffer[] = [];
  private writing = false;
  private abandoned = false;
  private failure: unknown;
  private waiters: (() => void)[] = [];

  private constructor(path: string, options: { atomic?: boolean; blockBytes?: number; maxPendingBytes?: number }) {
    this.finalPath = options.atomic ? path : undefined;
    this.path = options.atomic ? `${path}.tmp-${process.pid}` : path;
    this.blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.buf = Buffer.allocUnsafeSlow(this.blockBytes);
  }

  /**
   * @param atomic write to `path.tmp-<pid>` and rename on close, so a failure never leaves a half file under
   *               the final name
   */
  static async open(path: string, options: { atomic?: boolean; blockBytes?: number; maxPendingBytes?: number } = {}): Promise<AsyncFileSink> {
    const sink = new AsyncFileSink(path, options);
    try {
      sink.fd = await openAsync(sink.path, 'w');
    } catch (err) {
      throw outputFileError(path, err);
    }
    return sink;
  }

  /** Makes room for `n` more bytes in `buf`, queueing the full block for writing. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.submit();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
  }

  /** Waits until no more than the pending limit (or `limit` bytes) waits for the disk; rethrows a write error. */
  async drain(limit = this.maxPendingBytes): Promise<void> {
    while (this.pendingBytes > limit && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== undefined) throw outputFileError(this.finalPath ?? this.path, this.failure);
  }

  /** True when drain() would wait: callers skip the await (and its microtask) otherwise. */
  get needsDrain(): boolean {
    return this.pendingBytes > this.maxPendingBytes || this.failure !== undefined;
  }

  /** Writes what is left, syncs, closes; with `atomic`, moves the file to its final name. */
  async close(): Promise<void> {
    this.submit();
    await this.drain(0);
    try {
      if (this.finalPath) await fsyncAsync(this.fd);
      await closeAsync(this.fd);
      this.fd = -1;
      if (this.finalPath) await renameAsync(this.path, this.finalPath);
    } catch (err) {
      throw outputFileError(this.finalPath ?? this.path, err);
    }
  }

  /** Closes without keeping an atomic file's partial content (the final name is left untouched). */
  abandon(): void {
    this.queue.length = 0;
    this.abandoned = true;
    if (!this.writing) this.closeQuietly();
    if (this.finalPath) rmSync(this.path, { force: true });
  }

  private closeQuietly(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already failing; nothing more to report */
    }
    this.fd = -1;
  }

  private submit(): void {
    if (this.pos === 0 || this.abandoned) return;
    this.queue.push({ buf: this.buf, length: this.pos });
    this.pendingBytes += this.pos;
    this.buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.blockBytes);
    this.pos = 0;
    this.kick();
  }

  private kick(): void {
    if (this.writing || this.queue.length === 0 || this.failure !== undefined) return;
    const block = this.queue.shift()!;
    this.writing = true;
    this.writeFrom(block.buf, 0, block.length);
  }

  private writeFrom(buf: Buffer, offset: number, length: number): void {
    write(this.fd, buf, offset, length - offset, this.fileOffset, (err, written) => {
      if (this.abandoned) {
        this.writing = false;
        this.closeQuietly();
        return;
      }
      if (err) {
        this.writing = false;
        this.failure = err;
        this.wake();
        return;
      }
      this.fileOffset += written;
      this.bytesWritten += written;
      if (offset + written < length) {
        this.writeFrom(buf, offset + written, length);
        return;
      }
      this.pendingBytes -= length;
      this.writing = false;
      if (buf.length === this.blockBytes && this.spare.length < SPARE_BLOCKS) this.spare.push(buf);
      this.wake();
      this.kick();
    });
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
