import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../wire/ipv4-addr.js';
import { formatSs, ssRows } from './ss.js';
import { pair } from './tcp-peer.test-util.js';

test('ss -ti: the details iproute2 prints, with its names and units, from a real transfer', () => {
  const { sim, a, b } = pair(5, { both: { delayUs: 10_000, loss: 0.02 } });
  const sink = new Uint8Array(1 << 16);
  const l = b.tcp.listen(0, 80, 8, () => {
    const s = l.accept();
    if (s) b.tcp.observe(s, (ev) => ev === 'readable' && s.readInto(sink, sim.now()));
  });
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(50_000);
  c.send(new Uint8Array(200_000), sim.now());
  sim.runFor(2e6);
  const row = ssRows(a).find((r) => r.state === 'ESTAB');
  assert.ok(row?.info, 'an established connection has details');
  const info = row.info as string;
  assert.match(
    info,
    /^ts sack cubic wscale:7,7 rto:\d+(\.\d+)? rtt:\d+(\.\d+)?\/\d+(\.\d+)? ato:40 mss:1448 pmtu:1500 /,
  );
  assert.match(info, / cwnd:\d+ /);
  assert.match(info, / bytes_acked:200000 /);
  assert.match(info, / send \d+(\.\d+)?[KMG]?bps /);
  assert.match(info, / minrtt:20/);
  const rtt = Number(/ rtt:([\d.]+)\//.exec(info)?.[1]);
  assert.ok(rtt >= 20 && rtt < 100, `srtt in ms: ${rtt}`);
  const table = formatSs(a, { info: true });
  assert.match(table, /ESTAB .*\n\t ts sack cubic/);
});
