// A table with a header row (per-class scores, confusion matrices, feature importances, top detections),
// on cli-table3 with colour only on a terminal, numbers right-aligned.

import Table from 'cli-table3';

/** `align` has one letter per column, l or r; by default the first column is left-aligned and the others right. */
export function gridTable(head: string[], rows: (string | number)[][], colour: boolean, align?: string): string {
  const table = new Table({
    head,
    style: colour ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
    colAligns: head.map((_, i) => ((align ? align[i] === 'r' : i > 0) ? 'right' : 'left')),
  });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return table.toString();
}

/** A bar of `width` cells for share 0..1, in eighths of a cell. */
export function bar(share: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  return '█'.repeat(full) + (partial > 0 ? ' ▏▎▍▌▋▊▉'[partial] : '');
}
