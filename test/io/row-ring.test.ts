// The ring that hands rows to the CSV writer thread: rows come out in order and unchanged, across
// wrap-arounds, and the end (finish or abort) is seen by the consumer; when the consumer lags, the producer
// formats rows itself and the file is the same.
import { describe, expect, it } from 'vitest';
import { CellFormat, FlowRowLayout } from '../../src/features/feature-group.js';
import type { RowSink } from '../../src/features/flow-feature-set.js';
import { FlowCsvWriter } from '../../src/io/flow-csv-writer.js';
import { createRowRing, RowRingConsumer, RowRingProducer } from '../../src/io/row-ring.js';
import { MemorySink } from '../flow/flow-harness.js';

const formats = [CellFormat.int, CellFormat.text, CellFormat.address, CellFormat.seconds];
const columnNames = ['n', 'label', 'address', 'seconds'];
const layout = new FlowRowLayout(formats);
const noLines = () => {
  throw new Error('a producer without a formatter sent a formatted line');
};
const label = (i: number) => new TextEncoder().encode(`row-${i}`);

/** Fills row i into any row sink (the ring's producer, or a writer that formats it at once). */
function produce(producer: RowSink, i: number): void {
  const row = producer.nextRow();
  row.numbers[0] = i;
  row.text(1, label(i));
  row.address(2, Uint32Array.of(0x0a000000 + i, 0, 0, 0), 0, false);
  row.numbers[3] = i * 1e9;
  producer.commit();
}

describe('row ring', () => {
  it('hands over every row in order and unchanged across many wrap-arounds', () => {
    const shared = createRowRing(layout, 8);
    const producer = new RowRingProducer(shared, layout);
    const consumer = new RowRingConsumer(shared, layout);
    const seen: string[] = [];
    const consume = (row: { numbers: Float64Array; textBytes: Uint8Array; words: Uint32Array }) => {
      const text = new TextDecoder().decode(row.textBytes.subarray(0, row.numbers[1]));
      seen.push(`${row.numbers[0]} ${text} ${row.words[0] - 0x0a000000} ${row.numbers[3] / 1e9}`);
    };
    for (let i = 0; i < 100; i++) {
      produce(producer, i);
      // the consumer catches up every 5 rows; the producer never needs to wait (8 slots)
      if (i % 5 === 4) {
        producer.publish();
        expect(consumer.takeRows(consume, noLines)).toBe('empty');
      }
    }
    producer.finish();
    expect(consumer.takeRows(consume, noLines)).toBe('done');
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `${i} row-${i} ${i} ${i}`));
  });

  it('tells the consumer to drop the file when the producer aborts', () => {
    const shared = createRowRing(layout, 4);
    const producer = new RowRingProducer(shared, layout);
    const consumer = new RowRingConsumer(shared, layout);
    produce(producer, 1);
    producer.publish();
    producer.abort();
    expect(consumer.takeRows(() => undefined, noLines)).toBe('aborted');
  });

  it('lets the producer see that the consumer failed', () => {
    const shared = createRowRing(layout, 4);
    const producer = new RowRingProducer(shared, layout);
    new RowRingConsumer(shared, layout).fail();
    expect(producer.consumerFailed).toBe(true);
    for (let i = 0; i < 4; i++) produce(producer, i);
    expect(() => producer.nextRow()).toThrow(/writer thread stopped/);
  });

  it('has the producer format rows while the consumer lags, and the file is the same as formatting every row there', () => {
    const shared = createRowRing(layout, 8);
    const producer = new RowRingProducer(shared, layout, { columnNames, formats });
    const consumer = new RowRingConsumer(shared, layout);
    const sink = new MemorySink();
    const writer = new FlowCsvWriter(sink, columnNames, formats);
    let lines = 0;
    let rows = 0;
    const take = () =>
      consumer.takeRows(
        (row) => {
          rows++;
          writer.writeRow(row);
        },
        (line, length) => {
          lines++;
          writer.appendLine(line, length);
        },
      );
    for (let i = 0; i < 100; i++) {
      produce(producer, i);
      // the consumer catches up only when the ring is full: the later rows of each round arrive formatted
      if (i % 8 === 7) {
        producer.publish();
        expect(take()).toBe('empty');
      }
    }
    producer.finish();
    expect(take()).toBe('done');
    expect(lines).toBeGreaterThan(20);
    expect(rows).toBeGreaterThan(20);
    const direct = new MemorySink();
    const alone = new FlowCsvWriter(direct, columnNames, formats);
    for (let i = 0; i < 100; i++) produce(alone, i);
    expect(sink.text()).toBe(direct.text());
    expect(sink.text().split('\n')[100]).toBe('99,row-99,10.0.0.99,99');
  });
});
