// One self-overwriting line on stderr for progress and live status; silent when stderr is not a terminal
// or --quiet, so logs and pipes stay clean.

export class StatusLine {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** false when stderr is not a terminal or --quiet: callers skip building the text */
  readonly enabled: boolean;
  private shown = false;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, quiet: boolean) {
    this.stream = stream;
    this.enabled = !quiet && stream.isTTY === true;
  }

  update(text: string): void {
    if (!this.enabled) return;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r${text.length > width ? text.slice(0, width) : text}\x1b[K`);
    this.shown = true;
  }

  clear(): void {
    if (this.enabled && this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
