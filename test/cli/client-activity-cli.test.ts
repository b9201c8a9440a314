// `netml train --features client-activity` and `netml detect` with such a model, end to end through
// main(argv): an Isolation Forest that learned only normal clients' activity flags a port scan (which the
// flow columns alone do not), the model records the derived set, and the options that cannot go together
// are refused, as is such a model in `netml monitor`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';
import { ExitCode } from '../../src/errors.js';
import { parseModel } from '../../src/ml/model-file.js';
import { CLIENT_ACTIVITY_COLUMNS, CLIENT_ACTIVITY_VERSION } from '../../src/schema/client-activity-columns.js';
import { officeAttackLabels } from '../../src/synth/office-traffic.js';

const START = 1_700_000_000;
const ROUNDS = 40;

/** A labelled flow table of the synthetic office with its scan and flood. */
async function officeFeatures(dir: string): Promise<string> {
  const pcap = join(dir, 'office.pcap');
  writeTimedPcap(pcap, officeFrames({ seed: 11, startEpochS: START, rounds: ROUNDS, clients: 6, floodSynsPerRound: 100 }));
  const rules = join(dir, 'labels.json');
  writeFileSync(rules, JSON.stringify(officeAttackLabels({ startEpochS: START, rounds: ROUNDS, clients: 6 })));
  const features = join(dir, 'features.csv');
  expect((await runCli(['extract', '-i', pcap, '-o', features, '--labels', rules, '--quiet'])).code).toBe(0);
  return features;
}

describe('client-activity features', () => {
  it('an isolation forest of normal clients flags every scan flow, which the flow columns miss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-activity-'));
    const features = await officeFeatures(dir);
    const flagged = async (set: string) => {
      const model = join(dir, `${set}.json`);
      const trained = await runCli(['train', '--model', 'iforest', '--features', set, '--normal-only', '-i', features, '-o', model, '--report', join(dir, 'report.json'), '--quiet', '--threads', '1']);
      expect(trained.code).toBe(0);
      const out = join(dir, `${set}-detections.csv`);
      expect((await runCli(['detect', '-i', features, '-m', model, '-o', out, '--summary', join(dir, 'summary.json'), '--quiet', '--threads', '1'])).code).toBe(0);
      const labels = Papa.parse<Record<string, string>>(readFileSync(features, 'utf8'), { header: true, skipEmptyLines: true }).data.map((r) => r.label);
      const verdicts = Papa.parse<Record<string, string>>(readFileSync(out, 'utf8'), { header: true, skipEmptyLines: true }).data.map((r) => r.verdict);
      const share = (label: string) => {
        const rows = labels.flatMap((l, i) => (l === label ? [i] : []));
        return rows.filter((i) => verdicts[i] === 'SUSPICIOUS').length / rows.length;
      };
      return { model: parseModel(readFileSync(model, 'utf8'), model, ['flows/1']), portscan: share('portscan'), normal: share('normal') };
    };
    const activity = await flagged('client-activity');
    expect(activity.model.derivedFeatures).toBe(CLIENT_ACTIVITY_VERSION);
    expect(activity.model.featureNames).toEqual(CLIENT_ACTIVITY_COLUMNS.map((c) => c.name));
    expect(activity.portscan).toBe(1);
    expect(activity.normal).toBeLessThan(0.05);
    const flow = await flagged('flow');
    expect(flow.model.derivedFeatures).toBeNull();
    expect(flow.portscan).toBeLessThan(0.5);
    // monitor judges each flow as it ends; windows of a finished table are not there yet (refused before capturing)
    const monitor = await runCli(['monitor', '--model', join(dir, 'client-activity.json')]);
    expect(monitor.code).toBe(ExitCode.badData);
    expect(monitor.stderr).toMatch(new RegExp(`${CLIENT_ACTIVITY_VERSION} features`));
    expect(monitor.stderr).toMatch(/hint: for monitor, train with the flow columns/);
  });

  it('refuses --include-identifiers with a derived set, and an unknown set, with exit 64', async () => {
    const both = await runCli(['train', '--model', 'iforest', '--features', 'client-activity', '--include-identifiers', '-i', 'nowhere.csv']);
    expect(both.code).toBe(ExitCode.usage);
    expect(both.stderr).toMatch(/--include-identifiers/);
    const unknown = await runCli(['train', '--model', 'iforest', '--features', 'hosts', '-i', 'nowhere.csv']);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toMatch(/flow or client-activity/);
  });
});
