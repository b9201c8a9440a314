// The address table behind the host level and the packet level's per-source windows: finds what it holds,
// keeps IPv4 and IPv6 apart, orders by last touch, and survives any mix of inserts and removals.
import { describe, expect, it } from 'vitest';
import { AddressTable } from '../../src/flow/address-table.js';

const v4 = (a: number, b: number, c: number, d: number) => Uint8Array.of(a, b, c, d);

describe('AddressTable', () => {
  it('finds the addresses it holds and nothing else; IPv4 and IPv6 with the same leading bytes are different keys', () => {
    const t = new AddressTable(8);
    t.setKey(v4(10, 0, 0, 1), 0, false);
    expect(t.find()).toBe(-1);
    const a = t.insert(1);
    expect(t.find()).toBe(a);
    const six = new Uint8Array(16);
    six.set([10, 0, 0, 1]);
    t.setKey(six, 0, true);
    expect(t.find()).toBe(-1);
    const b = t.insert(2);
    expect(b).not.toBe(a);
    expect(t.isV6[b]).toBe(1);
    t.setKey(v4(10, 0, 0, 1), 0, false);
    expect(t.find()).toBe(a);
  });

  it('keeps least recently touched first', () => {
    const t = new AddressTable(4);
    const slots = [1, 2, 3].map((i) => {
      t.setKey(v4(10, 0, 0, i), 0, false);
      return t.insert(i);
    });
    expect(t.oldest()).toBe(slots[0]);
    t.touch(slots[0], 10);
    expect(t.oldest()).toBe(slots[1]);
    t.remove(slots[1]);
    expect(t.oldest()).toBe(slots[2]);
    expect(t.size).toBe(2);
  });

  it('stays consistent over 20,000 random inserts and removals (backward-shift deletion)', () => {
    const t = new AddressTable(64);
    const held = new Map<number, number>();
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let step = 0; step < 20_000; step++) {
      const id = Math.floor(rand() * 200);
      t.setKey(v4(192, 168, id >> 8, id & 255), 0, false);
      const slot = t.find();
      expect(slot, `step ${step}`).toBe(held.get(id) ?? -1);
      if (slot >= 0 && rand() < 0.5) {
        t.remove(slot);
        held.delete(id);
      } else if (slot < 0) {
        if (t.size === t.capacity) {
          const old = t.oldest();
          const victim = [...held].find(([, s]) => s === old)![0];
          t.remove(old);
          held.delete(victim);
          t.setKey(v4(192, 168, id >> 8, id & 255), 0, false);
        }
        held.set(id, t.insert(step));
      }
      expect(t.size).toBe(held.size);
    }
  });
});
