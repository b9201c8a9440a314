// The client-activity feature set (src/schema/client-activity-columns.ts): for every flow row, what its client
// (src_addr) did in the aligned windows holding the flow's start, summed over the client's flow rows in those
// windows. A pure function of a finished flows table, so train and detect compute exactly the same columns;
// the windows hold flows that started after this one too (the table is complete), as `--level host` windows
// do. Groups are numbered in first-seen order and their rows listed once (CSR), so the distinct counts need
// one small set reused from group to group instead of a set per group: a SYN flood from spoofed sources is
// half a million one-flow groups.

import type { FeatureMatrix } from '../ml/feature-matrix.js';
import { CLIENT_ACTIVITY_COLUMNS, CLIENT_ACTIVITY_INPUTS, CLIENT_ACTIVITY_PER_WINDOW, CLIENT_ACTIVITY_WINDOWS_S, clientActivityIndex } from '../schema/client-activity-columns.js';

const TCP = 6;
const UDP = 17;
const INPUT = Object.fromEntries(CLIENT_ACTIVITY_INPUTS.map((name, i) => [name, i])) as Record<(typeof CLIENT_ACTIVITY_INPUTS)[number], number>;
/** window indexes of one table span far less than this; client * SPAN + window is an exact integer key */
const SPAN = 2 ** 31;
// where each sum goes among a window's columns, by the schema's names
const FLOWS = clientActivityIndex('flows');
const PACKETS = clientActivityIndex('packets');
const BYTES = clientActivityIndex('bytes_wire');
const BYTES_PER_PACKET = clientActivityIndex('pkt_bytes_wire_mean');
const SERVERS = clientActivityIndex('distinct_servers');
const SERVICES = clientActivityIndex('distinct_services');
const BUSIEST_SERVICE_FLOWS = clientActivityIndex('busiest_service_flows');
const TCP_PACKETS = clientActivityIndex('tcp_packets');
const UDP_PACKETS = clientActivityIndex('udp_packets');
const OTHER_PACKETS = clientActivityIndex('other_packets');
const SYNS = clientActivityIndex('syn_packets');
const RSTS = clientActivityIndex('rst_packets');
const FINS = clientActivityIndex('fin_packets');
const SYN_SHARE = clientActivityIndex('syn_share');
const RST_SHARE = clientActivityIndex('rst_share');
const SYNACKS_IN = clientActivityIndex('synack_received');
const RSTS_IN = clientActivityIndex('rst_received');
const ATTEMPTS_PER_S = clientActivityIndex('conn_attempts_per_s');
const FAILED_SHARE = clientActivityIndex('failed_conn_share');

/**
 * @param inputs the CLIENT_ACTIVITY_INPUTS columns of every flow row, in that order
 * @param client the row's client address as a small integer (equal addresses, equal numbers)
 * @param server the row's server address, numbered the same way
 */
export function clientActivity(inputs: FeatureMatrix, client: Int32Array, server: Int32Array): FeatureMatrix {
  if (inputs.columns !== CLIENT_ACTIVITY_INPUTS.length) throw new RangeError(`client activity needs ${CLIENT_ACTIVITY_INPUTS.length} input columns, got ${inputs.columns}`);
  const n = inputs.rows;
  const x = inputs.values;
  const col = (name: keyof typeof INPUT): Float64Array => x.subarray(INPUT[name] * n, (INPUT[name] + 1) * n);
  const start = col('start_time_s');
  const proto = col('ip_proto');
  const port = col('dst_port');
  const packets = col('fwd_packets');
  const bytes = col('fwd_bytes_wire');
  const syn = col('fwd_syn_count');
  const rst = col('fwd_rst_count');
  const fin = col('fwd_fin_count');
  const synackIn = col('bwd_syn_count');
  const rstIn = col('bwd_rst_count');
  const K = CLIENT_ACTIVITY_PER_WINDOW;
  const out = new Float64Array(n * CLIENT_ACTIVITY_COLUMNS.length);
  const sums = new Float64Array(K);
  const servers = new Set<number>();
  /** flows per (IP protocol, server port) of the group */
  const flowsPerService = new Map<number, number>();

  CLIENT_ACTIVITY_WINDOWS_S.forEach((w, windowNumber) => {
    // the group of each row: (client, window holding its start)
    let firstWindow = Infinity;
    for (let r = 0; r < n; r++) firstWindow = Math.min(firstWindow, Math.floor(start[r] / w));
    const groupOf = new Int32Array(n);
    const ids = new Map<number, number>();
    for (let r = 0; r < n; r++) {
      const key = client[r] * SPAN + (Math.floor(start[r] / w) - firstWindow);
      let g = ids.get(key);
      if (g === undefined) ids.set(key, (g = ids.size));
      groupOf[r] = g;
    }
    // rows of each group, contiguous
    const groups = ids.size;
    const first = new Int32Array(groups + 1);
    for (let r = 0; r < n; r++) first[groupOf[r] + 1]++;
    for (let g = 0; g < groups; g++) first[g + 1] += first[g];
    const fill = first.slice(0, groups);
    const rows = new Int32Array(n);
    for (let r = 0; r < n; r++) rows[fill[groupOf[r]]++] = r;

    const base = windowNumber * K;
    for (let g = 0; g < groups; g++) {
      sums.fill(0);
      servers.clear();
      flowsPerService.clear();
      let busiest = 0;
      let attempts = 0;
      let failed = 0;
      for (let i = first[g]; i < first[g + 1]; i++) {
        const r = rows[i];
        const p = packets[r];
        sums[PACKETS] += p;
        sums[BYTES] += bytes[r];
        servers.add(server[r]);
        const service = proto[r] * 65536 + port[r];
        const serviceFlows = (flowsPerService.get(service) ?? 0) + 1;
        flowsPerService.set(service, serviceFlows);
        if (serviceFlows > busiest) busiest = serviceFlows;
        if (proto[r] === TCP) sums[TCP_PACKETS] += p;
        else if (proto[r] === UDP) sums[UDP_PACKETS] += p;
        else sums[OTHER_PACKETS] += p;
        sums[SYNS] += syn[r];
        sums[RSTS] += rst[r];
        sums[FINS] += fin[r];
        sums[SYNACKS_IN] += synackIn[r];
        sums[RSTS_IN] += rstIn[r];
        if (syn[r] > 0) {
          attempts++;
          if (synackIn[r] === 0) failed++;
        }
      }
      const sent = sums[PACKETS];
      sums[FLOWS] = first[g + 1] - first[g];
      sums[BYTES_PER_PACKET] = sent > 0 ? sums[BYTES] / sent : 0;
      sums[SERVERS] = servers.size;
      sums[SERVICES] = flowsPerService.size;
      sums[BUSIEST_SERVICE_FLOWS] = busiest;
      sums[SYN_SHARE] = sent > 0 ? sums[SYNS] / sent : 0;
      sums[RST_SHARE] = sent > 0 ? sums[RSTS] / sent : 0;
      sums[ATTEMPTS_PER_S] = attempts / w;
      sums[FAILED_SHARE] = attempts > 0 ? failed / attempts : 0;
      for (let i = first[g]; i < first[g + 1]; i++) {
        const r = rows[i];
        for (let k = 0; k < K; k++) out[(base + k) * n + r] = sums[k];
      }
    }
  });
  return { values: out, rows: n, columns: CLIENT_ACTIVITY_COLUMNS.length };
}

/** Numbers equal strings equally: the address columns as small integers. */
export function internTexts(texts: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(texts, (t) => {
    let id = ids.get(t);
    if (id === undefined) ids.set(t, (id = ids.size));
    return id;
  });
}
