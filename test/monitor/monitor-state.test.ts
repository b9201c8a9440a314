// The pure half of `netml monitor`: per-interval figures (upload/download relative to the local addresses),
// the bounded history, the dashboard fitted to any terminal size, and the rows of the --log CSV.

import { describe, expect, it } from 'vitest';
import { intervalRow, MONITOR_LOG_COLUMNS, suspiciousRow } from '../../src/cli/monitor.js';
import { localNetworks } from '../../src/viz/local-addresses.js';
import { figuresLine, kbPerS, renderDashboard } from '../../src/viz/monitor-dashboard.js';
import { HISTORY, MonitorState, RECENT } from '../../src/viz/monitor-state.js';
import { splitCsvLine } from '../../src/cli/visualize.js';

const T0 = 1793520000;
const local = localNetworks(['10.0.0.1'], 'host');
const udp = (src: string, dst: string, wireBytes: number, t = T0) => ({ timeS: t, wireBytes, src, dst, protocol: 'udp', srcPort: 5000, dstPort: 6000 });

function busyState(): MonitorState {
  const s = new MonitorState(local, T0);
  for (let i = 0; i < 30; i++) {
    for (let k = 0; k < 10; k++) s.addPacket(udp('10.0.0.2', '10.0.0.1', 1042, T0 + i));
    for (let k = 0; k < 4; k++) s.addPacket(udp('10.0.0.1', '10.0.0.2', 542, T0 + i));
    s.addFlow({ timeS: T0 + i, protocol: 'udp', src: '10.0.0.2', dst: '10.0.0.1', srcPort: 5000, dstPort: 6000, packets: 14, score: 0.5 + i / 100, suspicious: i % 10 === 0, predictedClass: '' });
    s.closeInterval(T0 + i + 1, 2, i);
  }
  return s;
}

describe('MonitorState', () => {
  it('turns an interval into rates relative to the local addresses', () => {
    const s = new MonitorState(local, T0);
    s.addPacket(udp('10.0.0.2', '10.0.0.1', 1000));
    s.addPacket(udp('10.0.0.1', '10.0.0.2', 300));
    s.addPacket(udp('10.0.0.3', '10.0.0.2', 77)); // neither: not ours
    const f = s.closeInterval(T0 + 2, 2, 5);
    expect(f).toMatchObject({ uploadBytesPerS: 150, downloadBytesPerS: 500, packetsPerS: 1.5, packets: 3, bytes: 1377, totalPackets: 3, kernelDrops: 5 });
    expect(s.closeInterval(T0 + 3, 1, 5)).toMatchObject({ packets: 0, totalPackets: 3, uploadBytesPerS: 0 });
    expect(s.upload).toEqual([150, 0]);
    expect(s.topDestinations(5).map((d) => d.address)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('keeps a bounded history and the most recent packets and flows', () => {
    const s = new MonitorState(local, T0);
    for (let i = 0; i < HISTORY + 10; i++) {
      s.addPacket(udp('10.0.0.2', '10.0.0.1', i));
      s.closeInterval(T0 + i, 1, 0);
    }
    expect(s.download).toHaveLength(HISTORY);
    expect(s.download.at(-1)).toBe(HISTORY + 9);
    expect(s.recentPackets).toHaveLength(RECENT);
    expect(s.peakDownload).toBe(HISTORY + 9);
  });
});

describe('the dashboard', () => {
  it.each([
    [80, 24],
    [120, 40],
    [200, 60],
    [40, 15],
  ])('fits a %ix%i terminal, without colour codes when colour is off', (width, height) => {
    const lines = renderDashboard(busyState(), { width, height, colour: false, source: 'eth0', model: 'models/iforest.json', intervalS: 2, nowS: T0 + 31 });
    expect(lines.length).toBeLessThan(height);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    expect(lines.join('\n')).not.toMatch(/\x1b\[/);
  });

  it('shows the figures, the charts, the top destinations and the judged flows', () => {
    const text = renderDashboard(busyState(), { width: 120, height: 50, colour: false, source: "eth0, filter 'udp'", model: 'm.json', intervalS: 2, nowS: T0 + 31 }).join('\n');
    expect(text).toContain("netml monitor on eth0, filter 'udp', model m.json, 08:00:31 UTC, up 31.0 s");
    expect(text).toContain('upload 1.1 KB/s  download 5.2 KB/s');
    expect(text).toContain('flows judged 30: NORMAL 27, SUSPICIOUS 3');
    expect(text).toContain('download KB/s, last 1 min 0 s');
    expect(text).toMatch(/│ 10\.0\.0\.1 +│ +300 │/);
    expect(text).toMatch(/10\.0\.0\.2:5000 +│ 10\.0\.0\.1:6000 +│ +14 │ 0\.7900 │ NORMAL/);
  });

  it('lists recent packets without a model', () => {
    const text = renderDashboard(busyState(), { width: 100, height: 40, colour: false, source: 'eth0', intervalS: 1, nowS: T0 + 31 }).join('\n');
    expect(text).toContain('recent packets');
    expect(text).not.toContain('verdict');
  });

  it('says what it is waiting for before the first interval', () => {
    expect(figuresLine(undefined, false)).toBe('waiting for the first interval...');
    expect(kbPerS(104_200)).toBe('104 KB/s');
    expect(kbPerS(27_100)).toBe('27.1 KB/s');
  });
});

describe('the --log rows', () => {
  it('have one cell per column, interval rows and suspicious rows alike', () => {
    const s = busyState();
    const row = splitCsvLine(intervalRow(s.last!));
    expect(row).toHaveLength(MONITOR_LOG_COLUMNS.length);
    expect(row.slice(0, 3)).toEqual([(T0 + 30).toFixed(3), 'interval', '2.000']);
    const flow = splitCsvLine(suspiciousRow({ ...s.recentFlows[0], predictedClass: 'port,scan' }));
    expect(flow).toHaveLength(MONITOR_LOG_COLUMNS.length);
    expect(flow[1]).toBe('suspicious');
    expect(flow.at(-1)).toBe('port,scan');
  });
});
