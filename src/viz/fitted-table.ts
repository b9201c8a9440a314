// A cli-table3 table that never exceeds a width: when the cells are too wide, optional columns are left out
// first, then the flexible columns (addresses, endpoints) are shortened in the middle, widest first, so both
// ends of an address stay readable; on a very narrow terminal every column finally gives way.

import Table from 'cli-table3';
import { truncateMiddle } from './chart-text.js';

export interface FittedTableOptions {
  width: number;
  colour: boolean;
  /** one letter per column, l or r (default: first column left, the others right) */
  align?: string;
  /** indices of the columns that may be shortened (default: every left-aligned column) */
  flexible?: readonly number[];
  /** indices of columns left out, in this order, when the table cannot fit otherwise */
  optional?: readonly number[];
  /** narrowest a flexible column gets (default 8) */
  minFlexible?: number;
}

/** Columns narrower than this are useless; below it optional columns are dropped instead. */
const NARROWEST = 3;

export function fittedTable(head: readonly string[], rows: readonly (readonly (string | number)[])[], options: FittedTableOptions): string {
  const alignOf = (i: number) => ((options.align ? options.align[i] === 'r' : i > 0) ? 'right' : 'left');
  const cells = rows.map((r) => r.map((c) => String(c)));
  const natural = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const flexible = options.flexible ?? head.map((_, i) => i).filter((i) => alignOf(i) === 'left');
  const minFlexible = options.minFlexible ?? 8;
  const dropOrder = [...(options.optional ?? [])];
  let kept = head.map((_, i) => i);
  let widths: number[];
  for (;;) {
    widths = natural.slice();
    // cli-table3: one space of padding each side of every cell and one border character between and around them
    const budget = options.width - 3 * kept.length - 1;
    let excess = kept.reduce((s, i) => s + widths[i], 0) - budget;
    // a shortened address is a lost address: leave out an optional column first while there is one
    if (excess > 0 && dropOrder.length > 0) {
      const drop = dropOrder.shift()!;
      kept = kept.filter((i) => i !== drop);
      continue;
    }
    excess = shrink(widths, kept.filter((i) => flexible.includes(i)), (i) => Math.max(minFlexible, head[i].length), excess);
    shrink(widths, kept, () => NARROWEST, excess);
    break;
  }
  const table = new Table({
    head: kept.map((i) => truncateMiddle(head[i], widths[i])),
    style: options.colour ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
    // no rule between body rows: ten rows take ten lines, not twenty
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: kept.map((i) => alignOf(i)),
  });
  for (const r of cells) table.push(kept.map((i) => truncateMiddle(r[i] ?? '', widths[i])));
  return table.toString();
}

/** Takes `excess` characters from `columns`, one at a time from the widest, none below floor(i); returns what is left. */
function shrink(widths: number[], columns: number[], floor: (i: number) => number, excess: number): number {
  while (excess > 0) {
    let widest = -1;
    for (const i of columns) if (widths[i] > floor(i) && (widest < 0 || widths[i] >= widths[widest])) widest = i;
    if (widest < 0) break;
    widths[widest]--;
    excess--;
  }
  return excess;
}
