// cli-table3 with colour only where it belongs: it emits ANSI codes when piped and ignores NO_COLOR,
// so styling is switched off unless the stream is a terminal and NO_COLOR is unset.

import Table from 'cli-table3';
import { wrapWords } from './chart-text.js';

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** The width a table may take on this stream: the terminal's, or none when it is not a terminal. */
export function tableWidth(stream: { isTTY?: boolean; columns?: number }): number | undefined {
  return stream.isTTY === true && stream.columns ? stream.columns : undefined;
}

/**
 * A two-column key/value table, e.g. a command's summary. With `width` (a terminal's), values wrap at word
 * boundaries so the box fits: a summary with a long path used to break its frame on an 80-column terminal.
 */
export function keyValueTable(rows: [string, string][], colour: boolean, width?: number): string {
  const style = colour ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  // cell width = text + one space of padding each side; the frame adds three border characters
  const keyWidth = Math.max(0, ...rows.map(([k]) => k.length)) + 2;
  const valueWidth = Math.max(0, ...rows.flatMap(([, v]) => v.split('\n').map((line) => line.length))) + 2;
  const table = new Table({ style });
  if (width === undefined || keyWidth + valueWidth + 3 <= width) {
    for (const [k, v] of rows) table.push({ [k]: v });
  } else {
    const textWidth = Math.max(MIN_VALUE_WIDTH, width - keyWidth - 3) - 2;
    for (const [k, v] of rows) table.push({ [k]: wrapText(v, textWidth) });
  }
  return table.toString();
}

const MIN_VALUE_WIDTH = 24;

/** Wraps each line at spaces to `width` characters; a longer word (a path) is cut, never shortened with an ellipsis. */
export function wrapText(text: string, width: number): string {
  const pieces = (word: string) => Array.from({ length: Math.max(1, Math.ceil(word.length / width)) }, (_, i) => word.slice(i * width, (i + 1) * width));
  return text
    .split('\n')
    .flatMap((line) => {
      const wrapped = wrapWords(line.split(' ').flatMap(pieces).join(' '), width);
      return wrapped.length > 0 ? wrapped : [''];
    })
    .join('\n');
}
