// Vitest global setup: every test file's temporary directories (mkdtemp under os.tmpdir(), and those of the
// CLI processes the tests start) go into one root made here, removed as a whole when the run ends, so a test
// run leaves nothing in /tmp, even when a test fails before its own cleanup.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'netml-test-'));
  // traversable by the live tests that run a probe as the unprivileged user "nobody"
  chmodSync(root, 0o755);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
