// A chart as data, before it is drawn: the terminal renderer (chart-text-render.ts) and the SVG one
// (chart-svg-render.ts) draw the same models, so `--svg` pictures always match the text.

import type { AnsiColour } from './chart-text.js';

/** One line chart panel over time bins; the renderer groups bins into as many columns as it has. */
export interface LinePanel {
  title: string;
  bins: ArrayLike<number>;
  binWidth: number;
  /** start of the first bin (epoch seconds, or a row number for the row axis) */
  start: number;
  /** 'rate': sum / column width (bytes/s); 'max': the largest value (scores), NaN where empty */
  fold: 'rate' | 'max';
  min?: number;
  max?: number;
  /** horizontal reference lines (the threshold) */
  markers?: number[];
  /** y-axis labels: compact SI numbers, or scores with two decimals */
  labels: 'compact' | 'score';
  height: number;
  colour: AnsiColour;
}

export interface LinesModel {
  kind: 'lines';
  title: string;
  /** sentences before the panels */
  notes: string[];
  /** what the columns hold, given the resolution as text ("one column = 2 s", "1 s = 3 columns") */
  columnNote: (resolution: string) => string;
  axis: 'time' | 'row';
  /** last x value of the data (for the row axis' end label) */
  lastX: number;
  panels: LinePanel[];
}

export interface BarsModel {
  kind: 'bars';
  title: string;
  rows: { label: string; value: number; colour?: AnsiColour }[];
  /** the whole the shares are taken of */
  total: number;
  colour: AnsiColour;
  notes: string[];
}

export interface TableModel {
  kind: 'table';
  title: string;
  head: string[];
  rows: string[][];
  /** one letter per column, l or r */
  align: string;
  /** columns that may be shortened in the middle to fit */
  flexible: number[];
  /** columns left out, in this order, on a terminal too narrow for all of them */
  optional?: number[];
  notes: string[];
}

/** A chart with nothing to draw: its title and why. */
export interface MessageModel {
  kind: 'message';
  title: string;
  notes: string[];
}

export type ChartModel = LinesModel | BarsModel | TableModel | MessageModel;

export interface ChartOptions {
  /** characters per line; every line of the output fits in it */
  width: number;
  colour: boolean;
  /** rows of the tables and bar lists (default 10) */
  top?: number;
}
