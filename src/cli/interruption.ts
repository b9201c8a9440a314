// Ctrl+C (SIGINT) and SIGTERM while a command works: instead of dying mid-write, the command sees
// `interrupted`, finishes or drops what it holds, and exits 130. Listening starts with the object and ends
// with release() (in a finally), so a command run in-process (tests) leaves no listener behind.

import { removePendingTempFiles } from '../io/file-sink.js';

export class Interruption {
  interrupted = false;
  private readonly onSignal: () => void;

  /**
   * @param options.then  also called at the signal (stop a live capture, cancel probes)
   * @param options.once  the first signal only: a second Ctrl+C ends the process at once, with exit code 130,
   *                      after removing the temporary files of outputs not yet complete (a run that reads a file
   *                      ends soon anyway; live runs keep listening)
   */
  constructor(options: { then?: () => void; once?: boolean } = {}) {
    this.onSignal = () => {
      if (options.once && this.interrupted) {
        removePendingTempFiles();
        process.exit(130);
      }
      this.interrupted = true;
      options.then?.();
    };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  release(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
