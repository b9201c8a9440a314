#!/usr/bin/env node
// Thin launcher: all logic lives in src/cli (compiled to dist/ by `npm ci` / `npm run build`).
// process.exit, not exitCode: libpcap's handle keeps the event loop alive after a live capture is closed.
import { main } from '../dist/cli/main.js';

process.exit(await main(process.argv.slice(2)));
