// One wording for damage found in a capture file, whichever command read it (capture --read, extract,
// detect --packets): the message says what happened to the damaged record; the packets before it were
// always kept.

import type { CaptureWarning } from '../capture/frame-batch.js';
import { formatCount } from '../viz/format.js';

export function captureWarningText(source: string, w: CaptureWarning): string {
  if (w.packetNumber === 0) return `netml: warning: ${source}: ${w.message}`;
  const before = w.packetNumber - 1;
  const kept = before === 1 ? 'the 1 packet before it was kept' : `the ${formatCount(before)} packets before it were kept`;
  return `netml: warning: ${source}: ${w.message} (packet ${w.packetNumber}, byte ${w.byteOffset}); ${kept}`;
}
