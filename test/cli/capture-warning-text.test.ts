// The one line every command prints for damage in a capture file.
import { describe, expect, it } from 'vitest';
import { captureWarningText } from '../../src/cli/capture-warning-text.js';

describe('capture warning text', () => {
  it('says where the damage is and how many packets before it were kept', () => {
    expect(captureWarningText('a.pcap', { packetNumber: 1235, byteOffset: 99, message: 'the file ends inside a record' })).toBe(
      'netml: warning: a.pcap: the file ends inside a record (packet 1235, byte 99); the 1,234 packets before it were kept',
    );
    expect(captureWarningText('a.pcap', { packetNumber: 2, byteOffset: 40, message: 'x' })).toMatch(/; the 1 packet before it was kept$/);
    expect(captureWarningText('a.pcap', { packetNumber: 1, byteOffset: 24, message: 'x' })).toMatch(/; the 0 packets before it were kept$/);
  });

  it('gives no position for a warning about the whole file', () => {
    expect(captureWarningText('a.pcap', { packetNumber: 0, byteOffset: 24, message: 'the file holds no packets, only its header' })).toBe(
      'netml: warning: a.pcap: the file holds no packets, only its header',
    );
  });
});
