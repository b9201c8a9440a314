// Runs netml's main(argv) in this process with captured stdout/stderr, as the CLI tests need it.
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}
