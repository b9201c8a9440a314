// --labels: rules from JSON or CSV become a label column; the first matching rule wins, `normal` otherwise.
import { describe, expect, it } from 'vitest';
import { parseAddressPattern } from '../../src/features/flow-labels.js';
import { FlowLabelGroup } from '../../src/features/flow-labels.js';
import { flowGroups } from '../../src/features/flow-feature-set.js';
import { parseLabelRules } from '../../src/io/label-rules.js';
import { FLOW_COLUMNS } from '../../src/schema/flow-columns.js';
import { ACK, byTime, CLIENT, CLIENT6, extractFlows, ping, PSH, SERVER, SERVER6, SYN, TcpTalk, udp } from '../flow/flow-harness.js';

function labelled(rulesText: string) {
  const rules = parseLabelRules(rulesText, 'rules');
  const frames = byTime(
    new TcpTalk(CLIENT, SERVER, 40000, 80).c(100, SYN).s(100.1, SYN | ACK).c(100.2, ACK).c(100.3, PSH | ACK, 10).frames,
    new TcpTalk(CLIENT, SERVER, 40001, 22).c(200, SYN).frames,
    udp(CLIENT, SERVER, 5353, 53, 20, 300),
    [ping(CLIENT, SERVER, false, 1, 1, 400)],
    new TcpTalk(CLIENT6, SERVER6, 40002, 443).c(500, SYN).frames,
  );
  const { rows, header, extraction } = extractFlows(frames, { groups: (t) => [...flowGroups(t), new FlowLabelGroup(t, rules)] });
  const byPort = Object.fromEntries(rows.map((r) => [`${r.protocol}:${r.dst_port}`, r.label]));
  return { byPort, header, counts: extraction.features.find(FlowLabelGroup)!.countsByClass() };
}

describe('label rules', () => {
  it('adds a label column after the schema columns, normal when no rule matches', () => {
    const { header, byPort } = labelled('[]');
    expect(header).toEqual([...FLOW_COLUMNS.map((c) => c.name), 'label']);
    expect(new Set(Object.values(byPort))).toEqual(new Set(['normal']));
  });

  it('matches by server port, protocol, CIDR and time window; the first matching rule wins', () => {
    const { byPort, counts } = labelled(
      JSON.stringify({
        rules: [
          { class: 'web', dst_port: 80, protocol: 'tcp' },
          { class: 'dns', protocol: 17, dst: '10.0.0.0/8' },
          { class: 'late', src: '192.168.1.0/24', start: 150, end: 250 },
          { class: 'icmp', protocol: 'icmp', start: '1970-01-01T00:06:00Z' },
          { class: 'v6', src: '2001:db8::/32' },
          { class: 'never', dst_port: 80 },
        ],
      }),
    );
    expect(byPort).toEqual({ 'tcp:80': 'web', 'tcp:22': 'late', 'udp:53': 'dns', 'icmp:1': 'icmp', 'tcp:443': 'v6' });
    expect(counts).toEqual({ web: 1, dns: 1, late: 1, icmp: 1, v6: 1, never: 0, normal: 0 });
  });

  it('reads the same rules from CSV, an empty cell meaning any', () => {
    const csv = 'class,src,dst,src_port,dst_port,protocol,start,end\nweb,,,,80,tcp,,\nscan-ish,192.168.1.10,,40001,,,,\n';
    expect(labelled(csv).byPort).toMatchObject({ 'tcp:80': 'web', 'tcp:22': 'scan-ish', 'udp:53': 'normal' });
  });

  it('reads a JSON rules file that starts with a byte-order mark', () => {
    expect(labelled('\ufeff[{"class": "web", "dst_port": 80}]').byPort['tcp:80']).toBe('web');
  });

  it('gives rows no rule matches the "default" class, after every rule', () => {
    const { byPort, counts } = labelled(JSON.stringify({ default: 'benign', rules: [{ class: 'web', dst_port: 80 }] }));
    expect(byPort).toMatchObject({ 'tcp:80': 'web', 'udp:53': 'benign', 'tcp:443': 'benign' });
    expect(counts.normal ?? 0).toBe(0);
  });

  it.each([
    ['{"default": "x", "rule": []}', 'unknown key "rule"'],
    ['  \n', 'the file is empty'],
    ['[{"class": "x", "dst_port": [443]}]', 'dst_port: expected a string or a number'],
    ['[{"class": "x", "dst_port": "0x50"}]', 'expected a port 0..65535'],
    ['[{"class": "x", "protocol": "8e1"}]', 'or a number 0..255'],
    ['[{"class": "x", "dst": "10.0.0.0/0x8"}]', 'prefix length must be 0..32'],
    ['{"default": 3, "rules": []}', '"default" must name the class'],
    ['[{"src": "10.0.0.1"}]', 'rule 1: "class" must name the class'],
    ['[{"class": "x", "dst": "10.0.0.300"}]', 'rule 1: dst: "10.0.0.300" is not an IPv4 address'],
    ['[{"class": "x", "dst": "10.0.0.0/33"}]', 'prefix length must be 0..32'],
    ['[{"class": "x", "dst_port": 70000}]', 'expected a port 0..65535'],
    ['[{"class": "x", "protocol": "tcpp"}]', 'expected tcp, udp'],
    ['[{"class": "x", "start": "yesterday"}]', 'ISO 8601'],
    ['[{"class": "x", "start": 10, "end": 5}]', 'end is before start'],
    ['[{"class": "x", "port": 80}]', 'unknown field "port"'],
    ['[{"class": "a,b"}]', 'may hold letters'],
    ['{"rules": 3}', 'expected an array of rules'],
    ['class,host\nx,1.2.3.4\n', 'unknown column "host"'],
  ])('rejects %s, saying where', (text, message) => {
    expect(() => parseLabelRules(text, 'rules.json')).toThrow(message);
  });

  it.each([
    ['10.1.2.3', false, 32],
    ['10.0.0.0/8', false, 8],
    ['::1', true, 128],
    ['2001:db8::/32', true, 32],
    ['fe80::1:2:3:4/64', true, 64],
  ])('parses the address pattern %s', (text, v6, prefix) => {
    expect(parseAddressPattern(text)).toMatchObject({ v6, prefix });
  });
});
