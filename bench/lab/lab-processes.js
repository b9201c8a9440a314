// Every process the lab starts goes through here: started inside a lab namespace with `ip netns exec` (which
// execs, so the PID we hold is the program's own), in a process group of its own (a Ctrl+C in the terminal
// reaches the lab only, which then stops its children in order), with a plain environment (no proxy
// variables: nothing may be sent through a proxy outside the namespaces), recorded by PID and stopped by PID.

import { spawn } from 'node:child_process';

/** @typedef {{ code: number | null, signal: string | null, stdout: string, stderr: string, startedAt: number, endedAt: number }} RunResult */

export class LabProcesses {
  /** @param {{ home: string, log: (line: string) => void }} options */
  constructor({ home, log }) {
    this.log = log;
    /** @type {{ name: string, ns: string, pid: number, child: import('node:child_process').ChildProcess, done: Promise<RunResult> }[]} */
    this.started = [];
    this.env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: home,
      LC_ALL: 'C',
      ...(process.env.SUDO_UID ? { SUDO_UID: process.env.SUDO_UID, SUDO_GID: process.env.SUDO_GID ?? process.env.SUDO_UID } : {}),
    };
  }

  /**
   * @param {string} ns @param {string} name @param {string[]} argv
   * @param {{ cwd?: string, keepOutput?: boolean }} [options]  keepOutput false: output is dropped (daemons, floods)
   */
  spawn(ns, name, argv, options = {}) {
    const keep = options.keepOutput !== false;
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      cwd: options.cwd,
      env: this.env,
      detached: true,
      stdio: ['ignore', keep ? 'pipe' : 'ignore', 'pipe'],
    });
    const startedAt = Date.now() / 1000;
    let stdout = '';
    let stderr = '';
    const listeners = new Set();
    child.stdout?.setEncoding('utf8').on('data', (d) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d) => {
      if (stderr.length < 1 << 20) stderr += d;
      for (const f of listeners) f(stderr);
    });
    /** @type {Promise<RunResult>} */
    const done = new Promise((resolve) => {
      child.on('error', (err) => {
        stderr += `\n${err.message}`;
      });
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, startedAt, endedAt: Date.now() / 1000 }));
    });
    const entry = { name, ns, pid: child.pid ?? -1, child, done };
    if (child.pid !== undefined) this.started.push(entry);
    return {
      ...entry,
      /** Resolves once `pattern` shows on stderr; rejects when the process ends first or after `ms`. */
      stderrMatches: (/** @type {RegExp} */ pattern, /** @type {number} */ ms) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name} did not print ${pattern} within ${ms} ms:\n${stderr.slice(-800)}`)), ms);
          const check = (/** @type {string} */ text) => {
            if (!pattern.test(text)) return;
            clearTimeout(timer);
            listeners.delete(check);
            resolve(undefined);
          };
          listeners.add(check);
          check(stderr);
          done.then((r) => {
            clearTimeout(timer);
            reject(new Error(`${name} ended (code ${r.code}, signal ${r.signal}) before it was ready:\n${r.stderr.slice(-800)}`));
          });
        }),
    };
  }

  /**
   * Runs to the end, or is stopped (SIGTERM, then SIGKILL 2 s later) after `timeoutMs` or when `abort` fires.
   * @param {string} ns @param {string} name @param {string[]} argv
   * @param {{ timeoutMs: number, abort?: AbortSignal, cwd?: string, keepOutput?: boolean }} options
   */
  async run(ns, name, argv, options) {
    const handle = this.spawn(ns, name, argv, options);
    let timedOut = false;
    const stop = () => this.stop(handle.pid, handle.done);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    options.abort?.addEventListener('abort', stop, { once: true });
    try {
      const result = await handle.done;
      return { ...result, pid: handle.pid, timedOut };
    } finally {
      clearTimeout(timer);
      options.abort?.removeEventListener('abort', stop);
    }
  }

  /** SIGTERM (or `signal`), then SIGKILL after `graceMs` if it is still there. Only ever a PID we started. */
  async stop(pid, done, signal = 'SIGTERM', graceMs = 2000) {
    const entry = this.started.find((e) => e.pid === pid);
    if (!entry) throw new Error(`refusing to signal PID ${pid}: not started by the lab`);
    // Node has not reaped it yet while exitCode and signalCode are null, so the PID cannot belong to anyone else
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) return done;
    try {
      process.kill(pid, signal);
    } catch {
      return done;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* ended meanwhile */
      }
    }, graceMs);
    try {
      return await done;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops whatever the lab started that is still running, newest first. */
  async stopAll() {
    const running = this.running();
    await Promise.all(running.reverse().map((e) => this.stop(e.pid, e.done)));
  }

  running() {
    return this.started.filter((e) => e.child.exitCode === null && e.child.signalCode === null);
  }

  /** Synchronous last resort for an 'exit' handler: SIGKILL to every recorded PID still alive. */
  killAllNow() {
    for (const e of this.running()) {
      try {
        process.kill(e.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  pids() {
    return this.started.map((e) => ({ name: e.name, namespace: e.ns, pid: e.pid }));
  }
}
