// Sequential read-ahead over a file: while the main thread decodes one chunk, the thread pool already
// reads the next block. Without it `capture --read` sat idle ~20% of its run waiting for fh.read on a
// file in the page cache. ReadAhead copies the blocks into the caller's buffer (packets.csv input);
// BlockReadAhead hands the blocks themselves to the capture reader, which parses them in place.

import type { FileHandle } from 'node:fs/promises';

interface Block {
  buf: Buffer;
  /** bytes of `buf` filled */
  length: number;
  /** bytes of `buf` already handed out */
  used: number;
}

export class ReadAhead {
  private readonly fh: FileHandle;
  private readonly seekable: boolean;
  private current: Block | undefined;
  private next: Promise<Block> | undefined;
  private spare: Buffer | undefined;
  /** file position of the first byte not yet handed out */
  private cursor: number;
  private readonly blockBytes: number;
  private ended = false;

  constructor(fh: FileHandle, seekable: boolean, startPosition: number, blockBytes: number) {
    this.fh = fh;
    this.seekable = seekable;
    this.cursor = startPosition;
    this.blockBytes = blockBytes;
  }

  /**
   * Fills dst[offset..] with the bytes at `position` (which must follow the previous read) and returns the
   * count; 0 at the end of the file.
   */
  async read(dst: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    if (this.seekable && position !== this.cursor) {
      // not sequential: drop what was read ahead and continue from the requested position
      await this.next?.catch(() => undefined);
      this.current = undefined;
      this.next = undefined;
      this.ended = false;
      this.cursor = position;
    }
    let copied = 0;
    while (copied < length) {
      if (!this.current || this.current.used === this.current.length) {
        if (this.current) this.spare = this.current.buf;
        if (this.ended && !this.next) break;
        this.current = await (this.next ?? this.readBlock(this.cursor + copied));
        this.next = undefined;
        if (this.current.length === 0) {
          this.ended = true;
          break;
        }
        // start the following read now, so it runs while the caller parses
        this.next = this.readBlock(this.cursor + copied + this.current.length);
        if (copied > 0) break; // hand over what we have; the caller comes back for more
      }
      const c = this.current;
      const n = Math.min(length - copied, c.length - c.used);
      c.buf.copy(dst, offset + copied, c.used, c.used + n);
      c.used += n;
      copied += n;
    }
    this.cursor += copied;
    return copied;
  }

  /** Waits for the read in flight, so the file handle can be closed safely. */
  async settle(): Promise<void> {
    await this.next?.catch(() => undefined);
    this.next = undefined;
  }

  private async readBlock(position: number): Promise<Block> {
    const buf = this.spare ?? Buffer.allocUnsafeSlow(this.blockBytes);
    this.spare = undefined;
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.seekable ? position : null);
    return { buf, length: bytesRead, used: 0 };
  }
}

/**
 * Read-ahead that hands out whole blocks instead of copying them: each block is read at offset `headroom` of
 * a buffer of its own, so the caller can put the unfinished record of the previous block just before it and
 * parse on, copying only that tail instead of every byte. One block is read ahead; buffers handed back with
 * recycle() are reused. Sequential reads only.
 */
export class BlockReadAhead {
  readonly headroom: number;
  readonly blockBytes: number;
  private readonly fh: FileHandle;
  private readonly seekable: boolean;
  /** file position of the next block to read */
  private position: number;
  private next: Promise<Block> | undefined;
  private readonly spare: Buffer[] = [];

  constructor(fh: FileHandle, seekable: boolean, startPosition: number, blockBytes: number, headroom: number) {
    this.fh = fh;
    this.seekable = seekable;
    this.position = startPosition;
    this.blockBytes = blockBytes;
    this.headroom = headroom;
  }

  /** The next block: its bytes are buf[headroom .. headroom + length); length 0 at the end of the file. */
  async nextBlock(): Promise<{ buf: Buffer; length: number }> {
    const block = await (this.next ?? this.read());
    this.next = block.length > 0 ? this.read() : undefined;
    return { buf: block.buf, length: block.length };
  }

  /** A block's buffer the caller no longer reads from. */
  recycle(buf: Buffer): void {
    if (buf.length === this.headroom + this.blockBytes && this.spare.length < 2) this.spare.push(buf);
  }

  /** Waits for the read in flight, so the file handle can be closed safely. */
  async settle(): Promise<void> {
    await this.next?.catch(() => undefined);
    this.next = undefined;
  }

  private async read(): Promise<Block> {
    const buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.headroom + this.blockBytes);
    const at = this.position;
    const { bytesRead } = await this.fh.read(buf, this.headroom, this.blockBytes, this.seekable ? at : null);
    this.position = at + bytesRead;
    return { buf, length: bytesRead, used: 0 };
  }
}
