// Which row of a flow features table each packet of a capture belongs to: the packets are metered again by
// a flow table with the options extract used, so every packet lands in exactly the flow record it was
// counted in (a 5-tuple reused after an idle or active timeout, a FIN or RST, or an eviction by --max-flows
// is several records, told apart by the table itself, not guessed from keys and times). A record's number
// (flow_id, 1-based in opening order) names its row. Nothing is trusted blindly: every record's identifier
// cells (flow id, first and last time, addresses, ports, VLAN) are formatted by the same group and writer
// as extract's and compared with the row's cells byte for byte, so a CSV from another capture or made with
// other flow options is refused instead of mapped wrongly.

import type { FrameBatch } from '../capture/frame-batch.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { PacketMeta } from '../decode/packet-meta.js';
import { BadDataError } from '../errors.js';
import type { FlowRow } from '../features/feature-group.js';
import { FlowFeatureSet, type RowSink } from '../features/flow-feature-set.js';
import { FlowIdentityGroup } from '../features/flow-identity.js';
import { FlowTable, type EndReason, type FlowObserver } from '../flow/flow-table.js';
import { FLOW_IDENTITY_COLUMNS } from '../schema/flow-columns.js';
import type { IdentifierCells } from './feature-table.js';
import { defaultMaxFlows } from './flow-extraction.js';
import { FlowCsvWriter, LineBuffer } from './flow-csv-writer.js';

/** The flow table settings of `netml extract` (its --idle-timeout, --active-timeout, --max-flows). */
export interface FlowMeteringOptions {
  idleTimeoutS: number;
  activeTimeoutS: number;
  /** default: extract's default for the flow level */
  maxFlows?: number;
}

/** Names for messages: the features CSV (or the capture's own extraction) and the capture. */
export interface MappingSources {
  table: string;
  capture: string;
  /** what to do when the two do not match */
  hint: string;
}

const NO_ROW = -1;
const COMMA = 0x2c;

export class PacketFlowMapper {
  readonly table: FlowTable;
  /** rows whose flow record was seen and checked */
  rowsMatched = 0;
  private readonly identifiers: IdentifierCells;
  private readonly sources: MappingSources;
  /** flow id -> 0-based row of the table, NO_ROW when the table has no such flow */
  private readonly rowOfFlow: Int32Array;
  private readonly meta = new PacketMeta();
  /** flow id of the record the packet being metered went to; 0 for a packet in no flow */
  private current = 0;
  private readonly decoder = new TextDecoder();

  constructor(identifiers: IdentifierCells, options: FlowMeteringOptions, sources: MappingSources) {
    const expected = FLOW_IDENTITY_COLUMNS.slice(0, identifiers.names.length).map((c) => c.name);
    if (identifiers.names.length === 0 || identifiers.names.some((name, i) => name !== expected[i])) {
      // the identifier columns of flows/1 are the first cells of the identity group; anything else is a bug
      throw new Error(`identifier columns ${identifiers.names.join(',')} are not a prefix of the flow identity columns`);
    }
    this.identifiers = identifiers;
    this.sources = sources;
    this.rowOfFlow = rowsByFlowId(identifiers, sources);
    this.table = new FlowTable({ idleTimeoutS: options.idleTimeoutS, activeTimeoutS: options.activeTimeoutS, maxFlows: options.maxFlows ?? defaultMaxFlows() });
    // only the identity group: its cells are what the rows are checked against, and it keeps 4 bytes per flow
    const identity = new FlowFeatureSet([new FlowIdentityGroup(this.table)]);
    identity.attach(new CheckingSink(identity, (flowId, line) => this.check(flowId, line)));
    const table = this.table;
    const observer: FlowObserver = {
      open: (slot, continued, meta) => identity.open(slot, continued, meta),
      update: (slot) => {
        this.current = table.flowId(slot);
      },
      close: (slot: number, reason: EndReason) => identity.close(slot, reason),
    };
    table.attach(observer);
  }

  /**
   * Meters frame `i` of the batch exactly as extract's flow level does (same decoding, same table) and
   * returns the 0-based row of its flow record, or -1 for a packet in no flow (not IP: ARP, LLDP...).
   */
  rowOf(batch: FrameBatch, i: number): number {
    const start = batch.start[i];
    const meta = this.meta;
    decodeFrame(batch.bytes, start, start + batch.capLen[i], batch.linkType[i], meta);
    this.current = 0;
    this.table.process(meta, batch.tsSec[i], batch.tsNsec[i], batch.wireLen[i]);
    const flowId = this.current;
    if (flowId === 0) return NO_ROW;
    const row = flowId < this.rowOfFlow.length ? this.rowOfFlow[flowId] : NO_ROW;
    if (row === NO_ROW) {
      throw new BadDataError(
        `packet ${batch.firstPacketNumber + i} of ${this.sources.capture} belongs to flow record ${flowId}, which ${this.sources.table} does not have (it has ${this.identifiers.offsets.length - 1} rows)`,
        this.sources.hint,
      );
    }
    return row;
  }

  /** flow_id of the record the last packet went to (0: none) */
  get lastFlowId(): number {
    return this.current;
  }

  /** End of the capture: ends and checks the records still open; every row must have had its record. */
  finish(): void {
    this.table.flush();
    const rows = this.identifiers.offsets.length - 1;
    if (this.rowsMatched !== rows) {
      throw new BadDataError(
        `${rows - this.rowsMatched} of the ${rows} rows of ${this.sources.table} have no flow in ${this.sources.capture} (it has ${this.table.recordsOpened} flow records)`,
        this.sources.hint,
      );
    }
  }

  /** A record ended: its identifier cells as extract would write them must be the row's, byte for byte. */
  private check(flowId: number, line: Uint8Array): void {
    const row = flowId < this.rowOfFlow.length ? this.rowOfFlow[flowId] : NO_ROW;
    // a record no packet mapped to a row cannot exist (rowOf throws first); stay safe anyway
    if (row === NO_ROW) return;
    const ids = this.identifiers;
    const cells = ids.bytes.subarray(ids.offsets[row], ids.offsets[row + 1]);
    const ours = identifierPrefix(line, ids.names.length);
    if (!sameBytes(cells, ours)) {
      throw new BadDataError(
        `${this.sources.table} row ${row + 1} (flow_id ${flowId}) does not match flow record ${flowId} of ${this.sources.capture}: ` +
          `the table has ${ids.names.join(',')} = ${this.decoder.decode(cells)}, the capture gives ${this.decoder.decode(ours)}`,
        this.sources.hint,
      );
    }
    this.rowsMatched++;
  }
}

/** flow_id (the first identifier cell) -> row; refuses a table where one flow id appears twice. */
function rowsByFlowId(ids: IdentifierCells, sources: MappingSources): Int32Array {
  const rows = ids.offsets.length - 1;
  const flowIds = new Float64Array(rows);
  let max = 0;
  for (let r = 0; r < rows; r++) {
    const from = ids.offsets[r];
    const to = ids.offsets[r + 1];
    let end = ids.bytes.indexOf(COMMA, from);
    if (end < 0 || end > to) end = to;
    let id = 0;
    for (let p = from; p < end; p++) {
      const d = ids.bytes[p] - 0x30;
      if (d < 0 || d > 9) {
        id = NaN;
        break;
      }
      id = id * 10 + d;
    }
    if (!(id >= 1 && id <= 0x7fffffff) || end === from) {
      throw new BadDataError(`${sources.table} row ${r + 1}: flow_id "${new TextDecoder().decode(ids.bytes.subarray(from, end))}" is not a flow record number`, sources.hint);
    }
    flowIds[r] = id;
    if (id > max) max = id;
  }
  // extract writes every record it opens, so one extraction's flow ids are exactly 1..rows
  if (max > rows) {
    throw new BadDataError(
      `${sources.table} has ${rows} rows but flow ids up to ${max}: rows were removed, or the table is not one extraction`,
      'packets can be mapped to the rows of one whole extraction of one capture: score the CSV `netml extract` wrote',
    );
  }
  const rowOfFlow = new Int32Array(max + 1).fill(NO_ROW);
  for (let r = 0; r < rows; r++) {
    const id = flowIds[r];
    if (rowOfFlow[id] !== NO_ROW) {
      throw new BadDataError(
        `${sources.table}: flow_id ${id} appears on rows ${rowOfFlow[id] + 1} and ${r + 1}: the table joins several extractions`,
        'packets can be mapped to the rows of one extraction of one capture: extract that capture alone and score that CSV',
      );
    }
    rowOfFlow[id] = r;
  }
  return rowOfFlow;
}

/** The first `cells` cells of a CSV line (without the comma after them). */
function identifierPrefix(line: Uint8Array, cells: number): Uint8Array {
  let seen = 0;
  for (let p = 0; p < line.length; p++) {
    if (line[p] === COMMA && ++seen === cells) return line.subarray(0, p);
  }
  return line;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Formats each finished identity row with extract's CSV writer and hands the line (no newline) over. */
class CheckingSink implements RowSink {
  private readonly writer: FlowCsvWriter;
  private readonly line = new LineBuffer(1024);
  private readonly onRow: (flowId: number, line: Uint8Array) => void;

  constructor(identity: FlowFeatureSet, onRow: (flowId: number, line: Uint8Array) => void) {
    this.writer = new FlowCsvWriter(this.line, identity.columns.map((c) => c.name), identity.formats, identity.layout.textBytes);
    this.line.pos = 0; // the writer wrote its header line; only rows are wanted
    this.onRow = onRow;
  }

  nextRow(): FlowRow {
    return this.writer.nextRow();
  }

  commit(): void {
    // the identity group's first cell is the record's flow id
    const flowId = this.writer.nextRow().numbers[0];
    this.writer.commit();
    const line = this.line;
    this.onRow(flowId, line.buf.subarray(0, line.pos - 1));
    line.pos = 0;
  }
}
