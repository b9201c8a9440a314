// ML stage benchmark: `netml train` / `netml detect` versus scikit-learn (Debian's python3-sklearn, run by
// bench/sklearn_baseline.py) on the same generated features CSVs, with the same feature columns and
// parameters: Isolation Forest fit + score of 1,000,000 rows, Random Forest training on 500,000 rows and
// prediction of 500,000 more. Reports seconds, rows/s, quality (ROC AUC, accuracy, macro F1) and peak RSS.
//
// The CSVs have the real flow header (flows/1), so netml reads them as it reads `netml extract` output;
// the columns that carry signal are named below, every other numeric column is a constant (scikit-learn and
// netml both skip constant features). Seeded: every run measures the same bytes.
//
//   node bench/ml-suite.js                    run alone, print the result as JSON
//   NETML_BENCH_SCALE=0.1 node bench/ml-suite.js   a tenth of the rows, for a quick look
import { closeSync, existsSync, openSync, readFileSync, realpathSync, renameSync, statSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measure } from './measure.js';

const NETML = 'bin/netml.js';
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-sklearn installs
const BASELINE = 'bench/sklearn_baseline.py';
const SEED = '1';
const TREES = '100';

const dist = (path) => import(pathToFileURL(join(process.cwd(), 'dist', path)).href);

export async function mlSuite({ dataDir, scale = Number(process.env.NETML_BENCH_SCALE ?? 1) }) {
  const { SeededRandom } = await dist('synth/seeded-random.js');
  const { FLOW_COLUMNS } = await dist('schema/flow-columns.js');
  const { KNOWN_SCHEMAS, numericColumns } = await dist('schema/feature-schemas.js');
  const { classificationReport, rocAuc } = await dist('ml/metrics.js');
  const featureNames = numericColumns(KNOWN_SCHEMAS[0], false).map((c) => c.name);
  const signal = featureNames.filter((n) => /^(fwd|bwd)_/.test(n));
  const gen = { SeededRandom, FLOW_COLUMNS, featureNames };

  const ifRows = Math.round(1_000_000 * scale);
  const rfRows = Math.round(500_000 * scale);
  const ifCsv = makeCsv(join(dataDir, `ml-iforest-${ifRows}.csv`), ifRows, () => isolationRows(gen, signal.slice(0, 20), ifRows, 21));
  const rfTrainCsv = makeCsv(join(dataDir, `ml-rf-train-${rfRows}.csv`), rfRows, () => classRows(gen, signal.slice(0, 40), rfRows, 31));
  const rfTestCsv = makeCsv(join(dataDir, `ml-rf-test-${rfRows}.csv`), rfRows, () => classRows(gen, signal.slice(0, 40), rfRows, 32));

  const sklearn = ensureSklearn();
  const rows = [];
  const out = (name) => join(dataDir, name);

  // Isolation Forest: fit on every row, score every row
  const ifRun = measure('node', [NETML, 'train', '--model', 'iforest', '-i', ifCsv, '-o', out('ml-iforest.json'), '--report', out('ml-iforest-report.json'), '--seed', SEED, '--trees', TREES, '--json'], { stdoutPath: out('ml-iforest-stdout.json') });
  const ifReport = JSON.parse(readFileSync(out('ml-iforest-stdout.json'), 'utf8'));
  const netmlIf = { fit: ifReport.timing.fitSeconds, score: ifReport.timing.scoreSeconds };
  rows.push({
    name: `netml train --model iforest (${ifReport.threads} threads)`,
    rows: ifRows,
    seconds: ifRun.seconds,
    fitSeconds: netmlIf.fit,
    scoreSeconds: netmlIf.score,
    rowsPerSecond: ifRows / (netmlIf.fit + netmlIf.score),
    rocAuc: ifReport.evaluation.rocAuc,
    peakRssMb: ifRun.peakRssMb,
  });
  const features = JSON.parse(readFileSync(out('ml-iforest.json'), 'utf8')).featureNames.join(',');
  let skIf = null;
  if (sklearn.ok) {
    const m = measure(PYTHON, [BASELINE, 'iforest', '--csv', ifCsv, '--features', features, '--trees', TREES, '--seed', SEED, '--jobs', '2'], { stdoutPath: out('ml-sklearn-iforest.json') });
    skIf = JSON.parse(readFileSync(out('ml-sklearn-iforest.json'), 'utf8'));
    rows.push({
      name: `scikit-learn ${skIf.sklearn} IsolationForest (n_jobs=2)`,
      rows: ifRows,
      seconds: m.seconds,
      fitSeconds: skIf.fitSeconds,
      scoreSeconds: skIf.scoreSeconds,
      rowsPerSecond: ifRows / (skIf.fitSeconds + skIf.scoreSeconds),
      rocAuc: skIf.rocAuc,
      peakRssMb: m.peakRssMb,
    });
  } else rows.push({ name: 'scikit-learn IsolationForest', skipped: sklearn.reason });

  // Random Forest: train on one file, predict another
  const rfTrain = measure('node', [NETML, 'train', '--model', 'rf', '-i', rfTrainCsv, '-o', out('ml-rf.json'), '--report', out('ml-rf-report.json'), '--seed', SEED, '--trees', TREES, '--test-split', '0', '--json'], { stdoutPath: out('ml-rf-stdout.json') });
  const rfReport = JSON.parse(readFileSync(out('ml-rf-stdout.json'), 'utf8'));
  const rfDetect = measure('node', [NETML, 'detect', '-i', rfTestCsv, '-m', out('ml-rf.json'), '-o', out('ml-rf-detections.csv'), '--summary', out('ml-rf-summary.json'), '--json'], { stdoutPath: out('ml-rf-detect-stdout.json') });
  const rfSummary = JSON.parse(readFileSync(out('ml-rf-detect-stdout.json'), 'utf8'));
  const rfQuality = detectionQuality(rfTestCsv, out('ml-rf-detections.csv'), classificationReport, rocAuc);
  rows.push({
    name: `netml train --model rf (${rfReport.threads} threads)`,
    rows: rfRows,
    seconds: rfTrain.seconds,
    fitSeconds: rfReport.timing.fitSeconds,
    rowsPerSecond: rfRows / rfReport.timing.fitSeconds,
    peakRssMb: rfTrain.peakRssMb,
  });
  rows.push({
    name: `netml detect, random forest (${rfSummary.timing.threads} threads)`,
    rows: rfRows,
    seconds: rfDetect.seconds,
    scoreSeconds: rfSummary.timing.scoreSeconds,
    rowsPerSecond: rfRows / rfSummary.timing.scoreSeconds,
    ...rfQuality,
    peakRssMb: rfDetect.peakRssMb,
  });
  let skRf = null;
  if (sklearn.ok) {
    const m = measure(PYTHON, [BASELINE, 'rf', '--train', rfTrainCsv, '--test', rfTestCsv, '--features', features, '--trees', TREES, '--seed', SEED, '--jobs', '2'], { stdoutPath: out('ml-sklearn-rf.json') });
    skRf = JSON.parse(readFileSync(out('ml-sklearn-rf.json'), 'utf8'));
    rows.push({
      name: `scikit-learn ${skRf.sklearn} RandomForestClassifier fit + predict_proba (n_jobs=2)`,
      rows: rfRows,
      seconds: m.seconds,
      fitSeconds: skRf.fitSeconds,
      scoreSeconds: skRf.predictSeconds,
      rowsPerSecond: rfRows / skRf.predictSeconds,
      accuracy: skRf.accuracy,
      macroF1: skRf.macroF1,
      rocAuc: skRf.rocAucSuspicious,
      peakRssMb: m.peakRssMb,
    });
  } else rows.push({ name: 'scikit-learn RandomForestClassifier', skipped: sklearn.reason });

  const netmlIfSeconds = netmlIf.fit + netmlIf.score;
  const predictRate = rfRows / rfSummary.timing.scoreSeconds;
  const ratios = {
    iforestFitScoreSpeedupOverSklearn: skIf ? (skIf.fitSeconds + skIf.scoreSeconds) / netmlIfSeconds : null,
    iforestRocAucDifference: skIf ? ifReport.evaluation.rocAuc - skIf.rocAuc : null,
    rfTrainSpeedupOverSklearn: skRf ? skRf.fitSeconds / rfReport.timing.fitSeconds : null,
    rfPredictSpeedupOverSklearn: skRf ? skRf.predictSeconds / rfSummary.timing.scoreSeconds : null,
    rfAccuracyDifference: skRf ? rfQuality.accuracy - skRf.accuracy : null,
    rfMacroF1Difference: skRf ? rfQuality.macroF1 - skRf.macroF1 : null,
  };
  const within = (d) => (d === null ? 'skipped' : Math.abs(d) <= 0.01);
  return {
    suite: 'ml',
    input: {
      iforest: { path: ifCsv, rows: ifRows, bytes: statSync(ifCsv).size, signalFeatures: 20, featureColumns: featureNames.length },
      randomForest: { train: rfTrainCsv, test: rfTestCsv, rows: rfRows, bytes: statSync(rfTrainCsv).size, signalFeatures: 40, featureColumns: featureNames.length, trees: Number(TREES) },
    },
    rows,
    ratios,
    targets: {
      'iforest fit+score >= 10x scikit-learn': skIf ? ratios.iforestFitScoreSpeedupOverSklearn >= 10 : 'skipped',
      'iforest ROC AUC within 0.01 of scikit-learn': within(ratios.iforestRocAucDifference),
      'rf training no slower than scikit-learn n_jobs=2': skRf ? ratios.rfTrainSpeedupOverSklearn >= 1 : 'skipped',
      'rf prediction >= 1,000,000 rows/s': predictRate >= 1e6,
      'rf accuracy within 0.01 of scikit-learn': within(ratios.rfAccuracyDifference),
      'rf macro F1 within 0.01 of scikit-learn': within(ratios.rfMacroF1Difference),
    },
  };
}

/** scikit-learn importable by Debian's python3, installing python3-sklearn once when we are root. */
function ensureSklearn() {
  const probe = () => spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} is missing (apt-get install python3-sklearn)` };
  if (probe()) return { ok: true };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'python3-sklearn is not installed and installing it needs root: sudo apt-get install python3-sklearn' };
  process.stderr.write('installing python3-sklearn for the baseline ...\n');
  const install = spawnSync('sh', ['-c', 'apt-get install -y python3-sklearn || (apt-get update && apt-get install -y python3-sklearn)'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  });
  if (install.status !== 0 || !probe()) return { ok: false, reason: `apt-get install python3-sklearn failed: ${(install.stderr || '').trim().split('\n').pop()}` };
  return { ok: true };
}

/** Accuracy and macro F1 of detections.csv's predicted_class, ROC AUC of its score (attack vs normal), against the test labels. */
function detectionQuality(testCsv, detectionsCsv, classificationReport, rocAuc) {
  const truth = lastColumn(testCsv);
  const det = readFileSync(detectionsCsv, 'utf8').split('\n');
  const head = det[0].split(',');
  const scoreAt = head.indexOf('score');
  const classAt = head.indexOf('predicted_class');
  const classes = [...new Set(truth)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = new Int32Array(truth.length);
  const predicted = new Int32Array(truth.length);
  const score = new Float64Array(truth.length);
  const attack = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) {
    const cells = det[i + 1].split(',');
    y[i] = index.get(truth[i]);
    predicted[i] = index.get(cells[classAt]) ?? -1;
    score[i] = Number(cells[scoreAt]);
    attack[i] = truth[i] !== 'normal' ? 1 : 0;
  }
  const report = classificationReport(y, predicted, classes.length);
  return { accuracy: report.accuracy, macroF1: report.macroF1, rocAuc: rocAuc(attack, score) };
}

function lastColumn(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out = [];
  for (let i = 1; i < lines.length; i++) if (lines[i]) out.push(lines[i].slice(lines[i].lastIndexOf(',') + 1));
  return out;
}

/** Writes the CSV once (through a temp name), then reuses it. */
function makeCsv(path, rows, generate) {
  if (existsSync(path)) return path;
  process.stderr.write(`making ${path} (${rows.toLocaleString('en-US')} rows) ...\n`);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let chunk = '';
  for (const line of generate()) {
    chunk += line;
    if (chunk.length > 1 << 22) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  renameSync(tmp, path);
  return path;
}

/** Feature values rounded to 4 decimals, as a CSV cell. */
const cell = (v) => String(Math.round(v * 1e4) / 1e4);

/** Lines of a features CSV: the header, then rows whose signal columns come from `values(row) -> number[]`. */
function* csvLines({ FLOW_COLUMNS, featureNames }, signal, rows, values, label) {
  const names = FLOW_COLUMNS.map((c) => c.name);
  yield `${names.join(',')},label\n`;
  const signalAt = new Map(signal.map((name, k) => [name, k]));
  const isFeature = new Set(featureNames);
  const fixed = { ip_version: '4', ip_proto: '6', protocol: 'tcp', icmp_type: '-1', icmp_code: '-1', client_from: 'syn', conn_state: 'SF', history: 'ShADadFf', end_reason: 'fin', vlan_id: '0' };
  for (let r = 0; r < rows; r++) {
    const v = values(r);
    const cells = names.map((name) => {
      const k = signalAt.get(name);
      if (k !== undefined) return cell(v[k]);
      if (fixed[name] !== undefined) return fixed[name];
      switch (name) {
        case 'flow_id':
          return String(r + 1);
        case 'start_time_s':
          return (1700000000 + r / 100).toFixed(9);
        case 'end_time_s':
          return (1700000000.5 + r / 100).toFixed(9);
        case 'src_addr':
          return `10.${(r >> 16) & 255}.${(r >> 8) & 255}.${r & 255}`;
        case 'dst_addr':
          return `192.168.${(r >> 8) & 15}.${r & 255}`;
        case 'src_port':
          return String(1024 + (r % 60000));
        case 'dst_port':
          return String([443, 80, 53, 22][r & 3]);
        default:
          return isFeature.has(name) ? '0' : '';
      }
    });
    yield `${cells.join(',')},${label(r)}\n`;
  }
}

/**
 * Isolation Forest data: ordinary rows from four Gaussian clusters (like four kinds of traffic) with unequal
 * spreads; 1% anomalies drawn around the same centres with three times the spread, so some of them hide
 * inside the clusters and the ROC AUC stays below 1.
 */
function isolationRows(gen, signal, rows, seed) {
  const rng = new gen.SeededRandom(seed);
  const F = signal.length;
  const weights = [0.4, 0.3, 0.2, 0.1];
  const centre = weights.map(() => Array.from({ length: F }, () => (rng.next() - 0.5) * 6));
  const spread = weights.map(() => Array.from({ length: F }, () => 0.5 + rng.next()));
  const anomaly = (r) => r % 100 === 37;
  const values = (r) => {
    let u = rng.next();
    let c = 0;
    while (c < weights.length - 1 && u >= weights[c]) u -= weights[c++];
    const wide = anomaly(r) ? 3 : 1;
    return centre[c].map((m, k) => m + wide * spread[c][k] * rng.normal());
  };
  return csvLines(gen, signal, rows, values, (r) => (anomaly(r) ? 'anomaly' : 'normal'));
}

/**
 * Random Forest data, shaped like labelled flows: 85% normal from four clusters; dos, scan and bruteforce
 * (8%, 5%, 2%) each a cluster that differs from one normal cluster on a quarter of the features; unit
 * noise everywhere and 0.5% of the labels flipped to normal, so neither library can be perfect.
 */
function classRows(gen, signal, rows, seed) {
  const structure = new gen.SeededRandom(7); // the same classes in the train and the test file
  const F = signal.length;
  const normalCentres = Array.from({ length: 4 }, () => Array.from({ length: F }, () => structure.normal() * 2));
  const attacks = ['dos', 'scan', 'bruteforce'].map((name, i) => {
    const base = normalCentres[i];
    const centre = base.map((m) => (structure.next() < 0.25 ? m + (structure.next() < 0.5 ? -1 : 1) * (1 + 1.5 * structure.next()) : m));
    return { name, centre };
  });
  const prior = [0.85, 0.08, 0.05, 0.02];
  const rng = new gen.SeededRandom(seed);
  const labels = new Array(rows);
  const values = (r) => {
    let u = rng.next();
    let c = 0;
    while (c < prior.length - 1 && u >= prior[c]) u -= prior[c++];
    const centre = c === 0 ? normalCentres[Math.floor(rng.next() * 4)] : attacks[c - 1].centre;
    labels[r] = c === 0 || rng.next() < 0.005 ? 'normal' : attacks[c - 1].name;
    return centre.map((m) => m + rng.normal());
  };
  return csvLines(gen, signal, rows, values, (r) => labels[r]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const result = await mlSuite({ dataDir: 'bench/data' });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
