#!/usr/bin/env node
// Thin launcher: all logic lives in src/cli (compiled to dist/ by `npm ci` / `npm run build`).
// process.exit, not exitCode: libpcap's handle keeps the event loop alive after a live capture is closed.
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// process.exit drops what a pipe has not taken yet (stdout/stderr to a pipe are asynchronous): a --json
// summary above 64 KiB piped into jq arrived cut. An empty write's callback runs once everything before it
// is flushed.
// A reader that went away (`| head`) is not an error of ours: EPIPE ends the wait instead of throwing.
const drained = (stream) =>
  new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) return resolve();
    stream.on('error', () => resolve());
    stream.write('', () => resolve());
  });
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
