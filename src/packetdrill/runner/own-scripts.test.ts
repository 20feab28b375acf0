// synack's own packetdrill scripts (packetdrill/ at the top of the repository): each states, to
// the segment and the millisecond, a behaviour the seed describes; all must pass.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runPacketdrillFile } from '../../cli/packetdrill.js';

const DIR = resolve(process.cwd(), 'packetdrill');

test("synack's own packetdrill scripts pass", (t) => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.pkt'))
    .sort();
  const failures: string[] = [];
  for (const f of files) {
    const r = runPacketdrillFile(join(DIR, f));
    if (r.status !== 'ok') failures.push(`${f}: ${r.status} ${r.reason ?? ''}`);
  }
  t.diagnostic(`${files.length - failures.length} of ${files.length} scripts pass`);
  assert.deepEqual(failures, []);
});
