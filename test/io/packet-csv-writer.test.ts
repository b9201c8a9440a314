// packets.csv rows are written as raw bytes for speed; these tests prove the bytes say what the schema says.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { DecodeStatus, PacketMeta, TunnelKind } from '../../src/decode/packet-meta.js';
import { FileSink } from '../../src/io/file-sink.js';
import { PacketCsvWriter } from '../../src/io/packet-csv-writer.js';
import { PACKET_COLUMNS, PACKET_CSV_HEADER } from '../../src/schema/packet-columns.js';

function writeRows(fill: (meta: PacketMeta, write: (n: number, sec: number, nsec: number) => void) => void): Record<string, string>[] {
  const path = join(mkdtempSync(join(tmpdir(), 'netml-csv-')), 'packets.csv');
  const sink = new FileSink(path, { blockBytes: 2048 });
  const writer = new PacketCsvWriter(sink);
  const meta = new PacketMeta();
  fill(meta, (n, sec, nsec) => writer.writeRow(n, sec, nsec, 0, 100, 90, meta));
  sink.close();
  const text = readFileSync(path, 'utf8');
  expect(text.split('\n')[0]).toBe(PACKET_CSV_HEADER);
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  expect(parsed.meta.fields).toEqual(PACKET_COLUMNS.map((c) => c.name));
  return parsed.data;
}

/** bytes holding the given addresses back to back, with their offsets */
function addressBytes(...groups: number[][]): { bytes: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  const flat: number[] = [];
  for (const g of groups) {
    offsets.push(flat.length);
    flat.push(...g);
  }
  return { bytes: Uint8Array.from(flat), offsets };
}

describe('PacketCsvWriter', () => {
  it('writes every column of a TCP/IPv4 packet where the schema puts it', () => {
    const { bytes, offsets } = addressBytes([0x02, 0, 0x0a, 0, 0, 0x01], [0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa], [10, 0, 1, 200], [192, 168, 0, 255]);
    const [row] = writeRows((m, write) => {
      m.reset(bytes, 1);
      m.ethSrcOffset = offsets[0];
      m.ethDstOffset = offsets[1];
      m.etherType = 0x0800;
      m.vlanId = 100;
      m.ipVersion = 4;
      m.srcAddrOffset = offsets[2];
      m.dstAddrOffset = offsets[3];
      m.ipProto = 6;
      m.ttl = 64;
      m.ipLen = 52;
      m.ipDontFragment = 1;
      m.ipMoreFragments = 0;
      m.fragOffset = 0;
      m.srcPort = 40000;
      m.dstPort = 443;
      m.tcpFlags = 0x12;
      m.tcpSeq = 4294967295;
      m.tcpAck = 0;
      m.tcpWindow = 65535;
      m.tcpOptionsLen = 12;
      m.payloadLen = 0;
      write(1234567, 1700000000, 5);
    });
    expect(row).toMatchObject({
      packet_number: '1234567',
      time_epoch_s: '1700000000.000000005',
      interface_id: '0',
      wire_len_bytes: '100',
      cap_len_bytes: '90',
      link_type: '1',
      eth_src: '02:00:0a:00:00:01',
      eth_dst: 'ff:ee:dd:cc:bb:aa',
      ethertype: '2048',
      vlan_id: '100',
      vlan_inner_id: '',
      mpls_label: '',
      ip_version: '4',
      src_addr: '10.0.1.200',
      dst_addr: '192.168.0.255',
      ip_proto: '6',
      protocol: 'tcp',
      ttl: '64',
      ip_len_bytes: '52',
      ip_df: '1',
      ip_mf: '0',
      frag_offset_bytes: '0',
      src_port: '40000',
      dst_port: '443',
      tcp_flags: '18',
      tcp_seq: '4294967295',
      tcp_ack: '0',
      tcp_window: '65535',
      tcp_options_bytes: '12',
      payload_bytes: '0',
      icmp_type: '',
      arp_op: '',
      tunnel: '',
      tunnel_src: '',
      tunnel_dst: '',
      status: 'ok',
      status_detail: '',
    });
  });

  it.each([
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', new Array(16).fill(0)],
    ['::1', [...new Array(15).fill(0), 1]],
    ['fe80::', [0xfe, 0x80, ...new Array(14).fill(0)]],
    ['2001:db8:0:1:1:1:1:1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]],
    ['2001:0:0:1::1', [0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['ff02::1:ff00:abcd', [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0xab, 0xcd]],
    ['::ffff:192.0.2.1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]],
    ['1:203:405:607:809:a0b:c0d:e0f', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]],
  ])('writes IPv6 %s in RFC 5952 form', (text, addr) => {
    const { bytes, offsets } = addressBytes(addr as number[], addr as number[]);
    const [row] = writeRows((m, write) => {
      m.reset(bytes, 101);
      m.ipVersion = 6;
      m.srcAddrOffset = offsets[0];
      m.dstAddrOffset = offsets[1];
      write(1, 0, 0);
    });
    expect(row.src_addr).toBe(text);
    expect(row.dst_addr).toBe(text);
  });

  it('writes the outer tunnel addresses and a quoted status detail', () => {
    const { bytes, offsets } = addressBytes([10, 0, 0, 1], [10, 0, 0, 2], [1, 1, 1, 1], [2, 2, 2, 2]);
    const [row] = writeRows((m, write) => {
      m.reset(bytes, 1);
      m.ipVersion = 4;
      m.srcAddrOffset = offsets[0];
      m.dstAddrOffset = offsets[1];
      m.tunnel = TunnelKind.vxlan;
      m.tunnelIpVersion = 4;
      m.tunnelSrcOffset = offsets[2];
      m.tunnelDstOffset = offsets[3];
      m.flag(DecodeStatus.truncated, 'tcp: header needs 20 bytes, "12" captured');
      write(2, 1, 999999999);
    });
    expect(row).toMatchObject({
      time_epoch_s: '1.999999999',
      tunnel: 'vxlan',
      tunnel_src: '1.1.1.1',
      tunnel_dst: '2.2.2.2',
      src_addr: '10.0.0.1',
      status: 'truncated',
      status_detail: 'tcp: header needs 20 bytes, "12" captured',
    });
  });

  it('writes timestamps past 2038 and 2106 and packet numbers past 2^32 exactly', () => {
    const rows = writeRows((m, write) => {
      m.reset(new Uint8Array(0), 1);
      write(2 ** 40 + 7, 4294967296 + 12, 120);
      write(9007199254740991, 2147483648, 0);
    });
    expect(rows[0].packet_number).toBe('1099511627783');
    expect(rows[0].time_epoch_s).toBe('4294967308.000000120');
    expect(rows[1].packet_number).toBe('9007199254740991');
    expect(rows[1].time_epoch_s).toBe('2147483648.000000000');
  });

  it.each([0, 9, 10, 99, 100, 65535, 65536, 99999, 100000, 999999, 1000000, 2147483647, 2147483648, 4294967295, 99999999, 100000000])(
    'writes %i exactly as String() does',
    (n) => {
      const [row] = writeRows((m, write) => {
        m.reset(new Uint8Array(0), 1);
        m.tcpSeq = n;
        write(n + 1, n, 0);
      });
      expect(row.tcp_seq).toBe(String(n));
      expect(row.packet_number).toBe(String(n + 1));
      expect(row.time_epoch_s).toBe(`${n}.000000000`);
    },
  );

  it('leaves absent fields empty, never zero', () => {
    const [row] = writeRows((m, write) => {
      m.reset(new Uint8Array(0), 1);
      write(1, 0, 0);
    });
    for (const name of ['ethertype', 'ip_version', 'src_addr', 'ip_proto', 'ttl', 'src_port', 'tcp_flags', 'icmp_type']) {
      expect(row[name], name).toBe('');
    }
  });
});
