// Runs Linux's packetdrill scripts (GPL test data, read in place from ../shared and never copied
// into this repository) against synack. All 43 must pass, none skipped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runPacketdrillFile } from '../../cli/packetdrill.js';

const ROOT = resolve(process.cwd(), '../shared/conformance/packetdrill');
const skip = existsSync(ROOT) ? false : `shared scripts not found at ${ROOT}`;

/** Every shared script, by file name: each must pass. */
const PASSING = new Set([
  'blocking-accept.pkt',
  'blocking-connect.pkt',
  'blocking-write.pkt',
  'close-local-close-then-remote-fin.pkt',
  'close-remote-fin-then-close.pkt',
  'no-coalesce-retrans.pkt',
  'no-coalesce-small.pkt',
  'no-coalesce-subsequent.pkt',
  'prr-ss-10pkt-lost-1.pkt',
  'prr-ss-30pkt-lost1_4.pkt',
  'prr-ss-ack-below-snd_una-cubic.pkt',
  'fr-4pkt-fack-last-byte.pkt',
  'fr-4pkt-sack.pkt',
  'fr-4pkt.pkt',
  'ioctl-siocinq-fin.pkt',
  'limited-transmit-no-sack.pkt',
  'mss-getsockopt-tcp_maxseg-server.pkt',
  'mss-setsockopt-tcp_maxseg-client.pkt',
  'sockopt_cork_nodelay.pkt',
  'sack-route-refresh-ip-tos.pkt',
  'sack-shift-sacked-2-6-8-3-9-nofack.pkt',
  'sack-shift-sacked-7-3-4-8-9-fack.pkt',
  'shutdown-rd-close.pkt',
  'shutdown-rdwr-close.pkt',
  'shutdown-rdwr-write-queue-close.pkt',
  'shutdown-wr-close.pkt',
  'slow-start-ack-per-1pkt.pkt',
  'slow-start-ack-per-2pkt-send-5pkt.pkt',
  'slow-start-ack-per-2pkt.pkt',
  'slow-start-after-idle.pkt',
  'slow-start-after-win-update.pkt',
  'slow-start-app-limited.pkt',
  'tcp-info-last_data_recv.pkt',
  'tcp-info-sndbuf-limited.pkt',
  'fin_tsval.pkt',
  'reset_tsval.pkt',
  'user_timeout.pkt',
  'tcp_basic_client.pkt',
  'tcp_basic_server.pkt',
  'tcp_close_no_rst.pkt',
  'tcp_disorder_fin_in_FIN_WAIT.pkt',
  'tcp_dsack_mult.pkt',
  'tcp_rcv_zero_wnd_fin.pkt',
]);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.pkt')) out.push(p);
  }
  return out;
}

test("Linux's packetdrill scripts: all 43 pass, none skipped", { skip }, (t) => {
  const failing: string[] = [];
  const seen: string[] = [];
  let passed = 0;
  for (const file of walk(ROOT)) {
    const r = runPacketdrillFile(file);
    const name = basename(file);
    seen.push(name);
    if (r.status === 'ok') passed++;
    else failing.push(`${name}: ${r.status}: ${r.reason ?? ''}`);
  }
  t.diagnostic(`${passed} of ${seen.length} shared scripts pass`);
  assert.deepEqual(failing, []);
  assert.deepEqual(
    seen.filter((n) => !PASSING.has(n)),
    [],
    'scripts not in the list',
  );
  assert.equal(passed, 43);
  assert.equal(PASSING.size, 43);
});

test('a failing script names the line and shows the expected and the actual packet', { skip }, () => {
  const original = join(
    ROOT,
    'linux-kselftests/tools/testing/selftests/net/packetdrill/tcp_basic_server.pkt',
  );
  const dir = mkdtempSync(join(tmpdir(), 'synack-pd-'));
  try {
    // An edited copy in a temporary directory (the scripts are never copied into the repository).
    const text = readFileSync(original, 'utf8').replace('+0 > . 1:1(0) ack 1001', '+0 > . 1:1(0) ack 1002');
    const file = join(dir, 'tcp_basic_server.pkt');
    writeFileSync(file, text);
    writeFileSync(join(dir, 'defaults.sh'), readFileSync(join(original, '..', 'defaults.sh')));
    const r = runPacketdrillFile(file);
    assert.equal(r.status, 'fail');
    assert.match(r.reason ?? '', /^line 25: bad ack: expected 1002, got 1001/);
    assert.match(r.reason ?? '', /script packet: \+0 > \. 1:1\(0\) ack 1002/);
    assert.match(r.reason ?? '', /actual packet: > \. 1:1\(0\) ack 1001 win \d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'synack packetdrill prints a line per script and a summary, and exits 1 on a failure',
  { skip },
  async () => {
    const { packetdrill } = await import('../../cli/packetdrill.js');
    const dir = mkdtempSync(join(tmpdir(), 'synack-pd-'));
    const kself = join(ROOT, 'linux-kselftests/tools/testing/selftests/net/packetdrill');
    const lines: string[] = [];
    const log = console.log;
    let code: number;
    try {
      const broken = join(dir, 'broken.pkt');
      writeFileSync(
        broken,
        readFileSync(join(kself, 'tcp_basic_server.pkt'), 'utf8').replace('ack 1001', 'ack 1002'),
      );
      writeFileSync(join(dir, 'defaults.sh'), readFileSync(join(kself, 'defaults.sh')));
      console.log = (s: string) => lines.push(String(s));
      code = await packetdrill.run([join(kself, 'tcp_basic_server.pkt'), broken]);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(lines[0] as string, /^ok .*tcp_basic_server\.pkt$/);
    assert.match(lines[1] as string, /^not ok .*broken\.pkt: line 25: bad ack/);
    assert.equal(lines.at(-1), '1 passed, 1 failed, 0 skipped');
    assert.equal(code, 1);
  },
);
