// Every chart of `netml visualize` on fixed input against golden text at 80 and 200 columns, without colour
// (UPDATE_GOLDEN=1 rewrites the files after a reviewed change), plus the properties every chart keeps at
// any width: no line wider than asked, no ANSI codes without colour, and no crash on empty input.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTION_CHART_NAMES, detectionChart, type DetectionChartName } from '../../src/viz/detection-charts.js';
import { DetectionSummaryBuilder } from '../../src/viz/detection-summary.js';
import { renderSvg } from '../../src/viz/render-svg.js';
import { renderText } from '../../src/viz/render-text.js';
import { PACKET_CHART_NAMES, packetChart, type PacketChartName } from '../../src/viz/traffic-charts.js';
import { TrafficSummaryBuilder } from '../../src/viz/traffic-summary.js';
import { detectionSummary, trafficSummary } from './fixtures.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const ANSI_CODE = /\x1b\[/;

function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, `${text}\n`);
  }
  expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(`${text}\n`).toBe(readFileSync(path, 'utf8'));
}

function expectFits(text: string, width: number): void {
  for (const line of text.split('\n')) expect(line.length, `"${line}" is wider than ${width}`).toBeLessThanOrEqual(width);
}

const traffic = trafficSummary();
const iforest = detectionSummary('iforest');
const rf = detectionSummary('rf');

describe.each([80, 200])('at %i columns without colour', (width) => {
  it.each([...PACKET_CHART_NAMES])('the %s chart of the office capture matches its golden file', (name: PacketChartName) => {
    const text = renderText(packetChart(name, traffic), { width, colour: false });
    expectFits(text, width);
    expect(text).not.toMatch(ANSI_CODE);
    expectGolden(`${name}-${width}`, text);
  });

  it.each([...DETECTION_CHART_NAMES])('the %s chart of isolation-forest detections matches its golden file', (name: DetectionChartName) => {
    const text = renderText(detectionChart(name, iforest), { width, colour: false });
    expectFits(text, width);
    expect(text).not.toMatch(ANSI_CODE);
    expectGolden(`${name}-iforest-${width}`, text);
  });

  it.each(['scores', 'classes', 'suspicious'] as const)('the %s chart of random-forest detections matches its golden file', (name) => {
    const text = renderText(detectionChart(name, rf), { width, colour: false });
    expectFits(text, width);
    expectGolden(`${name}-rf-${width}`, text);
  });
});

describe('charts', () => {
  it('fit every width from 40 to 240 columns', () => {
    for (let width = 40; width <= 240; width += 7) {
      for (const name of PACKET_CHART_NAMES) expectFits(renderText(packetChart(name, traffic), { width, colour: false }), width);
      for (const name of DETECTION_CHART_NAMES) expectFits(renderText(detectionChart(name, rf), { width, colour: false }), width);
    }
  });

  it('are coloured only when asked, and the colour codes take no width', () => {
    const plain = renderText(packetChart('traffic', traffic), { width: 80, colour: false });
    const coloured = renderText(packetChart('traffic', traffic), { width: 80, colour: true });
    expect(coloured).toMatch(ANSI_CODE);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
    const table = renderText(packetChart('talkers', traffic), { width: 80, colour: true });
    expect(table.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderText(packetChart('talkers', traffic), { width: 80, colour: false }));
  });

  it('say sent and received relative to the local network, and the totals add up', () => {
    const text = renderText(packetChart('traffic', traffic), { width: 80, colour: false });
    expect(text).toContain('Local: 192.168.1.0/24 (--local)');
    expect(traffic.sentBytes + traffic.receivedBytes).toBeLessThan(traffic.bytes); // LAN-internal GRE, ARP and IPv6 are neither
    const bins = traffic.bins;
    const sum = (c: number) => bins.values(c).reduce((a, b) => a + b, 0);
    expect(sum(1)).toBe(traffic.bytes);
    expect(sum(2)).toBe(traffic.sentBytes);
    expect(sum(3)).toBe(traffic.receivedBytes);
  });

  it('draw the threshold of an isolation forest as a dashed line, and none for a random forest', () => {
    expect(renderText(detectionChart('scores', iforest), { width: 80, colour: false })).toContain('╌');
    expect(renderText(detectionChart('scores', rf), { width: 80, colour: false })).not.toContain('╌');
  });

  it('show the predicted classes only for a random forest', () => {
    expect(renderText(detectionChart('classes', iforest), { width: 80, colour: false })).toContain('only a random forest');
    expect(renderText(detectionChart('suspicious', rf), { width: 80, colour: false })).toContain('portscan');
  });
});

describe('charts of empty input', () => {
  const emptyTraffic = new TrafficSummaryBuilder(null).finish();
  const emptyDetections = new DetectionSummaryBuilder({ has: { id: true, time: true, addresses: true, ports: true, classes: false } }).finish();

  it.each([...PACKET_CHART_NAMES])('%s draws without throwing', (name) => {
    const text = renderText(packetChart(name, emptyTraffic), { width: 80, colour: false });
    expectFits(text, 80);
    expect(renderSvg(packetChart(name, emptyTraffic))).toMatch(/^<svg/);
  });

  it.each([...DETECTION_CHART_NAMES])('%s draws without throwing', (name) => {
    expectFits(renderText(detectionChart(name, emptyDetections), { width: 80, colour: false }), 80);
    expect(renderSvg(detectionChart(name, emptyDetections))).toMatch(/^<svg/);
  });

  it('traffic says there is no data', () => {
    expectGolden('traffic-empty-80', renderText(packetChart('traffic', emptyTraffic), { width: 80, colour: false }));
  });
});

describe('SVG', () => {
  it.each([...PACKET_CHART_NAMES])('%s is one well-formed svg element with the same title as the text', (name) => {
    const model = packetChart(name, traffic);
    const svg = renderSvg(model);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain(`>${model.title}</text>`);
    expect(svg).not.toMatch(/NaN|undefined|\x1b/);
  });

  it('draws the threshold and escapes text', () => {
    const svg = renderSvg(detectionChart('scores', iforest));
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('threshold 0.6200');
    expect(renderSvg({ kind: 'message', title: 'a <b> & "c"', notes: [] })).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
  });
});
