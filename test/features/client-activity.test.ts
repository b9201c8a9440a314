// The client-activity feature set: each flow gets its client's sums over the aligned 1 s and 10 s windows
// holding its start, read here by column name from a hand-made flow table.
import { describe, expect, it } from 'vitest';
import { clientActivity, internTexts } from '../../src/features/client-activity.js';
import { CLIENT_ACTIVITY_COLUMNS, CLIENT_ACTIVITY_INPUTS } from '../../src/schema/client-activity-columns.js';

type Flow = { client: string; server: string; start: number; proto?: number; port?: number; fwdPackets?: number; fwdBytes?: number; syn?: number; rst?: number; fin?: number; synack?: number; rstIn?: number };

function derive(flows: Flow[]): (row: number, column: string) => number {
  const n = flows.length;
  const values = new Float64Array(n * CLIENT_ACTIVITY_INPUTS.length);
  const input: Record<string, (f: Flow) => number> = {
    start_time_s: (f) => f.start,
    ip_proto: (f) => f.proto ?? 6,
    dst_port: (f) => f.port ?? 80,
    fwd_packets: (f) => f.fwdPackets ?? 1,
    fwd_bytes_wire: (f) => f.fwdBytes ?? 60,
    fwd_syn_count: (f) => f.syn ?? 0,
    fwd_rst_count: (f) => f.rst ?? 0,
    fwd_fin_count: (f) => f.fin ?? 0,
    bwd_syn_count: (f) => f.synack ?? 0,
    bwd_rst_count: (f) => f.rstIn ?? 0,
  };
  CLIENT_ACTIVITY_INPUTS.forEach((name, c) => flows.forEach((f, r) => (values[c * n + r] = input[name](f))));
  const out = clientActivity({ values, rows: n, columns: CLIENT_ACTIVITY_INPUTS.length }, internTexts(flows.map((f) => f.client)), internTexts(flows.map((f) => f.server)));
  expect(out.columns).toBe(CLIENT_ACTIVITY_COLUMNS.length);
  const names = CLIENT_ACTIVITY_COLUMNS.map((c) => c.name);
  return (row, column) => {
    const c = names.indexOf(column);
    if (c < 0) throw new Error(`no column ${column}`);
    return out.values[c * n + row];
  };
}

describe('client activity', () => {
  it('sums a scanning client over its window: flows, services, SYNs, unanswered attempts', () => {
    const scan: Flow[] = Array.from({ length: 100 }, (_, i) => ({ client: '10.0.0.66', server: '10.0.0.2', start: 1000.2 + i * 0.005, port: i + 1, syn: 1, rstIn: i % 10 === 0 ? 0 : 1, synack: i % 10 === 0 ? 1 : 0 }));
    const web: Flow = { client: '10.0.1.5', server: '10.0.0.2', start: 1000.5, port: 443, fwdPackets: 12, fwdBytes: 2400, syn: 1, synack: 1, fin: 1 };
    const v = derive([...scan, web]);
    expect(v(0, 'client_1s_flows')).toBe(100);
    expect(v(0, 'client_1s_distinct_services')).toBe(100);
    expect(v(0, 'client_1s_distinct_servers')).toBe(1);
    expect(v(0, 'client_1s_syn_packets')).toBe(100);
    expect(v(0, 'client_1s_syn_share')).toBe(1);
    expect(v(0, 'client_1s_rst_received')).toBe(90);
    expect(v(0, 'client_1s_synack_received')).toBe(10);
    expect(v(0, 'client_1s_conn_attempts_per_s')).toBe(100);
    expect(v(0, 'client_10s_conn_attempts_per_s')).toBe(10);
    expect(v(0, 'client_1s_failed_conn_share')).toBe(0.9);
    // every scan row carries the same window sums; the web client is on its own
    expect(v(57, 'client_10s_flows')).toBe(100);
    expect(v(100, 'client_1s_flows')).toBe(1);
    expect(v(100, 'client_1s_packets')).toBe(12);
    expect(v(100, 'client_1s_pkt_bytes_wire_mean')).toBe(200);
    expect(v(100, 'client_1s_failed_conn_share')).toBe(0);
    expect(v(100, 'client_1s_fin_packets')).toBe(1);
  });

  it('cuts at aligned window edges: 1 s windows split what a 10 s window holds together', () => {
    const flows: Flow[] = [
      { client: 'a', server: 's', start: 1000.9 },
      { client: 'a', server: 's', start: 1001.1 },
      { client: 'a', server: 't', start: 1009.99, proto: 17, port: 53, fwdPackets: 2 },
      { client: 'a', server: 's', start: 1010.0 },
    ];
    const v = derive(flows);
    expect([0, 1, 2, 3].map((r) => v(r, 'client_1s_flows'))).toEqual([1, 1, 1, 1]);
    expect([0, 1, 2, 3].map((r) => v(r, 'client_10s_flows'))).toEqual([3, 3, 3, 1]);
    expect(v(0, 'client_10s_distinct_servers')).toBe(2);
    expect(v(0, 'client_10s_udp_packets')).toBe(2);
    expect(v(0, 'client_10s_tcp_packets')).toBe(2);
    expect(v(3, 'client_10s_distinct_servers')).toBe(1);
  });

  it('counts the flows to the service most of them went to: a brute force repeats one, a busy client spreads', () => {
    const guesses: Flow[] = Array.from({ length: 20 }, (_, i) => ({ client: '10.0.0.66', server: '10.0.0.2', start: 2000.1 + i * 0.04, port: 22, syn: 1, synack: 1 }));
    const browsing: Flow[] = [
      ...Array.from({ length: 4 }, (_, i) => ({ client: '10.0.1.5', server: '10.0.0.2', start: 2000.2 + i * 0.1, port: 80 })),
      ...Array.from({ length: 3 }, (_, i) => ({ client: '10.0.1.5', server: '10.0.0.3', start: 2000.3 + i * 0.1, proto: 17, port: 53 })),
      // the same port on another protocol is another service
      { client: '10.0.1.5', server: '10.0.0.3', start: 2000.9, proto: 6, port: 53 },
    ];
    const v = derive([...guesses, ...browsing]);
    expect(v(0, 'client_1s_busiest_service_flows')).toBe(20);
    expect(v(19, 'client_10s_busiest_service_flows')).toBe(20);
    expect(v(20, 'client_1s_busiest_service_flows')).toBe(4);
    expect(v(20, 'client_1s_distinct_services')).toBe(3);
    expect(v(27, 'client_1s_busiest_service_flows')).toBe(4);
  });

  it('gives 0, never NaN, for shares without a denominator', () => {
    const v = derive([{ client: 'a', server: 's', start: 5, proto: 1, port: 0, fwdPackets: 0, fwdBytes: 0 }]);
    for (const c of CLIENT_ACTIVITY_COLUMNS) expect(Number.isFinite(v(0, c.name)), c.name).toBe(true);
    expect(v(0, 'client_1s_pkt_bytes_wire_mean')).toBe(0);
    expect(v(0, 'client_1s_failed_conn_share')).toBe(0);
    expect(v(0, 'client_1s_other_packets')).toBe(0);
  });
});
