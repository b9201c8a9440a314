#!/usr/bin/env python3
# The original Python approach that netml replaces, as a benchmark peer (bench/capture-suite.js and
# bench/extract-suite.js run it under /usr/bin/time -v): Scapy + pandas, from Debian's python3-scapy and
# python3-pandas (the third package, python3-sklearn, is the training step, which bench/ml-suite.js covers
# with bench/sklearn_baseline.py). Run it with /usr/bin/python3, since a pyenv python may not see Debian's packages.
#
#   capture: pcap -> packets CSV, one row per packet (time, src, dst, protocol, length, sport, dport, TCP flags, TTL)
#   extract: packets CSV -> flows CSV, one row per direction-free 5-tuple of IP packets, pandas groupby
#            aggregations (one row per 5-tuple over the whole file: no idle timeout or FIN/RST cut, as the
#            original scripts grouped)
#
# Written as a careful original would be, with no deliberate slowness: Scapy's PcapReader streams the file
# packet by packet (rdpcap would hold every dissected packet in memory first). Each layer is looked up once
# per packet, and the flow step is vectorised (no DataFrame.apply per row). Prints one JSON object with
# counts, versions and the inner timings. The suites take wall time and peak RSS from GNU time.
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

PACKET_COLUMNS = ['time', 'src', 'dst', 'protocol', 'length', 'sport', 'dport', 'tcp_flags', 'ttl']
PROTOCOL_NAMES = {1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp'}
FLAGS = {'fin': 0x01, 'syn': 0x02, 'rst': 0x04, 'psh': 0x08, 'ack': 0x10, 'urg': 0x20}


def capture(args):
    started = time.perf_counter()
    # the usual `from scapy.all import ...`: it loads every layer, so packets are dissected as deep as the
    # original scripts saw them (DNS and the rest included)
    from scapy.all import ARP, IP, TCP, UDP, IPv6, PcapReader
    import scapy

    import_s = time.perf_counter() - started
    rows = []
    append = rows.append
    t = time.perf_counter()
    # PcapReader streams the capture (pcap or pcapng, by magic number); rdpcap would load it whole
    with PcapReader(args.pcap) as reader:
        for pkt in reader:
            # wire length from the pcap record header (what netml's wire_len_bytes holds), else the frame's length
            length = pkt.wirelen if pkt.wirelen is not None else len(pkt)
            src = dst = protocol = sport = dport = flags = ttl = None
            ip = pkt.getlayer(IP)
            if ip is not None:
                src, dst, proto, ttl = ip.src, ip.dst, ip.proto, ip.ttl
            else:
                ip = pkt.getlayer(IPv6)
                if ip is not None:
                    src, dst, proto, ttl = ip.src, ip.dst, ip.nh, ip.hlim
            if ip is not None:
                protocol = PROTOCOL_NAMES.get(proto, str(proto))
                tcp = pkt.getlayer(TCP)
                if tcp is not None:
                    sport, dport, flags = tcp.sport, tcp.dport, int(tcp.flags)
                else:
                    udp = pkt.getlayer(UDP)
                    if udp is not None:
                        sport, dport = udp.sport, udp.dport
            else:
                arp = pkt.getlayer(ARP)
                if arp is not None:
                    src, dst, protocol = arp.psrc, arp.pdst, 'arp'
            append((float(pkt.time), src, dst, protocol, length, sport, dport, flags, ttl))
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    df = pd.DataFrame.from_records(rows, columns=PACKET_COLUMNS)
    for c in ('sport', 'dport', 'tcp_flags', 'ttl'):
        df[c] = df[c].astype('Int64')  # integers with empty cells, not floats
    df.to_csv(args.out, index=False, float_format='%.6f')
    write_s = time.perf_counter() - t
    return {
        'stage': 'capture',
        'packets': len(df),
        'importSeconds': import_s,
        'readSeconds': read_s,
        'writeSeconds': write_s,
        'packetsPerSecondInLoop': len(df) / read_s if read_s > 0 else None,
        'scapy': scapy.VERSION,
        'pandas': pd.__version__,
    }


def extract(args):
    t = time.perf_counter()
    df = pd.read_csv(args.packets, dtype={'src': 'string', 'dst': 'string', 'protocol': 'string'})
    packets = len(df)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    # flows of IP packets (as netml's): ARP and frames without addresses have no 5-tuple
    df = df[df['src'].notna() & df['dst'].notna() & (df['protocol'] != 'arp')].copy()
    df['sport'] = df['sport'].fillna(0).astype(np.int64)
    df['dport'] = df['dport'].fillna(0).astype(np.int64)
    flags = df['tcp_flags'].fillna(0).astype(np.int64)
    for name, bit in FLAGS.items():
        df[name] = (flags & bit) != 0
    # direction-free 5-tuple: the lower (address, port) end first, whichever way the packet went
    swap = (df['src'] > df['dst']) | ((df['src'] == df['dst']) & (df['sport'] > df['dport']))
    df['addr_a'] = df['src'].where(~swap, df['dst'])
    df['addr_b'] = df['dst'].where(~swap, df['src'])
    df['port_a'] = df['sport'].where(~swap, df['dport'])
    df['port_b'] = df['dport'].where(~swap, df['sport'])
    keys = ['addr_a', 'port_a', 'addr_b', 'port_b', 'protocol']
    df = df.sort_values('time', kind='stable')
    df['iat'] = df.groupby(keys, sort=False)['time'].diff()  # gap to the flow's previous packet
    flows = df.groupby(keys, sort=False).agg(
        start_time=('time', 'min'),
        end_time=('time', 'max'),
        packets=('length', 'size'),
        bytes=('length', 'sum'),
        mean_size=('length', 'mean'),
        std_size=('length', 'std'),
        mean_iat=('iat', 'mean'),
        **{f'{name}_count': (name, 'sum') for name in FLAGS},
    ).reset_index()
    flows.insert(flows.columns.get_loc('packets'), 'duration', flows['end_time'] - flows['start_time'])
    flows[['std_size', 'mean_iat']] = flows[['std_size', 'mean_iat']].fillna(0.0)  # one-packet flows
    group_s = time.perf_counter() - t
    t = time.perf_counter()
    flows.to_csv(args.out, index=False, float_format='%.6f')
    write_s = time.perf_counter() - t
    return {
        'stage': 'extract',
        'packets': packets,
        'flows': len(flows),
        'readSeconds': read_s,
        'groupSeconds': group_s,
        'writeSeconds': write_s,
        'pandas': pd.__version__,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest='stage', required=True)
    c = sub.add_parser('capture', help='pcap -> packets CSV (Scapy PcapReader + pandas)')
    c.add_argument('--pcap', required=True)
    c.add_argument('--out', required=True)
    e = sub.add_parser('extract', help='packets CSV -> flows CSV (pandas groupby)')
    e.add_argument('--packets', required=True)
    e.add_argument('--out', required=True)
    args = p.parse_args()
    out = capture(args) if args.stage == 'capture' else extract(args)
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
