// `npm run bench`: makes (or reuses) the benchmark captures, runs every suite side by side with its peers,
// prints a Markdown table and writes bench/results/*.json and bench/RESULTS.md. Figures, never assertions.
// `node bench/run.js detection` (or any list of suites) runs only those; RESULTS.md keeps the other suites'
// sections from their last results in bench/results. --quick: shorter inputs where a suite has them;
// --fresh-lab: new lab captures for the detection suite (which needs root: sudo node bench/run.js detection).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { captureSuite } from './capture-suite.js';
import { detectionMarkdown, detectionSuite } from './detection-suite.js';
import { extractSuite } from './extract-suite.js';
import { mlSuite } from './ml-suite.js';

const dataDir = 'bench/data';
const resultsDir = 'bench/results';
mkdirSync(dataDir, { recursive: true });
mkdirSync(resultsDir, { recursive: true });

/** A synthetic office capture of about `rounds` x 1,800 packets, ~440 bytes each (seeded: every run measures the same bytes). */
function capture(name, rounds) {
  const path = join(dataDir, `${name}.pcap`);
  const countPath = `${path}.packets`;
  if (!existsSync(path) || !existsSync(countPath)) {
    process.stderr.write(`making ${path} ...\n`);
    const run = spawnSync('node', ['dist/tools/make-capture.js', path, '--rounds', String(rounds), '--clients', '200', '--sessions', '0.5', '--max-response', '12000', '--seed', '11'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    writeFileSync(countPath, /wrote (\d+) packets/.exec(run.stderr)[1]);
  }
  return { path, packets: Number(spawnSync('cat', [countPath], { encoding: 'utf8' }).stdout) };
}

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const suites = [];
if (only.length === 0 || only.includes('capture')) {
  const captures = [capture('office-1x', 560), capture('office-2x', 1120)];
  process.stderr.write('suite capture ...\n');
  suites.push(await captureSuite({ dataDir, captures, quick: process.argv.includes('--quick') }));
}

if (only.length === 0 || only.includes('extract')) {
  process.stderr.write('suite extract ...\n');
  suites.push(await extractSuite({ dataDir, quick: process.argv.includes('--quick') }));
}

if (only.length === 0 || only.includes('ml')) {
  process.stderr.write('suite ml ...\n');
  suites.push(await mlSuite({ dataDir }));
}

if (only.length === 0 || only.includes('detection')) {
  process.stderr.write('suite detection ...\n');
  suites.push(await detectionSuite({ dataDir, quick: process.argv.includes('--quick'), freshLab: process.argv.includes('--fresh-lab') }));
}

// a suite skipped as a whole (the detection suite without root) keeps its last results and section
const skippedWithFigures = (s) => s.skipped && existsSync(join(resultsDir, `${s.suite}.json`));
for (const s of suites) {
  if (skippedWithFigures(s)) process.stderr.write(`suite ${s.suite} skipped (${s.skipped}): its last figures stay in bench/RESULTS.md\n`);
  else writeFileSync(join(resultsDir, `${s.suite}.json`), JSON.stringify(s, null, 2));
}

/** The sections of the RESULTS.md there is, by suite ("## capture: ..." up to the next "## "), in their order. */
function existingSections() {
  const sections = new Map();
  if (!existsSync('bench/RESULTS.md')) return sections;
  for (const part of readFileSync('bench/RESULTS.md', 'utf8').split(/^(?=## )/m)) {
    const m = /^## (\w+):/.exec(part);
    if (m) sections.set(m[1], part.trimEnd().split('\n'));
  }
  return sections;
}

/** One suite's section of RESULTS.md. */
function render(s) {
  const lines = [];
  if (s.suite === 'detection') {
    lines.push(...detectionMarkdown(s));
  } else if (s.suite === 'ml') {
    const { iforest, randomForest } = s.input;
    lines.push(`## ml: Isolation Forest on ${iforest.rows.toLocaleString('en-US')} rows, Random Forest on ${randomForest.rows.toLocaleString('en-US')} rows x ${randomForest.signalFeatures} signal features, ${randomForest.trees} trees`, '');
    lines.push('| tool | seconds | rows/s | fit s | ROC AUC | accuracy | macro F1 | peak RSS (MB) |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    const f = (v, d = 4) => (typeof v === 'number' ? v.toFixed(d) : '');
    for (const r of s.rows) {
      if (r.skipped) lines.push(`| ${r.name} | skipped: ${r.skipped} | | | | | | |`);
      else lines.push(`| ${r.name} | ${f(r.seconds, 2)} | ${r.rowsPerSecond ? Math.round(r.rowsPerSecond).toLocaleString('en-US') : ''} | ${f(r.fitSeconds, 2)} | ${f(r.rocAuc)} | ${f(r.accuracy)} | ${f(r.macroF1)} | ${f(r.peakRssMb, 0)} |`);
    }
  } else {
    const inputs = s.inputs ?? [s.input];
    lines.push(`## ${s.suite}: ${inputs.map((i) => `${i.path} (${i.packets.toLocaleString('en-US')} packets, ${(i.bytes / 1e6).toFixed(0)} MB)`).join(', ')}`, '');
    lines.push('| tool | seconds | packets/s | peak RSS (MB) |', '|---|---:|---:|---:|');
    for (const r of s.rows) {
      if (r.skipped) lines.push(`| ${r.name} | skipped: ${r.skipped} | | |`);
      else lines.push(`| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(r.packetsPerSecond).toLocaleString('en-US')} | ${r.peakRssMb.toFixed(0)} |`);
    }
  }
  lines.push('');
  for (const [k, v] of Object.entries(s.ratios)) lines.push(`- ${k}: ${typeof v === 'number' ? v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 5 : 2) : 'n/a'}`);
  for (const [k, v] of Object.entries(s.targets)) lines.push(`- target ${k}: ${v === true ? 'met' : v === false ? 'NOT met' : v}`);
  return lines;
}

// suites not run this time keep their section as it is in RESULTS.md (or, when it has none, as their last
// results in bench/results say), so that `node bench/run.js detection` does not drop the other figures
const kept = existingSections();
const order = [...new Set([...kept.keys(), 'capture', 'extract', 'ml', 'detection', ...suites.map((s) => s.suite)])];
const lines = ['# netml benchmark results', '', `Machine: ${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)} (sections not re-run keep their figures). Re-run with \`npm run bench\`.`, ''];
for (const name of order) {
  const ran = suites.find((s) => s.suite === name && !(skippedWithFigures(s) && kept.has(name)));
  const saved = join(resultsDir, `${name}.json`);
  const section = ran ? render(ran) : (kept.get(name) ?? (existsSync(saved) ? render(JSON.parse(readFileSync(saved, 'utf8'))) : null));
  if (section) lines.push(...section, '');
}
const md = lines.join('\n');
writeFileSync('bench/RESULTS.md', md + '\n');
process.stdout.write(md + '\n');
