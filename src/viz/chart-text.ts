// Small text pieces every terminal chart shares: headings fitted to the width, compact axis numbers, clock
// labels in UTC (so golden files do not depend on the machine's time zone), ANSI colour only when asked for.

export const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
  grey: '\x1b[90m',
} as const;
export type AnsiColour = (typeof ANSI)[keyof typeof ANSI];

/** Wraps `text` in an ANSI colour, or returns it untouched when colour is off. */
export function paint(text: string, colour: AnsiColour | undefined, enabled: boolean): string {
  return enabled && colour !== undefined && text !== '' ? `${colour}${text}${ANSI.reset}` : text;
}

/** "── Title ─────" across the whole width; a title longer than the width is cut with an ellipsis. */
export function heading(title: string, width: number, colour: boolean): string {
  const text = truncateEnd(title, width - 4);
  const rule = '─'.repeat(Math.max(0, width - text.length - 4));
  return `${paint('──', ANSI.grey, colour)} ${paint(text, ANSI.bold, colour)} ${paint(rule, ANSI.grey, colour)}`.trimEnd();
}

/** Cuts a string to `max` characters, ending in "…" when it was longer. */
export function truncateEnd(text: string, max: number): string {
  if (max <= 0) return '';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Cuts a string to `max` characters keeping both ends, two thirds of them from the end: addresses share
 * their prefix within a network and differ at the host part and port ("[2001…1::10d]:64851").
 */
export function truncateMiddle(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max < 3) return text.slice(0, max);
  const head = Math.max(1, Math.floor((max - 1) / 3));
  const tail = max - 1 - head;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}

/** Splits `text` into lines of at most `width` characters at spaces (a longer word is cut). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = truncateEnd(word, width);
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = truncateEnd(word, width);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** Axis numbers in at most 6 characters: 0, 12.5, 950, 1.25k, 12.5M; three significant digits. */
export function compactNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  if (v === 0) return '0';
  if (v < 1) return sign + trimZeros(v.toFixed(v < 0.01 ? 4 : v < 0.1 ? 3 : 2));
  let u = 0;
  // rounding first decides the unit: 999.6 shows as 1.00k, not 1000
  while (u < SI.length - 1 && Number(v.toPrecision(3)) >= 1000) {
    v /= 1000;
    u++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${trimZeros(v.toFixed(digits))}${SI[u]}`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A score in 0..1 as a fixed 4-decimal figure. */
export function formatScore(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : '-';
}

/** A share 0..1 as "12.3%". */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '-';
  const p = share * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p < 0.05 ? '<0.1' : p.toFixed(1)}%`;
}

/** "2026-10-31 12:00:00 UTC" for an epoch time in seconds. */
export function utcDateTime(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '-';
  return `${new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "12:00:07" (UTC) for an epoch time in seconds. */
export function utcClock(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '-';
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(11, 19);
}

/** A duration for a "1 column = ..." legend: "250 ms", "1 s", "2.5 s", "4 min", "2 h". */
export function formatSpan(seconds: number): string {
  if (seconds < 1) return `${Number((seconds * 1000).toPrecision(3))} ms`;
  if (seconds < 120) return `${Number(seconds.toPrecision(3))} s`;
  if (seconds < 7200) return `${Number((seconds / 60).toPrecision(3))} min`;
  return `${Number((seconds / 3600).toPrecision(3))} h`;
}

/** Visible length of a string that may hold ANSI colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}
