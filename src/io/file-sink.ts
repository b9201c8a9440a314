// A write buffer over a file descriptor. Hot writers (packets.csv, capture.pcap) put bytes straight into
// `buf` at `pos` and call `ensure(n)` before writing n bytes; the sink flushes in large blocks with
// synchronous writes, which for local files is both the fastest route and natural backpressure.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { outputFileError } from '../errors.js';

const DEFAULT_BLOCK_BYTES = 1 << 20;

export class FileSink {
  readonly path: string;
  buf: Buffer;
  pos = 0;
  /** bytes handed to the kernel so far */
  bytesFlushed = 0;
  private fd: number;
  private readonly finalPath: string | undefined;

  /**
   * @param atomic write to `path.tmp-<pid>` and rename on close, so a failure never leaves a half file
   *               under the final name (the live capture writes in place instead, so Ctrl+C or a crash
   *               still leaves every flushed packet readable).
   */
  constructor(path: string, options: { blockBytes?: number; atomic?: boolean } = {}) {
    this.finalPath = options.atomic ? path : undefined;
    this.path = options.atomic ? `${path}.tmp-${process.pid}` : path;
    this.buf = Buffer.allocUnsafe(options.blockBytes ?? DEFAULT_BLOCK_BYTES);
    try {
      this.fd = openSync(this.path, 'w');
    } catch (err) {
      throw outputFileError(path, err);
    }
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

  flush(): void {
    let off = 0;
    try {
      while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    } catch (err) {
      throw outputFileError(this.finalPath ?? this.path, err);
    }
    this.bytesFlushed += this.pos;
    this.pos = 0;
  }

  /** Flushes, syncs and closes; with `atomic`, moves the file to its final name. */
  close(): void {
    this.flush();
    try {
      if (this.finalPath) fsyncSync(this.fd);
      closeSync(this.fd);
      if (this.finalPath) renameSync(this.path, this.finalPath);
    } catch (err) {
      throw outputFileError(this.finalPath ?? this.path, err);
    }
    this.fd = -1;
  }

  /** Closes without keeping an atomic file's partial content (the final name is left untouched). */
  abandon(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        /* already failing; nothing more to report */
      }
      this.fd = -1;
    }
    if (this.finalPath) rmSync(this.path, { force: true });
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }
}
