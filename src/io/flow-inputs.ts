// The inputs of `netml extract`: capture files (pcap, pcapng) and the capture stage's packets.csv, behind
// one interface, so the levels never know where a packet came from. A capture file's frames are decoded
// by the extraction; packets.csv rows arrive decoded (flow-packets-csv.ts parses them into a PacketMeta).
// packets.csv is recognised by its header; other text files count as CSV only when named *.csv (so a
// features.csv given by mistake is refused with the schema it should have had).

import { open } from 'node:fs/promises';
import { openCaptureFile } from '../capture/capture-file.js';
import type { CaptureWarning } from '../capture/frame-batch.js';
import { inputFileError } from '../errors.js';
import type { Extraction } from './flow-extraction.js';
import { looksLikePacketsCsv, openPacketsCsv } from './flow-packets-csv.js';

export interface ExtractInput {
  readonly path: string;
  /** pcap, pcap-ns, pcapng or packets-csv */
  readonly format: string;
  readonly fileSizeBytes: number;
  /** bytes read so far, for the progress line */
  readonly bytesRead: number;
  /** damage found while reading (reading stopped or skipped there; what came before was used) */
  readonly warnings: CaptureWarning[];
  /** Feeds every packet to `extraction`, a batch at a time; yields between batches (let the output drain). */
  feed(extraction: Extraction): AsyncIterable<void>;
  close(): Promise<void>;
}

export async function openExtractInput(path: string): Promise<ExtractInput> {
  if (await isPacketsCsv(path)) return openPacketsCsv(path);
  const reader = await openCaptureFile(path);
  return {
    path,
    get format() {
      return reader.format;
    },
    fileSizeBytes: reader.fileSizeBytes,
    get bytesRead() {
      return reader.bytesRead;
    },
    warnings: reader.warnings,
    async *feed(extraction: Extraction) {
      for await (const batch of reader.batches()) {
        extraction.addBatch(batch);
        yield;
      }
    },
    close: () => reader.close(),
  };
}

/** packets.csv by its first bytes (its header), or any text with commas in a file named *.csv. */
async function isPacketsCsv(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw inputFileError(path, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return false;
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const start = head.subarray(0, bytesRead);
    return start.toString('latin1').startsWith('packet_number,') || (path.toLowerCase().endsWith('.csv') && looksLikePacketsCsv(start));
  } finally {
    await fh.close();
  }
}
