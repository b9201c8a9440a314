// `npm run bench`: makes (or reuses) the benchmark captures, runs every suite side by side with its peers,
// prints a Markdown table and writes bench/results/*.json and bench/RESULTS.md. Figures, never assertions.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { captureSuite } from './capture-suite.js';
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
  suites.push(await captureSuite({ dataDir, captures }));
}

if (only.length === 0 || only.includes('extract')) {
  process.stderr.write('suite extract ...\n');
  suites.push(await extractSuite({ dataDir, quick: process.argv.includes('--quick') }));
}

if (only.length === 0 || only.includes('ml')) {
  process.stderr.write('suite ml ...\n');
  suites.push(await mlSuite({ dataDir }));
}

const lines = ['# netml benchmark results', '', `Machine: ${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Re-run with \`npm run bench\`.`, ''];
for (const s of suites) {
  writeFileSync(join(resultsDir, `${s.suite}.json`), JSON.stringify(s, null, 2));
  if (s.suite === 'ml') {
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
  lines.push('');
}
const md = lines.join('\n');
writeFileSync('bench/RESULTS.md', md + '\n');
process.stdout.write(md + '\n');
