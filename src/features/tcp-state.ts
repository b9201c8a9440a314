// Zeek's view of a connection: conn_state, history, and retransmitted segments. The endpoint state machine
// and conn_state follow Zeek's TCPSessionAdapter::UpdateStateMachine and base/protocols/conn/main.zeek
// (conn_state()); history letters follow Conn::Info's documentation. Simplifications, documented in
// docs/extract.md:
//   - S, H, F and R are recorded once per direction (Zeek repeats them when the sequence number changes);
//     T (retransmission) and W (zero window) at 1, 10, 100... occurrences like Zeek; C and G are not
//     produced (checksums and content gaps are not tracked); at most 32 letters are kept;
//   - "size" in the REJ rule is "sent payload" rather than Zeek's sequence-number byte count;
//   - UDP endpoints are active once they sent a datagram (Zeek's UDP_ACTIVE); D/d mark each direction's
//     first datagram; the client is never flipped by port heuristics.
// Retransmissions: a TCP segment with payload whose end does not advance past the highest sequence number
// that side has sent (Zeek's update_last_seq -> DidRxmit); that also counts duplicates and reordering.

import type { PacketMeta } from '../decode/packet-meta.js';
import { TcpFlag, type EndReason } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { FLOW_TCP_STATE_COLUMNS } from '../schema/flow-columns.js';
import { ascii, CellFormat, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

/** Zeek's TCP endpoint states (analyzer::tcp::EndpointState); UDP uses inactive/active (1) */
export const TcpEndpointState = {
  inactive: 0,
  synSent: 1,
  synAckSent: 2,
  partial: 3,
  established: 4,
  closed: 5,
  reset: 6,
} as const;
const S = TcpEndpointState;
const UDP_ACTIVE = 1;

export const MAX_HISTORY = 32;
/** Zeek ignores SYN/RST sequence numbers this far from the last one (TOO_LARGE_SEQ_DELTA) */
const TOO_LARGE_SEQ_DELTA = 1048576;

// once-per-direction letters, as bits of `seen`
const H_S = 1;
const H_H = 2;
const H_A = 4;
const H_D = 8;
const H_F = 16;
const H_R = 32;
const H_I = 64;
const H_Q = 128;
// connection bits, kept across an active-timeout continuation
const SEQ_KNOWN = 1;
const SENT_DATA = 2;

const CONN_STATE_TEXT = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'].map(ascii);
const [S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH] = CONN_STATE_TEXT;

const CHAR_S = 0x73; // 's'
const CHAR_H = 0x68;
const CHAR_A = 0x61;
const CHAR_D = 0x64;
const CHAR_F = 0x66;
const CHAR_R = 0x72;
const CHAR_I = 0x69;
const CHAR_Q = 0x71;
const CHAR_T = 0x74;
const CHAR_W = 0x77;
const CARET = 0x5e;
/** history bytes carry the sending side in bit 7 */
const SIDE_BIT = 0x80;

// Record of one flow: two SIDE-byte blocks (key side 0, then 1) and the history. In a side block: the Zeek
// endpoint state and its previous value, the SEQ_KNOWN / SENT_DATA bits, the history letters recorded once
// (H_* bits), the sequence number just after the highest byte sent, retransmissions, zero windows. Then
// MAX_HISTORY letters (side in bit 7) and their count.
const ST = 0;
const PREV = 1;
const CONN = 2;
const SEEN = 4;
const SEQ_END = 8;
const RETRANS = 12;
const ZERO_WINDOWS = 16;
const SIDE_BYTES = 24;
const HISTORY = 2 * SIDE_BYTES;
const HISTORY_LEN = HISTORY + MAX_HISTORY;
const RECORD = 88;

export class TcpStateGroup implements FlowFeatureGroup {
  readonly columns = FLOW_TCP_STATE_COLUMNS;
  readonly formats = [CellFormat.int, CellFormat.int, CellFormat.text, CellFormat.text];
  readonly bytesPerFlow = RECORD;
  private readonly table: FlowSlots;
  // one RECORD-byte record per flow slot (layout above), seen as bytes, 16-bit and 32-bit words: a flow's
  // TCP state is two cache lines instead of one in each of nine arrays
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  private readonly scratch = new Uint8Array(MAX_HISTORY + 1);

  constructor(table: FlowSlots) {
    this.table = table;
    const records = new ArrayBuffer(table.capacity * RECORD);
    this.u8 = new Uint8Array(records);
    this.u16 = new Uint16Array(records);
    this.u32 = new Uint32Array(records);
  }

  open(slot: number, continued: boolean): void {
    const b = slot * RECORD;
    const u8 = this.u8;
    for (let e = b; e < b + 2 * SIDE_BYTES; e += SIDE_BYTES) {
      if (!continued) {
        u8[e + ST] = S.inactive;
        u8[e + PREV] = S.inactive;
        u8[e + CONN] = 0;
      }
      this.u16[(e + SEEN) >> 1] = 0;
      this.u32[(e + RETRANS) >> 2] = 0;
      this.u32[(e + ZERO_WINDOWS) >> 2] = 0;
    }
    u8[b + HISTORY_LEN] = 0;
  }

  update(slot: number, side: number, meta: PacketMeta): void {
    const proto = meta.ipProto;
    const e = slot * RECORD + side * SIDE_BYTES;
    if (proto === 17) {
      this.u8[e + ST] = UDP_ACTIVE;
      this.once(slot, side, e, H_D, CHAR_D);
      return;
    }
    const f = meta.tcpFlags;
    if (proto !== 6 || f < 0) return;
    const p = slot * RECORD + (side ^ 1) * SIDE_BYTES;
    const isOrig = side === this.table.clientSide(slot);
    const syn = (f & TcpFlag.syn) !== 0;
    const fin = (f & TcpFlag.fin) !== 0;
    const rst = (f & TcpFlag.rst) !== 0;
    const ack = (f & TcpFlag.ack) !== 0;
    const len = meta.payloadLen > 0 ? meta.payloadLen : 0;
    if (len > 0 && !rst) this.u8[e + CONN] |= SENT_DATA;

    // history (Zeek's update_history)
    const controlBits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (controlBits > 1) {
      if (fin && rst) this.once(slot, side, e, H_I, CHAR_I);
      else this.once(slot, side, e, H_Q, CHAR_Q);
    } else if (controlBits === 1) {
      if (syn) {
        if (ack) this.once(slot, side, e, H_H, CHAR_H);
        else this.once(slot, side, e, H_S, CHAR_S);
      }
      if (fin) this.once(slot, side, e, H_F, CHAR_F);
      if (rst) this.once(slot, side, e, H_R, CHAR_R);
    } else if (len > 0) {
      this.once(slot, side, e, H_D, CHAR_D);
    } else if (ack) {
      this.once(slot, side, e, H_A, CHAR_A);
    }

    // zero window (Zeek's update_window)
    if (meta.tcpWindow === 0 && !rst && this.u8[p + ST] !== S.closed && this.u8[e + ST] !== S.reset) {
      const n = ++this.u32[(e + ZERO_WINDOWS) >> 2];
      if (isPowerOfTen(n)) this.addHistory(slot, side, CHAR_W);
    }

    // highest sequence number sent, retransmissions (Zeek's update_last_seq)
    const segLen = (rst ? 0 : len) + (syn ? 1 : 0) + (fin ? 1 : 0);
    const end = (meta.tcpSeq + segLen) >>> 0;
    if ((this.u8[e + CONN] & SEQ_KNOWN) === 0 || (syn && !rst)) {
      this.u32[(e + SEQ_END) >> 2] = end;
      this.u8[e + CONN] |= SEQ_KNOWN;
    } else {
      const delta = (end - this.u32[(e + SEQ_END) >> 2]) | 0;
      if (rst && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
        // a RST's sequence number is not trusted this far off
      } else if (this.u8[e + ST] === S.reset) {
        // nothing after a RST is trusted
      } else if (delta > 0) {
        this.u32[(e + SEQ_END) >> 2] = end;
      } else if (len > 0 && !rst) {
        const n = ++this.u32[(e + RETRANS) >> 2];
        if (isPowerOfTen(n)) this.addHistory(slot, side, CHAR_T);
      }
    }

    this.updateStateMachine(e, p, isOrig, syn, fin, rst, ack, len);
  }

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    const client = this.table.clientSide(slot);
    const o = slot * RECORD + client * SIDE_BYTES;
    const r = slot * RECORD + (client ^ 1) * SIDE_BYTES;
    row.numbers[at] = this.u32[(o + RETRANS) >> 2];
    row.numbers[at + 1] = this.u32[(r + RETRANS) >> 2];
    const historyLength = this.renderHistory(slot, client);
    row.text(at + 2, this.connState(slot, o, r, historyLength));
    row.text(at + 3, this.scratch, historyLength);
  }

  /** Zeek's UpdateStateMachine without its "weird" reports. */
  private updateStateMachine(e: number, p: number, isOrig: boolean, syn: boolean, fin: boolean, rst: boolean, ack: boolean, len: number): void {
    const u8 = this.u8;
    switch (u8[e + ST]) {
      case S.inactive:
        if (syn) {
          if (isOrig) {
            this.setState(e, ack ? S.synAckSent : S.synSent);
          } else {
            if (u8[p + ST] === S.synSent) this.setState(p, S.established);
            this.setState(e, S.established);
          }
        }
        if (fin) this.setState(e, S.closed);
        if (rst) this.setState(e, S.reset);
        if (u8[e + ST] === S.inactive) {
          if (!isOrig && len === 0 && u8[p + ST] === S.synSent) {
            // an ACK of the SYN before the SYN-ACK: not a partial connection
          } else if (ack && u8[p + ST] === S.established) {
            this.setState(e, S.established);
          } else {
            this.setState(e, S.partial);
          }
        }
        return;
      case S.synSent:
      case S.synAckSent:
        if (fin) this.setState(e, S.closed);
        if (rst) this.setState(e, S.reset);
        return;
      case S.established:
      case S.partial:
        if (syn && u8[e + ST] === S.partial && u8[p + ST] === S.inactive && !ack) this.setState(e, S.synSent);
        if (fin && !rst) {
          this.setState(e, S.closed);
          // the peer sent FIN then RST: that was a normal close after all
          if (u8[p + ST] === S.reset && this.u8[p + PREV] === S.closed) this.setState(p, S.closed);
        }
        if (rst) this.setState(e, S.reset);
        return;
      case S.closed:
        if (rst && u8[p + ST] !== S.closed) this.setState(e, S.reset);
        return;
      default:
      // reset: nothing changes it
    }
  }

  private setState(i: number, next: number): void {
    if (this.u8[i + ST] === next) return;
    this.u8[i + PREV] = this.u8[i + ST];
    this.u8[i + ST] = next;
  }

  /** Zeek's conn_state() over the endpoint states at the end of the record (o: client side, r: server). */
  private connState(slot: number, o: number, r: number, historyLength: number): Uint8Array {
    const proto = this.table.protocolOf(slot);
    const os = this.u8[o + ST];
    const rs = this.u8[r + ST];
    if (proto === 17) {
      if (os === UDP_ACTIVE) return rs === UDP_ACTIVE ? SF : S0;
      return rs === UDP_ACTIVE ? SHR : OTH;
    }
    if (proto !== 6) return OTH;
    const oInactive = os === S.inactive || os === S.partial;
    const rInactive = rs === S.inactive || rs === S.partial;
    if (rs === S.reset) {
      const noData = (this.u8[o + CONN] & SENT_DATA) === 0 && (this.u8[r + CONN] & SENT_DATA) === 0;
      if (os === S.synSent || os === S.synAckSent || (os === S.reset && noData)) return REJ;
      return oInactive ? RSTRH : RSTR;
    }
    if (os === S.reset) {
      if (rInactive) return this.historyLooksLikeRstOs0(historyLength) ? RSTOS0 : OTH;
      return RSTO;
    }
    if (rs === S.closed && os === S.closed) return SF;
    if (os === S.closed) return rInactive ? SH : S2;
    if (rs === S.closed) return oInactive ? SHR : S3;
    if (os === S.synSent && rs === S.inactive) return S0;
    if (os === S.established && rs === S.established) return S1;
    return OTH;
  }

  /** Zeek's /\^?S[^HAFGIQ]*R.* / over the rendered history in `scratch`. */
  private historyLooksLikeRstOs0(length: number): boolean {
    const h = this.scratch;
    let i = length > 0 && h[0] === CARET ? 1 : 0;
    if (i >= length || h[i] !== 0x53) return false; // 'S'
    for (i++; i < length; i++) {
      const c = h[i];
      if (c === 0x52) return true; // 'R'
      if (c === 0x48 || c === 0x41 || c === 0x46 || c === 0x47 || c === 0x49 || c === 0x51) return false; // H A F G I Q
    }
    return false;
  }

  /** Writes the history text into `scratch` (client letters upper case) and returns its length. */
  private renderHistory(slot: number, client: number): number {
    const out = this.scratch;
    const base = slot * RECORD + HISTORY;
    const len = this.u8[slot * RECORD + HISTORY_LEN];
    let n = 0;
    if (this.table.firstSide(slot) !== client && len > 0) out[n++] = CARET;
    for (let i = 0; i < len && n < MAX_HISTORY; i++) {
      const b = this.u8[base + i];
      const side = b >> 7;
      const letter = b & 0x7f;
      out[n++] = side === client ? letter - 0x20 : letter;
    }
    return n;
  }

  /** Adds `letter` the first time `bit` is seen from this side (e: the side's block). */
  private once(slot: number, side: number, e: number, bit: number, letter: number): void {
    if ((this.u16[(e + SEEN) >> 1] & bit) !== 0) return;
    this.u16[(e + SEEN) >> 1] |= bit;
    this.addHistory(slot, side, letter);
  }

  private addHistory(slot: number, side: number, letter: number): void {
    const b = slot * RECORD;
    const len = this.u8[b + HISTORY_LEN];
    if (len >= MAX_HISTORY) return;
    this.u8[b + HISTORY + len] = side === 0 ? letter : letter | SIDE_BIT;
    this.u8[b + HISTORY_LEN] = len + 1;
  }
}

function isPowerOfTen(n: number): boolean {
  return n === 1 || n === 10 || n === 100 || n === 1000 || n === 10000 || n === 100000 || n === 1000000 || n === 10000000 || n === 100000000 || n === 1000000000;
}
