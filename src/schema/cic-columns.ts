// The CICFlowMeter / CIC-IDS2017 column set (`netml extract --format cic`), so users can train on the public
// CIC-IDS2017 CSVs and apply the model to their own traffic. The header is reproduced byte for byte from
// the public "TrafficLabelling" CSVs (e.g. Monday-WorkingHours.pcap_ISCX.csv): 85 columns, most names with
// a leading space, and ' Fwd Header Length' twice (CICFlowMeter writes fHeaderBytes in both places).
// Reproducing the quirks is deliberate: a pipeline built on the public files (pandas reads the second
// one as ' Fwd Header Length.1') reads ours without renaming a column. src/features/cic-flow.ts fills the
// columns; docs/extract.md lists every deviation from CICFlowMeter's values.
//
// Values keep CICFlowMeter's meaning where it is a definition (its "Packet Length" columns are transport
// payload bytes, its times are microseconds, its header lengths are transport headers) and drop its
// bugs (see the per-column descriptions): a model trained on the public data sees the same quantities.

import type { ColumnSpec } from './packet-columns.js';

export const CIC_SCHEMA_VERSION = 'cic-ids2017/1';

/** The class CIC-IDS2017 gives benign flows; --labels rules give the others. */
export const DEFAULT_CIC_LABEL = 'BENIGN';

/** The header line of the public CIC-IDS2017 TrafficLabelling CSVs, exactly. */
export const CIC_IDS2017_HEADER =
  'Flow ID, Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration, Total Fwd Packets, Total Backward Packets,' +
  'Total Length of Fwd Packets, Total Length of Bwd Packets, Fwd Packet Length Max, Fwd Packet Length Min, Fwd Packet Length Mean, Fwd Packet Length Std,' +
  'Bwd Packet Length Max, Bwd Packet Length Min, Bwd Packet Length Mean, Bwd Packet Length Std,Flow Bytes/s, Flow Packets/s, Flow IAT Mean, Flow IAT Std, ' +
  'Flow IAT Max, Flow IAT Min,Fwd IAT Total, Fwd IAT Mean, Fwd IAT Std, Fwd IAT Max, Fwd IAT Min,Bwd IAT Total, Bwd IAT Mean, Bwd IAT Std, Bwd IAT Max, ' +
  'Bwd IAT Min,Fwd PSH Flags, Bwd PSH Flags, Fwd URG Flags, Bwd URG Flags, Fwd Header Length, Bwd Header Length,Fwd Packets/s, Bwd Packets/s, ' +
  'Min Packet Length, Max Packet Length, Packet Length Mean, Packet Length Std, Packet Length Variance,FIN Flag Count, SYN Flag Count, RST Flag Count, ' +
  'PSH Flag Count, ACK Flag Count, URG Flag Count, CWE Flag Count, ECE Flag Count, Down/Up Ratio, Average Packet Size, Avg Fwd Segment Size, ' +
  'Avg Bwd Segment Size, Fwd Header Length,Fwd Avg Bytes/Bulk, Fwd Avg Packets/Bulk, Fwd Avg Bulk Rate, Bwd Avg Bytes/Bulk, Bwd Avg Packets/Bulk,' +
  'Bwd Avg Bulk Rate,Subflow Fwd Packets, Subflow Fwd Bytes, Subflow Bwd Packets, Subflow Bwd Bytes,Init_Win_bytes_forward, Init_Win_bytes_backward, ' +
  'act_data_pkt_fwd, min_seg_size_forward,Active Mean, Active Std, Active Max, Active Min,Idle Mean, Idle Std, Idle Max, Idle Min, Label';

const PAYLOAD = 'transport payload bytes (CICFlowMeter\'s "packet length" is the payload)';
const US = 'us';

type Kind = 'int' | 'float' | 'string' | 'ip';
const c = (name: string, type: Kind, description: string, unit?: string, identifier?: boolean): ColumnSpec => ({
  name,
  type,
  description,
  ...(unit ? { unit } : {}),
  ...(identifier ? { identifier: true } : {}),
});

function direction(dir: 'Fwd' | 'Bwd'): ColumnSpec[] {
  const who = dir === 'Fwd' ? 'client to server' : 'server to client';
  return [
    c(`${dir} Packet Length Max`, 'int', `largest ${who} ${PAYLOAD}; 0 when the direction sent nothing`, 'bytes'),
    c(`${dir} Packet Length Min`, 'int', `smallest ${who} payload; 0 when the direction sent nothing`, 'bytes'),
    c(`${dir} Packet Length Mean`, 'float', `mean ${who} payload; 0 when the direction sent nothing`, 'bytes'),
    c(`${dir} Packet Length Std`, 'float', `sample standard deviation (n-1) of the ${who} payloads; 0 below 2 packets`, 'bytes'),
  ];
}

function iat(dir: 'Fwd' | 'Bwd'): ColumnSpec[] {
  const who = dir === 'Fwd' ? 'client to server' : 'server to client';
  return [
    c(`${dir} IAT Total`, 'float', `time from the first to the last ${who} packet (the sum of their inter-arrival times); 0 below 2 packets`, US),
    c(`${dir} IAT Mean`, 'float', `mean time between two ${who} packets; 0 below 2 packets`, US),
    c(`${dir} IAT Std`, 'float', `sample standard deviation (n-1) of those times; 0 below 3 packets`, US),
    c(`${dir} IAT Max`, 'float', `longest time between two ${who} packets; 0 below 2 packets`, US),
    c(`${dir} IAT Min`, 'float', `shortest time between two ${who} packets; 0 below 2 packets`, US),
  ];
}

function bulk(dir: 'Fwd' | 'Bwd'): ColumnSpec[] {
  const who = dir === 'Fwd' ? 'client' : 'server';
  const what = `a bulk: 4 or more consecutive ${who} packets with payload, no more than 1 s apart, with no payload from the other side in between`;
  return [
    c(`${dir} Avg Bytes/Bulk`, 'float', `payload bytes per bulk (${what}); 0 without a bulk`, 'bytes'),
    c(`${dir} Avg Packets/Bulk`, 'float', 'packets per bulk; 0 without a bulk'),
    c(`${dir} Avg Bulk Rate`, 'float', 'payload bytes of the bulks divided by their total duration in seconds; 0 without a bulk or when it took no time', 'bytes/s'),
  ];
}

const FLAG_NOTE = 'packets of the flow, both directions, with the TCP';

/** Column i describes the i-th name of CIC_IDS2017_HEADER (with its spaces); descriptions say what netml puts there. */
const DESCRIBED: ColumnSpec[] = [
  c('Flow ID', 'string', 'client address-server address-client port-server port-protocol', undefined, true),
  c('Source IP', 'ip', "client address (the SYN's sender; else the first packet's sender)", undefined, true),
  c('Source Port', 'int', 'client TCP/UDP/SCTP port; 0 for protocols without ports', undefined, true),
  c('Destination IP', 'ip', 'server address', undefined, true),
  c('Destination Port', 'int', 'server TCP/UDP/SCTP port; 0 for protocols without ports', undefined, true),
  c('Protocol', 'int', 'IP protocol number (6 TCP, 17 UDP; netml also writes ICMP, ICMPv6 and other protocols)'),
  c('Timestamp', 'string', "first packet's time, UTC, as CICFlowMeter writes it: dd/MM/yyyy hh:mm:ss AM|PM", undefined, true),
  c('Flow Duration', 'float', "last packet's time minus the first's", US),
  c('Total Fwd Packets', 'int', 'client to server packets'),
  c('Total Backward Packets', 'int', 'server to client packets'),
  c('Total Length of Fwd Packets', 'int', `client to server ${PAYLOAD}`, 'bytes'),
  c('Total Length of Bwd Packets', 'int', `server to client ${PAYLOAD}`, 'bytes'),
  ...direction('Fwd'),
  ...direction('Bwd'),
  c('Flow Bytes/s', 'float', 'payload bytes of both directions per second of Flow Duration; 0 when the duration is 0 (CICFlowMeter wrote Infinity or NaN)', 'bytes/s'),
  c('Flow Packets/s', 'float', 'packets of both directions per second of Flow Duration; 0 when the duration is 0', '1/s'),
  c('Flow IAT Mean', 'float', 'mean time between two consecutive packets of the flow (either direction); 0 for a single packet', US),
  c('Flow IAT Std', 'float', 'sample standard deviation (n-1) of those times; 0 below 3 packets', US),
  c('Flow IAT Max', 'float', 'longest time between two consecutive packets; 0 for a single packet', US),
  c('Flow IAT Min', 'float', 'shortest time between two consecutive packets; 0 for a single packet', US),
  ...iat('Fwd'),
  ...iat('Bwd'),
  c('Fwd PSH Flags', 'int', 'client to server packets with PSH set'),
  c('Bwd PSH Flags', 'int', 'server to client packets with PSH set (always 0 in the public CSVs, a CICFlowMeter bug)'),
  c('Fwd URG Flags', 'int', 'client to server packets with URG set'),
  c('Bwd URG Flags', 'int', 'server to client packets with URG set (always 0 in the public CSVs)'),
  c('Fwd Header Length', 'int', 'client to server transport header bytes (TCP header with options, UDP 8, ICMP 8, others 0)', 'bytes'),
  c('Bwd Header Length', 'int', 'server to client transport header bytes', 'bytes'),
  c('Fwd Packets/s', 'float', 'client to server packets per second of Flow Duration; 0 when the duration is 0', '1/s'),
  c('Bwd Packets/s', 'float', 'server to client packets per second of Flow Duration; 0 when the duration is 0', '1/s'),
  c('Min Packet Length', 'int', 'smallest payload of the flow, both directions', 'bytes'),
  c('Max Packet Length', 'int', 'largest payload of the flow, both directions', 'bytes'),
  c('Packet Length Mean', 'float', 'mean payload of the flow, both directions (each packet counted once; CICFlowMeter counted the first twice)', 'bytes'),
  c('Packet Length Std', 'float', 'sample standard deviation (n-1) of the payloads; 0 below 2 packets', 'bytes'),
  c('Packet Length Variance', 'float', 'the square of Packet Length Std', 'bytes^2'),
  c('FIN Flag Count', 'int', `${FLAG_NOTE} FIN flag`),
  c('SYN Flag Count', 'int', `${FLAG_NOTE} SYN flag`),
  c('RST Flag Count', 'int', `${FLAG_NOTE} RST flag`),
  c('PSH Flag Count', 'int', `${FLAG_NOTE} PSH flag`),
  c('ACK Flag Count', 'int', `${FLAG_NOTE} ACK flag`),
  c('URG Flag Count', 'int', `${FLAG_NOTE} URG flag`),
  c('CWE Flag Count', 'int', `${FLAG_NOTE} CWR flag (CICFlowMeter's header misspells CWR)`),
  c('ECE Flag Count', 'int', `${FLAG_NOTE} ECE flag`),
  c('Down/Up Ratio', 'float', 'Total Backward Packets / Total Fwd Packets, a real division (CICFlowMeter divided integers); 0 when the client sent nothing'),
  c('Average Packet Size', 'float', 'payload bytes of both directions / packets of both directions', 'bytes'),
  c('Avg Fwd Segment Size', 'float', 'client to server payload bytes / client to server packets; 0 when the client sent nothing', 'bytes'),
  c('Avg Bwd Segment Size', 'float', 'server to client payload bytes / server to client packets; 0 when the server sent nothing', 'bytes'),
  c('Fwd Header Length', 'int', 'the same value as the first Fwd Header Length (the public CSVs repeat the column)', 'bytes'),
  ...bulk('Fwd'),
  ...bulk('Bwd'),
  c('Subflow Fwd Packets', 'float', 'client to server packets per subflow; subflows are parts of the flow separated by gaps longer than 1 s (1 subflow without such a gap)'),
  c('Subflow Fwd Bytes', 'float', 'client to server payload bytes per subflow', 'bytes'),
  c('Subflow Bwd Packets', 'float', 'server to client packets per subflow'),
  c('Subflow Bwd Bytes', 'float', 'server to client payload bytes per subflow', 'bytes'),
  c('Init_Win_bytes_forward', 'int', 'TCP window field (unscaled) of the first client to server TCP packet; -1 when there was none', 'bytes'),
  c('Init_Win_bytes_backward', 'int', 'TCP window field of the first server to client TCP packet (CICFlowMeter kept the last one); -1 when there was none', 'bytes'),
  c('act_data_pkt_fwd', 'int', 'client to server packets with at least 1 byte of payload'),
  c('min_seg_size_forward', 'int', 'smallest client to server transport header; 0 when the client sent nothing', 'bytes'),
  c('Active Mean', 'float', 'mean active period: first to last packet of a burst, bursts separated by gaps longer than 5 s; periods of 0 are not counted, as in CICFlowMeter; 0 without one', US),
  c('Active Std', 'float', 'sample standard deviation (n-1) of the active periods; 0 below 2', US),
  c('Active Max', 'float', 'longest active period; 0 without one', US),
  c('Active Min', 'float', 'shortest active period; 0 without one', US),
  c('Idle Mean', 'float', 'mean gap longer than 5 s between two packets; 0 without one (CICFlowMeter also counted the time left until its flow timeout)', US),
  c('Idle Std', 'float', 'sample standard deviation (n-1) of those gaps; 0 below 2', US),
  c('Idle Max', 'float', 'longest such gap; 0 without one', US),
  c('Idle Min', 'float', 'shortest such gap; 0 without one', US),
];

const NAMES = CIC_IDS2017_HEADER.split(',');

/** The 84 feature columns, names exactly as the public header spells them (leading spaces kept). */
export const CIC_FEATURE_COLUMNS: readonly ColumnSpec[] = DESCRIBED.map((spec, i) => {
  if (NAMES[i].trim() !== spec.name) throw new Error(`cic-columns: column ${i + 1} is "${NAMES[i]}" in the header but "${spec.name}" here`);
  return { ...spec, name: NAMES[i] };
});

/** The last column: the class from --labels rules, BENIGN when none matched. */
export const CIC_LABEL_COLUMN: ColumnSpec = { name: NAMES[NAMES.length - 1], type: 'string', description: 'class from the --labels rules; BENIGN when no rule matched (CIC-IDS2017\'s name for normal traffic)' };

export const CIC_COLUMNS: readonly ColumnSpec[] = [...CIC_FEATURE_COLUMNS, CIC_LABEL_COLUMN];
