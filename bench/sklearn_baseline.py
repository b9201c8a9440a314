#!/usr/bin/env python3
# scikit-learn side of bench/ml-suite.js and bench/detection-suite.js: the same CSVs, the same feature columns
# (passed in by the suite from netml's model file), the same parameters; prints one JSON object with timings and
# quality figures. `detect` trains on one CSV and writes a verdict per row of another (--predictions), as
# `netml train` + `netml detect` do; its Isolation Forest threshold is netml's --fpr calibration.
# Debian's python3-sklearn: run it with /usr/bin/python3 (a pyenv python may not see it).
import argparse
import json
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score


def load(path, features):
    """The feature columns as float64 and the label column as strings, read by numpy's C parser."""
    with open(path) as f:
        header = f.readline().rstrip('\n').split(',')
    cols = [header.index(name) for name in features]
    started = time.perf_counter()
    X = np.loadtxt(path, delimiter=',', skiprows=1, usecols=cols, dtype=np.float64, ndmin=2)
    y = np.loadtxt(path, delimiter=',', skiprows=1, usecols=[header.index('label')], dtype=str) if 'label' in header else None
    return X, y, time.perf_counter() - started


def iforest(args, features):
    X, y, load_s = load(args.csv, features)
    model = IsolationForest(n_estimators=args.trees, max_samples=args.psi, random_state=args.seed, n_jobs=args.jobs)
    t = time.perf_counter()
    model.fit(X)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    scores = -model.score_samples(X)  # scikit-learn negates the paper's score
    score_s = time.perf_counter() - t
    out = {'rows': int(X.shape[0]), 'features': int(X.shape[1]), 'loadSeconds': load_s, 'fitSeconds': fit_s, 'scoreSeconds': score_s}
    if y is not None:
        out['rocAuc'] = float(roc_auc_score(y != args.normal, scores))
    return out


def rf(args, features):
    X, y, load_s = load(args.train, features)
    Xt, yt, load_t = load(args.test, features)
    max_features = args.max_features
    if max_features not in ('sqrt', 'log2'):
        max_features = float(max_features) if '.' in max_features else int(max_features)
    model = RandomForestClassifier(
        n_estimators=args.trees,
        max_features=max_features,
        max_depth=args.max_depth,
        min_samples_leaf=args.min_samples_leaf,
        class_weight=args.class_weight,
        random_state=args.seed,
        n_jobs=args.jobs,
    )
    t = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    proba = model.predict_proba(Xt)
    predict_s = time.perf_counter() - t
    predicted = model.classes_[proba.argmax(axis=1)]
    normal = list(model.classes_).index(args.normal)
    out = {
        'rows': int(X.shape[0]),
        'testRows': int(Xt.shape[0]),
        'features': int(X.shape[1]),
        'loadSeconds': load_s + load_t,
        'fitSeconds': fit_s,
        'predictSeconds': predict_s,
        'accuracy': float(accuracy_score(yt, predicted)),
        'macroF1': float(f1_score(yt, predicted, average='macro')),
        'rocAucSuspicious': float(roc_auc_score(yt != args.normal, 1 - proba[:, normal])),
        'rocAucOvr': float(roc_auc_score(yt, proba, multi_class='ovr', average='macro', labels=model.classes_)),
        'nodesPerTree': float(np.mean([e.tree_.node_count for e in model.estimators_])),
    }
    return out


def detect(args, features):
    """Trains on one CSV and scores another, as `netml train` + `netml detect` do; writes one line per test row
    (verdict 1 = suspicious, the predicted class for rf) to --predictions, and timings as JSON."""
    X, y, load_s = load(args.train, features)
    Xt, _, load_t = load(args.test, features)
    if args.algorithm == 'rf':
        model = RandomForestClassifier(n_estimators=args.trees, max_features='sqrt', random_state=args.seed, n_jobs=args.jobs)
    else:
        model = IsolationForest(n_estimators=args.trees, max_samples=min(args.psi, X.shape[0]), random_state=args.seed, n_jobs=args.jobs)
    t = time.perf_counter()
    model.fit(X, y) if args.algorithm == 'rf' else model.fit(X)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    if args.algorithm == 'rf':
        proba = model.predict_proba(Xt)
        predicted = model.classes_[proba.argmax(axis=1)]
        suspicious = predicted != args.normal
    else:
        # the threshold netml calibrates (--fpr): the share `fpr` of the training rows scores above it
        threshold = np.quantile(-model.score_samples(X), 1 - args.fpr)
        scores = -model.score_samples(Xt)
        suspicious = scores > threshold
        predicted = None
    predict_s = time.perf_counter() - t
    with open(args.predictions, 'w') as f:
        f.write('suspicious,predicted_class\n' if predicted is not None else 'suspicious\n')
        for i in range(Xt.shape[0]):
            f.write(f'{int(suspicious[i])},{predicted[i]}\n' if predicted is not None else f'{int(suspicious[i])}\n')
    return {'rows': int(X.shape[0]), 'testRows': int(Xt.shape[0]), 'features': int(X.shape[1]), 'loadSeconds': load_s + load_t, 'fitSeconds': fit_s, 'predictSeconds': predict_s}


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='model', required=True)
    a = sub.add_parser('iforest')
    a.add_argument('--csv', required=True)
    a.add_argument('--psi', type=int, default=256)
    b = sub.add_parser('rf')
    b.add_argument('--train', required=True)
    b.add_argument('--test', required=True)
    b.add_argument('--max-features', default='sqrt')
    b.add_argument('--max-depth', type=int, default=None)
    b.add_argument('--min-samples-leaf', type=int, default=1)
    b.add_argument('--class-weight', default=None)
    c = sub.add_parser('detect', help='train on --train, score --test, write per-row verdicts')
    c.add_argument('--algorithm', choices=('rf', 'iforest'), required=True)
    c.add_argument('--train', required=True)
    c.add_argument('--test', required=True)
    c.add_argument('--predictions', required=True)
    c.add_argument('--psi', type=int, default=256)
    c.add_argument('--fpr', type=float, default=0.01)
    for s in (a, b, c):
        s.add_argument('--features', required=True, help='comma-separated feature columns')
        s.add_argument('--trees', type=int, default=100)
        s.add_argument('--seed', type=int, default=1)
        s.add_argument('--jobs', type=int, default=1)
        s.add_argument('--normal', default='normal')
    args = p.parse_args()
    features = args.features.split(',')
    if args.model == 'detect':
        out = detect(args, features)
    else:
        out = iforest(args, features) if args.model == 'iforest' else rf(args, features)
    import sklearn
    out['sklearn'] = sklearn.__version__
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
