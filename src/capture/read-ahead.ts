// Sequential read-ahead over a file: while the main thread decodes one chunk, the thread pool already
// reads the next block. Without it `capture --read` sat idle ~20% of its run waiting for fh.read on a
// file in the page cache. ReadAhead copies the blocks into the caller's buffer (packets.csv input);
// BlockReadAhead hands the blocks themselves to the capture reader, which parses them in place.

import type { FileHandle } from 'node:fs/promises';

interface Block {
  buf: Buffer;
  /** bytes of `buf` filled, after the headroom */
  length: number;
}

/** Copies the blocks of a BlockReadAhead into the caller's buffer, for a parser that keeps a buffer of its own. */
export class ReadAhead {
  private readonly blocks: BlockReadAhead;
  private current: Block | undefined;
  /** bytes of the current block already handed out */
  private used = 0;
  private ended = false;

  constructor(fh: FileHandle, seekable: boolean, startPosition: number, blockBytes: number) {
    this.blocks = new BlockReadAhead(fh, seekable, startPosition, blockBytes, 0);
  }

  /** Fills dst[offset..] with the next bytes of the file, at most `length`; returns the count, 0 at the end. */
  async read(dst: Uint8Array, offset: number, length: number): Promise<number> {
    let copied = 0;
    while (copied < length && !this.ended) {
      if (!this.current || this.used === this.current.length) {
        if (this.current) this.blocks.recycle(this.current.buf);
        this.current = undefined;
        if (copied > 0) break; // hand over what we have; the caller comes back for more
        this.current = await this.blocks.nextBlock();
        this.used = 0;
        if (this.current.length === 0) {
          this.ended = true;
          break;
        }
      }
      const c = this.current;
      const n = Math.min(length - copied, c.length - this.used);
      c.buf.copy(dst, offset + copied, this.used, this.used + n);
      this.used += n;
      copied += n;
    }
    return copied;
  }

  /** Waits for the read in flight, so the file handle can be closed safely. */
  settle(): Promise<void> {
    return this.blocks.settle();
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
  async nextBlock(): Promise<Block> {
    const block = await (this.next ?? this.read());
    this.next = block.length > 0 ? this.read() : undefined;
    return block;
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
    return { buf, length: bytesRead };
  }
}
