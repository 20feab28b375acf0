import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodePng, inkStats } from './png.test-util.js';

const bin = join(process.cwd(), 'bin', 'synack.js');
const CHROMIUM = '/usr/bin/chromium';

/** Every frame tshark flags as an error, malformed, or with a bad IP, TCP or ICMP checksum. */
function tsharkBadFrames(pcap: string): { status: number | null; lines: string[]; stderr: string } {
  const r = spawnSync(
    'tshark',
    [
      '-r',
      pcap,
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'tcp.check_checksum:TRUE',
      '-Y',
      '_ws.expert.severity == error || _ws.malformed || ip.checksum.status != 1 || ' +
        '(tcp && tcp.checksum.status != 1) || (icmp && icmp.checksum.status != 1)',
    ],
    { encoding: 'utf8' },
  );
  return { status: r.status, lines: r.stdout.split('\n').filter((l) => l.trim()), stderr: r.stderr };
}

test('synack demo: the story, a capture tshark reads cleanly, and a report Chromium renders', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [bin, 'demo', '--out', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;

  await t.test('the story is the seed’s, told briefly', () => {
    for (const want of [
      /ICMP echo request/,
      /Flags \[S\], seq \d+, win 64240/,
      /Flags \[S\.\], seq \d+, ack \d+/,
      /Flags \[\.\], seq 1, ack 1,/,
      /ss -tan on the server[\s\S]*LISTEN[\s\S]*ESTAB/,
      /slow start: cwnd 10 → \d+ segments/,
      /duplicate ACKs → fast retransmit, fast recovery: ssthresh \d+/,
      /congestion avoidance: cwnd \d+ → \d+/,
      /in fast recovery[\s\S]*cwnd:\d+ ssthresh:\d+/,
      /arrived intact and in order/,
      /Flags \[F\.\]/,
      /client FIN-WAIT-1 → server CLOSE-WAIT → server LAST-ACK → client FIN-WAIT-2 → client TIME-WAIT/,
      /TIME-WAIT\s+0\s+0\s+10\.0\.0\.2/,
      /TIME-WAIT lasted 60\.0 s; then both tables are empty/,
      /Tcp:[\s\S]*segments retransmitted/,
    ])
      assert.match(out, want);
    const lines = out.split('\n').length;
    assert.ok(lines < 160, `readable: ${lines} lines for thousands of packets`);
    assert.match(out, /capture: .*demo\.pcap \(\d+ packets/);
    assert.match(out, /report: {2}.*report\.html/);
  });

  const pcap = join(dir, 'demo.pcap');
  const report = join(dir, 'report.html');

  await t.test('tshark reads demo.pcap with no errors and no checksum warnings', (st) => {
    assert.ok(statSync(pcap).size > 100_000);
    if (spawnSync('tshark', ['-v']).status !== 0)
      return st.skip('tshark is not installed (apt-get install tshark)');
    const ts = tsharkBadFrames(pcap);
    assert.equal(ts.status, 0, ts.stderr);
    assert.deepEqual(ts.lines, [], 'no bad frames');
    const all = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
    const frames = all.stdout.trim().split('\n').length;
    assert.ok(frames > 2000, `${frames} frames`);
    // The check can fail: one flipped payload byte is a TCP checksum error it reports.
    const bad = join(dir, 'bad.pcap');
    copyFileSync(pcap, bad);
    const bytes = readFileSync(bad);
    const at = bytes.length - 100;
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(bad, bytes);
    assert.equal(tsharkBadFrames(bad).lines.length, 1, 'a corrupted frame is caught');
  });

  await t.test('report.html renders in headless Chromium with the three pictures', async (st) => {
    const html = readFileSync(report, 'utf8');
    assert.doesNotMatch(html, /<script|<link|src=|url\(/, 'self-contained');
    if (!existsSync(CHROMIUM))
      return st.skip(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
    const { chromium } = await import('playwright-core');
    const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'synack-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1000, height: 900 },
    });
    try {
      const page = await ctx.newPage();
      const fetched: string[] = [];
      page.on('request', (req) => fetched.push(req.url()));
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      assert.deepEqual(fetched, [pathToFileURL(report).href], 'nothing fetched but the page');
      const figures = await page.$$('figure svg');
      const seen: string[] = [];
      for (const f of figures) {
        const label = (await f.getAttribute('aria-label')) ?? '';
        const box = await f.boundingBox();
        assert.ok(box && box.width > 600 && box.height > 300, `${label}: ${JSON.stringify(box)}`);
        const shot = await f.screenshot();
        const { ink, colours } = inkStats(decodePng(shot));
        st.diagnostic(
          `${label}: ${Math.round(box.width)}×${Math.round(box.height)}, ${(ink * 100).toFixed(1)}% ink`,
        );
        assert.ok(ink > 0.02 && colours > 8, `${label} is drawn, not blank (${ink}, ${colours} colours)`);
        seen.push(label);
      }
      for (const want of [
        /^Ladder diagram: client/,
        /^Time-sequence graph: data sent by client/,
        /^Congestion window/,
      ])
        assert.ok(
          seen.some((l) => want.test(l)),
          `${want} among ${seen.join(' | ')}`,
        );
      // The ladder carries the handshake and the close as arrows with their labels.
      const labels = await page.$$eval('figure svg text', (els) => els.map((e) => e.textContent ?? ''));
      for (const want of ['SYN seq=0', 'SYN,ACK seq=0 ack=1', 'FIN,ACK', 'TIME-WAIT', 'SYN-RECEIVED'])
        assert.ok(
          labels.some((l) => l.includes(want)),
          want,
        );
      const png = await page.screenshot({ fullPage: true });
      assert.ok(inkStats(decodePng(png)).ink > 0.05, 'the page is not blank');
    } finally {
      await ctx.close();
    }
  });
});
