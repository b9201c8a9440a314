// The command-line entry: builds the commander program, runs one subcommand, and turns every failure into
// a message, a hint and an exit code. `main(argv)` never calls process.exit, so tests can call it directly.

import { Command, CommanderError } from 'commander';
import { ExitCode, NetmlError } from '../errors.js';
import { readVersion } from './version.js';

type Register = (program: Command, io: CliIo, result: { exitCode: number }) => void;

/**
 * Each command's module, loaded only when needed: `netml extract` imports extract's code and not the forests,
 * charts or libpcap glue of the others (loading all of them cost ~70 ms on every run; `netml` alone and
 * `--help` still load every command to list it). Help lists them in this order.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  capture: async () => (await import('./capture.js')).registerCapture,
  extract: async () => (await import('./extract.js')).registerExtract,
  train: async () => (await import('./train.js')).registerTrain,
  detect: async () => (await import('./detect.js')).registerDetect,
  visualize: async () => (await import('./visualize.js')).registerVisualize,
  traceroute: async () => (await import('./traceroute.js')).registerTraceroute,
  monitor: async () => (await import('./monitor.js')).registerMonitor,
};

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** The program with every command, or only `only` (the command about to run). */
export async function buildProgram(io: CliIo, result: { exitCode: number }, only?: string): Promise<Command> {
  const program = new Command('netml')
    .description('Turn network traffic into machine-learning verdicts: capture packets, extract features, train, detect, visualize.')
    .version(readVersion(), '-V, --version')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage and examples)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Pipeline (each stage reads and writes files in dataset/, models/, results/):
  sudo netml capture                 capture live until Ctrl+C -> dataset/capture.pcap, dataset/packets.csv
  netml capture --read some.pcapng   the same from a capture file
  netml extract                      flows -> dataset/features.csv (--level host|packet, --format cic, --labels)
  netml train --model iforest        learn normal traffic -> models/iforest.json (rf: from labelled flows)
  netml detect                       NORMAL / SUSPICIOUS per flow -> results/detections.csv, summary.json
  netml visualize                    terminal charts of packets.csv and detections.csv
  sudo netml monitor                 live dashboard (with --model: a verdict on every flow)
  sudo netml traceroute 192.0.2.1    hops to a target

Typical use:  sudo netml capture                  (until Ctrl+C: your normal traffic)
              netml extract && netml train --model iforest --features client-activity
              then on new traffic:  netml extract && netml detect && netml visualize

Run "netml <command> --help" for each command's options and examples.`,
    );
  for (const [name, load] of Object.entries(COMMANDS)) {
    if (only === undefined || name === only) (await load())(program, io, result);
  }
  return program;
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const result = { exitCode: ExitCode.ok as number };
  // the first word that is not an option names the command (global options are flags without values)
  const first = argv.find((a) => !a.startsWith('-'));
  const program = await buildProgram(io, result, first !== undefined && first in COMMANDS ? first : undefined);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (err) {
    return reportError(err, io, debug);
  }
}

function reportError(err: unknown, io: CliIo, debug: boolean): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are successes
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof NetmlError) {
    io.stderr.write(`netml: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  hint: ${err.hint}\n`);
    if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  io.stderr.write(`netml: internal error: ${(err as Error)?.message ?? String(err)}\n`);
  io.stderr.write(debug ? `${(err as Error)?.stack}\n` : '  hint: run again with --debug for the stack trace, and report it\n');
  return ExitCode.internal;
}
