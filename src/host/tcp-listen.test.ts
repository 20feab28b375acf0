import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpConnection } from '../tcp/connection.js';
import { seqAdd } from '../tcp/seq.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../wire/tcp-segment.js';
import { pair, scripted } from './tcp-peer.test-util.js';
import { formatSs } from './ss.js';

test('SYN-ACK is retransmitted after 1, 2, 4, 8, 16 s, then the request is dropped at 63 s (the seed 1.6.1)', () => {
  const { sim, host, wire, inject } = scripted(1);
  const l = host.tcp.listen(0, 80, 8);
  inject({ flags: TCP_SYN, seq: 1000, mss: 1460 });
  sim.run();
  const times = wire.times.filter((_, i) => wire.sent[i]?.flags === (TCP_SYN | TCP_ACK)).map((t) => t / 1e6);
  assert.deepEqual(times, [0, 1, 3, 7, 15, 31]);
  assert.equal(sim.now(), 63e6, 'the request is forgotten 32 s after the last SYN-ACK');
  assert.equal(l.requests.size, 0);
});

test('accept queue full, tcp_abort_on_overflow=0: the ACK is dropped, the client thinks it is connected, the SYN-ACK comes again', () => {
  const { sim, a, b } = pair(2);
  const l = b.tcp.listen(0, 80, 0); // backlog 0: the accept queue holds one connection
  // Both SYNs arrive while there is room; the second final ACK finds the queue full.
  const c1 = a.tcp.connect(ipv4('10.0.0.2'), 80);
  const c2 = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  assert.equal(c1.state, 'ESTABLISHED');
  assert.equal(c2.state, 'ESTABLISHED', 'the client believes it is connected');
  assert.equal(l.acceptQueueLength, 1, 'only the first made it into the accept queue');
  assert.equal(b.counters.TcpExt.ListenOverflows, 1);
  assert.equal(b.counters.TcpExt.ListenDrops, 1);
  // The client's first write waits: the server has no connection for it yet.
  c2.send(new Uint8Array(100), sim.now());
  sim.runFor(500_000);
  assert.ok(l.accept() as TcpConnection);
  // Once there is room, the retransmitted SYN-ACK and the client's ACK complete the connection.
  sim.runFor(5e6);
  const second = l.accept();
  assert.ok(second, 'the second connection completes once the queue has room');
  const buf = new Uint8Array(200);
  assert.equal(second.readInto(buf, sim.now()), 100, 'and its data arrives');
});

test('accept queue full, tcp_abort_on_overflow=1: the client sees connection reset by peer', () => {
  const { sim, a, b } = pair(3, undefined, { tcp_abort_on_overflow: 1 });
  b.tcp.listen(0, 80, 0);
  a.tcp.connect(ipv4('10.0.0.2'), 80);
  const errors: string[] = [];
  const c2 = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev, e) => ev === 'error' && errors.push(String(e)),
  });
  sim.runFor(100_000);
  c2.send(new Uint8Array(10), sim.now());
  sim.runFor(1e6);
  assert.deepEqual(errors, ['ECONNRESET']);
  assert.equal(b.counters.TcpExt.ListenOverflows, 1);
});

test('SYN cookies (tcp_syncookies=2): no state kept, the connection works, options survive in the timestamp', () => {
  const { sim, a, b } = pair(4, undefined, { tcp_syncookies: 2 });
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(15_000);
  assert.equal(l.requests.size, 0, 'the listener keeps nothing for a cookie SYN');
  sim.runFor(100_000);
  assert.equal(c.state, 'ESTABLISHED');
  const s = server as unknown as TcpConnection;
  assert.equal(s.state, 'ESTABLISHED');
  assert.equal(b.counters.TcpExt.SyncookiesSent, 1);
  assert.equal(b.counters.TcpExt.SyncookiesRecv, 1);
  const info = s.info(sim.now());
  assert.equal(info.tcpi_snd_wscale, 7, 'window scale came back through the timestamp');
  assert.equal(info.tcpi_options & 2, 2, 'SACK too');
  assert.equal(info.tcpi_snd_mss, 1460 - 12, 'the MSS table keeps 1460');
  c.send(new Uint8Array(50_000), sim.now());
  sim.runFor(2e6);
  assert.equal(s.readInto(new Uint8Array(60_000), sim.now()), 50_000);
});

test('forged and stale cookies are refused and counted', () => {
  const { sim, host, wire, inject } = scripted(5, { tcp_syncookies: 2 });
  host.tcp.listen(0, 80, 8);
  inject({ flags: TCP_SYN, seq: 1000, mss: 1460 });
  const cookie = wire.sent.at(-1)?.seq ?? 0;
  // A guessed cookie: RST and SyncookiesFailed.
  inject({ flags: TCP_ACK, seq: 1001, ack: seqAdd(cookie, 12345) });
  assert.equal(host.counters.TcpExt.SyncookiesFailed, 1);
  assert.equal(wire.sent.at(-1)?.flags, TCP_RST);
  // The right cookie, but three minutes late: refused.
  sim.runFor(180e6);
  inject({ flags: TCP_ACK, seq: 1001, ack: seqAdd(cookie, 1) });
  assert.equal(host.counters.TcpExt.SyncookiesFailed, 2);
  assert.equal(host.tcp.connections.size, 0);
  // A fresh cookie within its time works.
  inject({ flags: TCP_SYN, seq: 5000, mss: 1460, sport: 40001 });
  const fresh = wire.sent.at(-1)?.seq ?? 0;
  inject({ flags: TCP_ACK, seq: 5001, ack: seqAdd(fresh, 1), sport: 40001 });
  assert.equal(host.counters.TcpExt.SyncookiesRecv, 1);
  assert.equal(host.tcp.connections.size, 1);
});

test('SYN queue full beyond the listen backlog: cookies with tcp_syncookies=1, drops with 0 (as Linux 6.18)', () => {
  for (const cookies of [1, 0]) {
    const { host, wire, inject } = scripted(6, { tcp_syncookies: cookies });
    host.tcp.listen(0, 80, 4);
    for (let i = 0; i < 10; i++) inject({ flags: TCP_SYN, seq: 1000 + i, mss: 1460, sport: 20000 + i });
    const synAcks = wire.sent.filter((s) => s.flags === (TCP_SYN | TCP_ACK)).length;
    const x = host.counters.TcpExt;
    // Five requests are kept (the queue is full when it holds more than the backlog).
    if (cookies === 1) {
      assert.equal(synAcks, 10);
      assert.equal(x.TCPReqQFullDoCookies, 5);
      assert.equal(x.SyncookiesSent, 5);
    } else {
      assert.equal(synAcks, 5);
      assert.equal(x.TCPReqQFullDrop, 5);
      assert.equal(x.ListenDrops, 5);
    }
  }
});

test('without cookies the last quarter of tcp_max_syn_backlog stays free (as Linux 6.18)', () => {
  const { host, wire, inject } = scripted(6, { tcp_syncookies: 0, tcp_max_syn_backlog: 16 });
  host.tcp.listen(0, 80, 200);
  for (let i = 0; i < 16; i++) inject({ flags: TCP_SYN, seq: 1000 + i, mss: 1460, sport: 20000 + i });
  assert.equal(wire.sent.filter((s) => s.flags === (TCP_SYN | TCP_ACK)).length, 13);
  assert.equal(host.counters.TcpExt.ListenDrops, 3);
  assert.equal(host.counters.TcpExt.TCPReqQFullDrop, 0);
});

test("the seed's 1.6.2 from the client's side: connect succeeds, the request gets no answer (read timeout); ss shows the full queue", () => {
  const { sim, a, b } = pair(7);
  // listen(fd, 1): the accept queue holds two. The first client is in it; the next two connect
  // at the same moment, both get a request and a SYN-ACK (the SYN queue holds more than the
  // backlog only beyond 1), and the last handshake ACK finds the accept queue full.
  const l = b.tcp.listen(0, 80, 1);
  const first = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const second = a.tcp.connect(ipv4('10.0.0.2'), 80);
  const victim = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  assert.equal(first.state, 'ESTABLISHED');
  assert.equal(second.state, 'ESTABLISHED');
  assert.equal(victim.state, 'ESTABLISHED', 'connect() returned success');
  assert.equal(b.counters.TcpExt.ListenOverflows, 1);
  assert.equal(b.counters.TcpExt.SyncookiesSent, 0, 'no cookies: the SYN queue never passed the backlog');
  // The application never accepts. The last client sends a request and waits 5 s for a reply.
  victim.send(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'), sim.now());
  sim.runFor(5e6);
  assert.equal(victim.readableBytes, 0, 'nothing to read: the read times out');
  assert.ok(b.counters.TcpExt.ListenOverflows >= 2);
  assert.ok(b.counters.Tcp.RetransSegs >= 1, 'the server kept resending its SYN-ACK');
  // New SYNs while the accept queue is full are dropped.
  const drops = b.counters.TcpExt.ListenDrops;
  const third = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  assert.equal(third.state, 'SYN-SENT');
  assert.ok(b.counters.TcpExt.ListenDrops > drops);
  // ss -lnt: a listener's Recv-Q is its accept queue, Send-Q its limit.
  const table = formatSs(b);
  assert.match(table, /LISTEN\s+2\s+1\s+\*:80\s+\*:\*/);
  assert.equal(l.acceptQueueLength, 2);
});

test('listen(backlog) is capped by somaxconn: ss shows the limit as Send-Q', () => {
  const { b } = pair(8, undefined, { somaxconn: 4 });
  b.tcp.listen(0, 80, 1000);
  b.tcp.listen(0, 81, 2);
  const table = formatSs(b);
  assert.match(table, /LISTEN\s+0\s+4\s+\*:80/);
  assert.match(table, /LISTEN\s+0\s+2\s+\*:81/);
});
