// FileSink's atomic mode: the final name appears only complete, a failure leaves nothing; and a device or a
// pipe at the output path is written in place, never replaced by a regular file (`-o /dev/null` as root
// once turned the machine's /dev/null into a file).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSink } from '../../src/io/file-sink.js';
import { runCli } from '../helpers/run-cli.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'netml-sink-'));
const isRoot = process.getuid?.() === 0;

describe('FileSink', () => {
  it('atomic: the final name appears only on close, complete, and no temporary file stays', () => {
    const dir = tempDir();
    const path = join(dir, 'out.csv');
    const sink = new FileSink(path, { atomic: true, blockBytes: 16 });
    sink.writeAscii('a,b\n'.repeat(100));
    expect(existsSync(path)).toBe(false);
    sink.close();
    expect(readFileSync(path, 'utf8')).toBe('a,b\n'.repeat(100));
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('atomic: abandon() leaves the previous file untouched and removes the temporary one', () => {
    const dir = tempDir();
    const path = join(dir, 'out.csv');
    const first = new FileSink(path, { atomic: true });
    first.writeAscii('old\n');
    first.close();
    const second = new FileSink(path, { atomic: true });
    second.writeAscii('half');
    second.abandon();
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('writes into a named pipe in place: the pipe stays a pipe and its reader gets every byte', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const sink = new FileSink(fifo, { atomic: true, durable: true });
    sink.writeAscii('x,y\n'.repeat(1000));
    sink.close();
    await done;
    expect(Buffer.concat(chunks).toString()).toBe('x,y\n'.repeat(1000));
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('writes /dev/stdout through its link, in place: the output reaches the pipe and /dev/stdout stays a link', () => {
    // in a child process, whose stdout is a pipe read here (as root a rename once replaced /dev/stdout itself)
    const sink = new URL('../../dist/io/file-sink.js', import.meta.url).href;
    const script = `import { FileSink } from '${sink}'; const s = new FileSink('/dev/stdout', { atomic: true }); s.writeAscii('a,b\\n'.repeat(3)); s.close();`;
    // through `| cat`: a real pipe (Node's own stdio pipes are sockets, which /proc/self/fd cannot reopen)
    const child = spawnSync('sh', ['-c', `"${process.execPath}" --input-type=module -e "$SCRIPT" | cat`], { encoding: 'utf8', env: { ...process.env, SCRIPT: script } });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('a,b\n'.repeat(3));
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
    expect(readdirSync('/dev').filter((f) => f.startsWith('stdout.tmp-'))).toEqual([]);
  });

  it.skipIf(!isRoot)('leaves a character device a device when capture, extract and detect write to it (as root)', async () => {
    const dir = tempDir();
    const device = join(dir, 'null');
    expect(spawnSync('mknod', ['-m', '666', device, 'c', '1', '3']).status).toBe(0);
    const features = join(dir, 'features.csv');
    expect((await runCli(['capture', '--read', 'dataset/sample.pcap', '--no-pcap', '-o', device, '--quiet'])).code).toBe(0);
    expect((await runCli(['extract', '-i', 'dataset/sample.pcap', '-o', device, '--quiet'])).code).toBe(0);
    expect((await runCli(['extract', '-i', 'dataset/sample.pcap', '-o', features, '--quiet'])).code).toBe(0);
    const model = join(dir, 'model.json');
    expect((await runCli(['train', '--model', 'iforest', '-i', features, '-o', model, '--report', device, '--quiet'])).code).toBe(0);
    expect((await runCli(['detect', '-i', features, '-m', model, '-o', device, '--summary', device, '--quiet'])).code).toBe(0);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['features.csv', 'model.json', 'null']);
  });
});
