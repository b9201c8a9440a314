// Capture stage benchmark: `netml capture --read` (pcap -> packets.csv) versus tshark's field export of
// the same columns on the same file, plus peak memory on a 1x and a 2x file to show it stays flat; and the
// original Python approach (Scapy PcapReader + pandas to_csv, bench/python_original.py) on the file's first
// 100,000 packets, beside netml on the very same prefix (best of three; one with --quick). Python runs once, as tshark.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, measure, measureRuns, readIntoPageCache } from './measure.js';
import { ensurePythonOriginal, prefixCapture, PYTHON, pythonCaptureArgs, pythonReport } from './python-original.js';

const NETML = 'bin/netml.js';

// tshark fields matching packets.csv's columns, one for one where tshark has them
const TSHARK_FIELDS = [
  'frame.number', 'frame.time_epoch', 'frame.interface_id', 'frame.len', 'frame.cap_len', 'eth.src', 'eth.dst', 'eth.type',
  'vlan.id', 'ip.version', 'ip.src', 'ip.dst', 'ip.proto', 'ip.ttl', 'ip.len', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.window_size_value', 'tcp.hdr_len', 'tcp.len',
  'udp.srcport', 'udp.dstport', 'icmp.type', 'icmp.code', 'arp.opcode', '_ws.expert.severity',
];

/** Best of `repeats` runs, each writing a fresh `output`: the page cache and the machine's other work only ever slow a run down. */
function best(cmd, args, { repeats = 3, output, input } = {}) {
  if (input) readIntoPageCache(input);
  return measureRuns(cmd, args, { repeats, outputs: output ? [output] : [] }).reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

export async function captureSuite({ dataDir, captures, quick = false }) {
  const rows = [];
  const [main, double] = captures;
  const packets = main.packets;
  const csv = join(dataDir, 'packets.csv');
  const netmlCsv = best('node', [NETML, 'capture', '--read', main.path, '--no-pcap', '-o', csv, '--quiet'], { output: csv, input: main.path });
  rows.push(row('netml capture --read (packets.csv only)', packets, netmlCsv));
  const netmlBoth = best('node', [NETML, 'capture', '--read', main.path, '-w', join(dataDir, 'copy.pcap'), '-o', csv, '--quiet'], { output: csv });
  rows.push(row('netml capture --read (packets.csv + capture.pcap)', packets, netmlBoth));
  const netmlDouble = best('node', [NETML, 'capture', '--read', double.path, '--no-pcap', '-o', join(dataDir, 'packets2.csv'), '--quiet'], { output: join(dataDir, 'packets2.csv'), input: double.path });
  rows.push(row(`netml capture --read, 2x file (${double.packets.toLocaleString('en-US')} packets)`, double.packets, netmlDouble));
  let tshark = null;
  if (hasCommand('tshark')) {
    const args = ['-n', '-r', main.path, '-T', 'fields', '-E', 'separator=,', '-E', 'header=y', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
    readIntoPageCache(main.path);
    tshark = measure('tshark', args);
    rows.push(row('tshark -T fields (same columns)', packets, tshark));
  } else {
    rows.push({ name: 'tshark -T fields (same columns)', skipped: 'tshark is not installed (apt-get install tshark)' });
  }
  const ratio = tshark ? tshark.seconds / netmlCsv.seconds : null;

  // the original Python approach, on a prefix (Scapy decodes some thousands of packets/s), and netml on the same prefix
  const python = ensurePythonOriginal();
  const prefix = prefixCapture(dataDir, main);
  const first = `first ${prefix.packets.toLocaleString('en-US')} packets`;
  const prefixCsv = join(dataDir, `${prefix.name}.netml-packets.csv`);
  const netmlPrefix = best('node', [NETML, 'capture', '--read', prefix.path, '--no-pcap', '-o', prefixCsv, '--quiet'], { repeats: quick ? 1 : 3, output: prefixCsv });
  rows.push(row(`netml capture --read (packets.csv only), ${first} (${prefix.path})`, prefix.packets, netmlPrefix));
  let scapy = null;
  let scapyReport = null;
  if (python.ok) {
    // one run, as tshark's: it takes some 15 s, and the machine's other work only slows it
    const stdoutPath = join(dataDir, `${prefix.name}.scapy-capture.json`);
    scapy = measure(PYTHON, pythonCaptureArgs(dataDir, prefix), { stdoutPath });
    scapyReport = pythonReport(stdoutPath);
    rows.push(row(`original Python: Scapy ${scapyReport.scapy} PcapReader + pandas ${scapyReport.pandas} to packets CSV, ${first}`, prefix.packets, scapy));
  } else {
    rows.push({ name: `original Python: Scapy PcapReader + pandas to packets CSV, ${first}`, skipped: python.reason });
  }
  const pythonPps = scapy ? prefix.packets / scapy.seconds : null;
  return {
    suite: 'capture',
    input: { path: main.path, packets, bytes: statSync(main.path).size },
    rows,
    ratios: {
      netmlOverTshark: ratio,
      memoryGrowth2x: netmlDouble.peakRssMb / netmlCsv.peakRssMb,
      // on the identical prefix: Python's seconds over netml's
      netmlOverPythonOriginal: scapy ? scapy.seconds / netmlPrefix.seconds : null,
      // netml's packets/s on the whole file over Python's on the prefix (netml's start-up weighs less on a long file)
      netmlFullFileOverPythonOriginal: scapy ? packets / netmlCsv.seconds / pythonPps : null,
      // peak RSS on the identical prefix; Python's grows with the packets it holds, netml's stays flat
      pythonOriginalPeakRssOverNetml: scapy ? scapy.peakRssMb / netmlPrefix.peakRssMb : null,
    },
    pythonOriginal: { prefix: { path: prefix.path, packets: prefix.packets, bytes: prefix.bytes }, report: scapyReport, skipped: python.ok ? undefined : python.reason },
    targets: {
      'packets/s >= 1,000,000': netmlCsv.seconds > 0 && packets / netmlCsv.seconds >= 1e6,
      '>= 20x tshark': ratio === null ? 'skipped' : ratio >= 20,
      'peak RSS < 200 MB': netmlCsv.peakRssMb < 200 && netmlDouble.peakRssMb < 200,
    },
  };
}

function row(name, packets, m) {
  return { name, packets, seconds: m.seconds, packetsPerSecond: packets / m.seconds, peakRssMb: m.peakRssMb };
}
