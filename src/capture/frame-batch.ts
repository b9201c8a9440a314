// Frames travel from every source (file reader, live libpcap) to the decoder in batches: one backing
// buffer plus parallel typed arrays, so the per-packet path allocates nothing and an async hop is paid
// once per batch, not once per packet.

export interface FrameBatch {
  /** number of frames in this batch */
  count: number;
  /** backing bytes; frame i is bytes[start[i] .. start[i] + capLen[i]). Valid only until the next batch is requested. */
  bytes: Uint8Array;
  start: Int32Array;
  capLen: Int32Array;
  /** length on the wire (pcap orig_len / pcapng original packet length): unsigned 32-bit as in the file, so a corrupt value above 2^31 never turns negative */
  wireLen: Uint32Array;
  /** timestamp as whole seconds since the epoch plus nanoseconds, exact for any resolution down to 1 ns */
  tsSec: Float64Array;
  tsNsec: Int32Array;
  /** LINKTYPE_* value (already masked with 0x03ffffff) of the interface the frame came from */
  linkType: Int32Array;
  /** pcapng interface id (global across sections, in order of appearance); 0 for classic pcap and live */
  interfaceId: Int32Array;
  /** 1-based number of the batch's first frame in the whole input */
  firstPacketNumber: number;
}

/** Allocates a batch that can hold `capacity` frames. */
export function createFrameBatch(capacity: number): FrameBatch {
  return {
    count: 0,
    bytes: new Uint8Array(0),
    start: new Int32Array(capacity),
    capLen: new Int32Array(capacity),
    wireLen: new Uint32Array(capacity),
    tsSec: new Float64Array(capacity),
    tsNsec: new Int32Array(capacity),
    linkType: new Int32Array(capacity),
    interfaceId: new Int32Array(capacity),
    firstPacketNumber: 1,
  };
}

/** One capture interface as the file (or libpcap) describes it. */
export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  name: string;
  /** timestamp resolution in the source, as a power of ten of a second (6 = µs, 9 = ns) or undefined if not decimal */
  tsResolutionDigits: number;
}

/** Damage found after reading started: reading stopped or skipped, but everything before it was kept. */
export interface CaptureWarning {
  /** byte offset in the file where the damage starts */
  byteOffset: number;
  /** 1-based number of the packet that could not be read (packets before it were kept) */
  packetNumber: number;
  message: string;
}

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';
