// The main thread's end of one of extract's worker threads (the CSV writer, the flow feature thread):
// starts it on a compiled module next to this one and queues the messages it reports, so the owner can
// await them in order. A thread that dies or exits unexpectedly reports as an error message.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NetmlError } from '../errors.js';

/** the young generation of each thread's heap (see the constructor) */
const YOUNG_GENERATION_MB = 2;
/** how long stopAfterAbort() waits for the thread's last report before ending it anyway */
const STOP_WAIT_MS = 5000;

/** What every thread reports on failure; the rest of its messages are its own. */
export interface ThreadError {
  type: 'error';
  message: string;
  hint?: string;
  exitCode?: number;
}

/** An exception caught on a thread as the message that reports it (a NetmlError keeps its hint and exit code). */
export function threadError(err: unknown): ThreadError {
  const e = err as Error;
  return {
    type: 'error',
    message: e?.message ?? String(err),
    hint: err instanceof NetmlError ? err.hint : undefined,
    exitCode: err instanceof NetmlError ? err.exitCode : undefined,
  };
}

/**
 * The thread needs its compiled .js next to this module; under the test runner the sources are TypeScript,
 * and extract then does the thread's work itself.
 */
export function threadModuleAvailable(url: URL): boolean {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url));
}

export class WorkerChannel<M extends { type: string }> {
  private readonly worker: Worker;
  private readonly messages: (M | ThreadError)[] = [];
  private waiting: (() => void) | undefined;
  private exited = false;

  constructor(url: URL, workerData: unknown, name: string) {
    // execArgv: the thread needs none of the flags the CLI was started with (some, like --input-type, break
    // it). The threads allocate almost nothing per row or packet: a small young generation saves ~5 MB each
    // of extract's 256 MB.
    this.worker = new Worker(url, { workerData, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: M | ThreadError) => this.deliver(m));
    this.worker.on('error', (err) => this.deliver({ type: 'error', message: err.message }));
    this.worker.on('exit', () => {
      this.exited = true;
      this.deliver({ type: 'error', message: `the ${name} exited early` });
    });
  }

  /** The next message, in the order the thread sent them. */
  async next(): Promise<M | ThreadError> {
    while (this.messages.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
    return this.messages.shift()!;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /**
   * Ends a thread whose ring the owner has just aborted: waits (at most STOP_WAIT_MS) for the thread to
   * report that it stopped (its first message that is not its start-up 'ready'), then terminates it.
   */
  async stopAfterAbort(): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => void this.terminate(), STOP_WAIT_MS);
    let m = await this.next();
    while (m.type === 'ready') m = await this.next();
    clearTimeout(timer);
    await this.terminate();
  }

  private deliver(m: M | ThreadError): void {
    this.messages.push(m);
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.();
  }
}
