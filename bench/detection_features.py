#!/usr/bin/env python3
# Why Isolation Forest misses the lab's attacks, and what would let it see them: a diagnostic for the detection
# suite (bench/detection-suite.js), run after it on the files it leaves in bench/data. Not part of `npm run bench`.
#
#   sudo node bench/run.js detection && /usr/bin/python3 bench/detection_features.py
#
# scikit-learn's IsolationForest (the same algorithm and parameters as `netml train --model iforest`: 100 trees,
# 256 rows per tree, threshold at the training rows' 99th percentile, i.e. --fpr 0.01) trains on the normal run N
# and scores run B with several feature sets:
#   flow           the 63 numeric flow columns netml trains on today
#   flow log       the same, sign(x) * log(1 + |x|)
#   flow + text    plus conn_state one-hot and history letters (text columns netml leaves out)
#   host           the flow's client address as a host: `netml extract --level host` columns of the 1 s and the
#                  10 s window holding the flow's first packet (connection attempts, SYN-ACKs and RSTs received,
#                  distinct ports, failed-connection share...)
#   service        flows from the same client to the same protocol and server port that started in the last
#                  1 s, 10 s and 60 s, this one included (KDD'99's "srv_count"), from the flow table itself
#   context        host + service
#   flow + context all in one forest
#   flow or context one forest per group, a flow flagged when either scores above its own threshold (fpr/2 each)
# and prints per attack type the share flagged, the share of normal flows flagged, and the ROC AUC of the score
# (attack type vs normal): an AUC well under 1 means no threshold can meet "80% detected at 2% flagged".
import argparse
import json
import subprocess
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

ATTACKS = ['portscan', 'synflood', 'bruteforce']
STATES = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH']
LETTERS = 'ShADFRTWIQadfrtwiq^'
HOST = ['packets', 'bytes_wire', 'pkt_bytes_wire_mean', 'distinct_dst_addrs', 'distinct_dst_ports', 'tcp_packets', 'udp_packets',
        'icmp_packets', 'syn_packets', 'synack_packets', 'rst_packets', 'fin_packets', 'syn_share', 'synack_share', 'rst_share',
        'synack_received', 'rst_received', 'icmp_unreachable_received', 'conn_attempts_per_s', 'failed_conn_share']


def table(data, run, flow_columns):
    flows = pd.read_csv(f'{data}/lab-{run}.features.csv', keep_default_na=False)
    host_csv = f'{data}/lab-{run}.host.csv'
    subprocess.run(['node', 'bin/netml.js', 'extract', '--level', 'host', '--windows', '1,10', '-i', f'{data}/lab-{run}.pcap', '-o', host_csv, '--quiet'], check=True)
    hosts = pd.read_csv(host_csv, keep_default_na=False)
    out = {'flow': flows[flow_columns].astype(float)}
    text = pd.DataFrame(index=flows.index)
    for s in STATES:
        text[f'conn_state_{s}'] = (flows.conn_state == s).astype(float)
    for letter in LETTERS:
        text[f'history_{letter}'] = flows.history.str.contains(letter, regex=False).astype(float)
    out['text'] = text
    parts = []
    for w in (1, 10):
        h = hosts[hosts.window_s == w].copy()
        h['key'] = np.floor(h.window_start_s.astype(float) + 1e-6).astype(np.int64)
        h = h.set_index(['src_addr', 'key'])[HOST].add_prefix(f'src_{w}s_')
        key = (np.floor(flows.start_time_s.astype(float) / w) * w).astype(np.int64)
        parts.append(h.reindex(pd.MultiIndex.from_arrays([flows.src_addr, key])).fillna(0).reset_index(drop=True))
    out['host'] = pd.concat(parts, axis=1)
    service = pd.DataFrame(index=flows.index)
    order = flows.start_time_s.astype(float).sort_values(kind='stable')
    t = order.values
    key = (flows.src_addr + '|' + flows.protocol + '|' + flows.dst_port.astype(str)).loc[order.index].values
    for w in (1, 10, 60):
        count = np.zeros(len(t))
        for k in np.unique(key):
            at = np.where(key == k)[0]
            count[at] = np.arange(len(at)) - np.searchsorted(t[at], t[at] - w, side='left') + 1
        service.loc[order.index, f'same_service_{w}s'] = count
    out['service'] = service
    out['context'] = pd.concat([out['host'], service], axis=1)
    return out, flows.label.values


def forest(train, fpr):
    model = IsolationForest(n_estimators=100, max_samples=min(256, len(train)), random_state=1).fit(train)
    return model, np.quantile(-model.score_samples(train), 1 - fpr)


def evaluate(name, train_parts, test_parts, y, transform=lambda x: x, fpr=0.01, separate=False):
    if not separate:
        tr = transform(np.hstack([p.values for p in train_parts]))
        te = transform(np.hstack([p.values for p in test_parts]))
        model, threshold = forest(tr, fpr)
        score = -model.score_samples(te)
        flagged = score > threshold
    else:  # one forest per group, each at fpr / groups; flagged when any flags, scored by the largest margin
        flagged = np.zeros(len(y), dtype=bool)
        score = np.full(len(y), -np.inf)
        for tp, sp in zip(train_parts, test_parts):
            model, threshold = forest(transform(tp.values), fpr / len(train_parts))
            s = -model.score_samples(transform(sp.values))
            flagged |= s > threshold
            score = np.maximum(score, s - threshold)
    row = {'name': name}
    for c in ATTACKS + ['normal']:
        row[c] = float(np.mean(flagged[y == c])) if np.any(y == c) else None
    row['mean'] = float(np.mean([row[c] for c in ATTACKS if row[c] is not None]))
    for c in ATTACKS:
        m = (y == c) | (y == 'normal')
        row[f'auc_{c}'] = float(roc_auc_score(y[m] == c, score[m])) if np.any(y == c) else None
    return row


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='bench/data')
    p.add_argument('--scored', default='B', help='the lab run to score: B (default) or A')
    p.add_argument('--json', action='store_true')
    args = p.parse_args()
    flow_columns = json.load(open(f'{args.data}/detection-iforest.json'))['featureNames']
    n, _ = table(args.data, 'N', flow_columns)
    b, y = table(args.data, args.scored, flow_columns)
    slog = lambda x: np.sign(x) * np.log1p(np.abs(x))
    rows = [
        evaluate('flow (what netml trains on)', [n['flow']], [b['flow']], y),
        evaluate('flow, log-scaled', [n['flow']], [b['flow']], y, slog),
        evaluate('flow + text', [n['flow'], n['text']], [b['flow'], b['text']], y),
        evaluate("host (the client's 1 s and 10 s host windows)", [n['host']], [b['host']], y),
        evaluate('service (same-service flow counts)', [n['service']], [b['service']], y),
        evaluate('context = host + service', [n['context']], [b['context']], y),
        evaluate('flow + context, one forest', [n['flow'], n['context']], [b['flow'], b['context']], y),
        evaluate('flow + context, one forest, log-scaled', [n['flow'], n['context']], [b['flow'], b['context']], y, slog),
        evaluate('flow or context (a forest each, fpr/2 each)', [n['flow'], n['context']], [b['flow'], b['context']], y, separate=True),
    ]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        return
    pct = lambda v: 'n/a' if v is None else f'{100 * v:.2f}%'
    print(f'| IsolationForest features (trained on N, scored on {args.scored}) | ' + ' | '.join(ATTACKS) + ' | attack mean | normal flagged | ROC AUC ' + ' / '.join(ATTACKS) + ' |')
    print('|---|' + '---:|' * (len(ATTACKS) + 3))
    for r in rows:
        auc = ' / '.join('n/a' if r[f'auc_{c}'] is None else f"{r[f'auc_{c}']:.3f}" for c in ATTACKS)
        print(f"| {r['name']} | " + ' | '.join(pct(r[c]) for c in ATTACKS) + f" | {pct(r['mean'])} | {pct(r['normal'])} | {auc} |")


if __name__ == '__main__':
    main()
