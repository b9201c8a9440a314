// cli-table3 with colour only where it belongs: it emits ANSI codes when piped and ignores NO_COLOR,
// so styling is switched off unless the stream is a terminal and NO_COLOR is unset.

import Table from 'cli-table3';

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** A two-column key/value table, e.g. a command's summary. */
export function keyValueTable(rows: [string, string][], colour: boolean): string {
  const table = new Table({ style: colour ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] } });
  for (const [k, v] of rows) table.push({ [k]: v });
  return table.toString();
}
