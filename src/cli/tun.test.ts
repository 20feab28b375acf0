/**
 * `synack tun` against the Linux kernel's own TCP, each test in a network namespace of its own:
 * curl, python and tc run on the kernel's side of the TUN device, synack on the other.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONCURRENT_CLIENTS_PY,
  counterStreamSha256,
  curlDownload,
  curlUpload,
  KERNEL,
  outOfWindowData,
  sha256,
  SYNACK,
  tsharkRows,
  uploadBody,
  whyNot,
  withNamespace,
  type Namespace,
} from './tun-netns.test-util.js';

const MiB = 1 << 20;
const TIMEOUT = { timeout: 300_000 };

function skipUnless(t: TestContext, tools: string[]): boolean {
  const reason = whyNot(tools);
  if (reason) t.skip(`synack tun test skipped: ${reason}`);
  return reason === null;
}

/** Download `down` bytes and upload `up` bytes at the same time; both hashes must match. */
async function bothWays(ns: Namespace, down: number, up: number): Promise<void> {
  const body = uploadBody(up);
  const [got, echoed] = await Promise.all([curlDownload(ns, down), curlUpload(ns, body)]);
  assert.equal(got, counterStreamSha256(down), `GET /bytes/${down}: the body's SHA-256`);
  assert.equal(echoed, sha256(body), `POST /sha256 of ${up} bytes`);
}

test('the kernel downloads 256 MiB from synack and uploads 64 MiB, hashes matching', TIMEOUT, async (t) => {
  if (!skipUnless(t, ['curl'])) return;
  await withNamespace(async (ns) => {
    const synack = await ns.synack(['--http', '80']);
    const t0 = performance.now();
    const got = await curlDownload(ns, 256 * MiB);
    const t1 = performance.now();
    assert.equal(got, counterStreamSha256(256 * MiB));
    const body = uploadBody(64 * MiB);
    const t2 = performance.now();
    assert.equal(await curlUpload(ns, body), sha256(body));
    const t3 = performance.now();
    t.diagnostic(
      `256 MiB down in ${((t1 - t0) / 1000).toFixed(2)} s, 64 MiB up in ${((t3 - t2) / 1000).toFixed(2)} s`,
    );
    assert.equal(await synack.stop(), 0, 'synack tun closes cleanly on SIGINT');
  });
});

test('8 MiB each way under --delay 20 --loss 2 --reorder 1 --duplicate 0.1', TIMEOUT, async (t) => {
  if (!skipUnless(t, ['curl'])) return;
  await withNamespace(async (ns) => {
    const synack = await ns.synack([
      '--http',
      '80',
      '--delay',
      '20',
      '--loss',
      '2',
      '--reorder',
      '1',
      '--duplicate',
      '0.1',
    ]);
    await bothWays(ns, 8 * MiB, 8 * MiB);
    assert.equal(await synack.stop(), 0);
  });
});

test("64 MiB each way with the kernel's side shaped by tbf to 50 Mbit/s", TIMEOUT, async (t) => {
  if (!skipUnless(t, ['curl', 'tc'])) return;
  await withNamespace(async (ns) => {
    const synack = await ns.synack(['--http', '80']);
    const tc = await ns.run('tc', [
      'qdisc',
      'add',
      'dev',
      'tun0',
      'root',
      'tbf',
      'rate',
      '50mbit',
      'burst',
      '64kb',
      'latency',
      '50ms',
    ]);
    if (tc.code !== 0) {
      t.skip(`tbf is not available here: ${tc.stderr.trim()}`);
      await synack.stop();
      return;
    }
    await bothWays(ns, 64 * MiB, 64 * MiB);
    const stats = await ns.run('tc', ['-s', 'qdisc', 'show', 'dev', 'tun0']);
    assert.match(stats.stdout, /tbf/, 'the shaper stayed in place');
    assert.equal(await synack.stop(), 0);
  });
});

test("synack tun --get fetches 64 MiB from python's http.server on the kernel's side", TIMEOUT, async (t) => {
  if (!skipUnless(t, ['python3'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'synack-get-'));
  try {
    const body = uploadBody(64 * MiB);
    writeFileSync(join(dir, 'blob'), body);
    await withNamespace(async (ns) => {
      // Bound to every address of the namespace: its only interface is synack's TUN device.
      const server = ns.spawn('python3', [
        '-u',
        '-m',
        'http.server',
        '8000',
        '--bind',
        '0.0.0.0',
        '--directory',
        dir,
      ]);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        server.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Serving HTTP')) resolve();
        });
        server.on('close', () => reject(new Error(`http.server exited: ${out}`)));
      });
      const outFile = join(dir, 'got');
      const r = await ns.run(process.execPath, [
        ...[fileURLToPath(new URL('../../bin/synack.js', import.meta.url)), 'tun'],
        ...['--get', `http://${KERNEL}:8000/blob`, '--output', outFile],
      ]);
      assert.equal(r.code, 0, `synack tun --get failed: ${r.stderr}`);
      assert.equal(sha256(readFileSync(outFile)), sha256(body));
      // Without --output the body goes to stdout, and "ready" to stderr.
      writeFileSync(join(dir, 'small'), 'a small body\n');
      const small = await ns.run(process.execPath, [
        ...[fileURLToPath(new URL('../../bin/synack.js', import.meta.url)), 'tun'],
        ...['--get', `http://${KERNEL}:8000/small`],
      ]);
      assert.equal(small.code, 0, small.stderr);
      assert.equal(small.stdout, 'a small body\n');
      assert.match(small.stderr, /^ready$/m);
      server.kill('SIGINT');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  '500 concurrent kernel clients, then only TIME-WAIT on both sides; the capture is clean',
  TIMEOUT,
  async (t) => {
    if (!skipUnless(t, ['python3', 'ss', 'curl', 'tshark'])) return;
    const dir = mkdtempSync(join(tmpdir(), 'synack-pcap-'));
    const pcap = join(dir, 'session.pcap');
    try {
      await withNamespace(async (ns) => {
        const synack = await ns.synack(['--http', '80', '--pcap', pcap]);
        const r = await ns.run('python3', ['-c', CONCURRENT_CLIENTS_PY, SYNACK, '80', '500']);
        assert.equal(r.code, 0, r.stderr);
        const res = JSON.parse(r.stdout) as { ok: number; errors: string[] };
        assert.equal(res.ok, 500, `every client completed its request: ${res.errors.join('; ')}`);

        // The kernel's table: closing handshakes may still be finishing; give them a few seconds.
        let others: string[] = [];
        for (let i = 0; i < 50; i++) {
          const ss = await ns.run('ss', ['-tanH']);
          others = ss.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('TIME-WAIT'));
          if (others.length === 0) break;
          await new Promise((res) => setTimeout(res, 100));
        }
        assert.deepEqual(others, [], "the kernel's ss shows nothing but TIME-WAIT");

        // synack's table, from its status page (asked from a port of our own, left out below).
        const status = await ns.run('curl', ['-sS', '--local-port', '40000', `http://${SYNACK}/`]);
        assert.equal(status.code, 0, status.stderr);
        const rows = status.stdout.split('\n').filter((l) => /^[A-Z][A-Z0-9-]+ +\d/.test(l));
        const synackOthers = rows.filter(
          (l) => !l.startsWith('TIME-WAIT') && !l.startsWith('LISTEN') && !l.includes(`${KERNEL}:40000`),
        );
        assert.deepEqual(synackOthers, [], "synack's table shows nothing but TIME-WAIT");
        assert.equal(await synack.stop(), 0);
      });

      // tshark reads the capture: no checksum errors, and nothing of synack's flagged.
      const count = (filter: string): number => tsharkRows(pcap, filter, ['frame.number']).length;
      assert.ok(count('tcp') > 500 * 6, 'the capture holds the whole session');
      // Linux writes a TCP checksum that folds to 0 as 0xffff (skb_checksum_help's CSUM_MANGLED_0):
      // the same value in one's complement (RFC 1624 §3), which tshark nonetheless calls bad.
      const minusZero = 'tcp.checksum == 0xffff && tcp.checksum_calculated == 0x0000';
      const badSums = tsharkRows(
        pcap,
        `ip.checksum.status == 0 || (tcp.checksum.status == 0 && !(${minusZero}))`,
        [
          ...['frame.number', 'ip.src', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.str', 'tcp.len'],
          ...['ip.checksum', 'tcp.checksum', 'tcp.checksum_calculated'],
        ],
      );
      assert.deepEqual(badSums, [], 'bad checksums');
      const mine = `ip.src == ${SYNACK}`;
      assert.deepEqual(outOfWindowData(pcap, SYNACK), [], 'synack sent data beyond the offered window');
      assert.equal(count(`${mine} && tcp.analysis.zero_window`), 0, 'synack closed its window');
      assert.equal(count(`${mine} && tcp.analysis.spurious_retransmission`), 0, 'spurious retransmissions');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('echo, discard and chargen answer the kernel', TIMEOUT, async (t) => {
  if (!skipUnless(t, ['python3'])) return;
  await withNamespace(async (ns) => {
    const synack = await ns.synack(['--echo', '7', '--discard', '9', '--chargen', '19']);
    const py = `
import socket, sys
host = sys.argv[1]
s = socket.create_connection((host, 7)); s.sendall(b'ping' * 5000); s.shutdown(socket.SHUT_WR)
got = b''
while True:
    x = s.recv(65536)
    if not x: break
    got += x
s.close()
assert got == b'ping' * 5000, 'echo'
s = socket.create_connection((host, 9)); s.sendall(b'x' * 100000); s.shutdown(socket.SHUT_WR)
assert s.recv(10) == b'', 'discard sends nothing'
s.close()
s = socket.create_connection((host, 19)); got = b''
while len(got) < 74 * 96: got += s.recv(65536)
s.close()
lines = got.split(b'\\r\\n')
assert len(lines[0]) == 72 and lines[0][:3] == b' !"' and lines[1][:3] == b'!"#', 'chargen'
print('ok')
`;
    const r = await ns.run('python3', ['-c', py, SYNACK]);
    assert.equal(r.stdout.trim(), 'ok', r.stderr);
    assert.equal(await synack.stop(), 0);
  });
});
