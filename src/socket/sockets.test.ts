import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair } from '../host/tcp-peer.test-util.js';
import { describePacket } from '../wire/packet.js';
import {
  F_GETFL,
  F_SETFL,
  O_NONBLOCK,
  POLLIN,
  POLLOUT,
  POLLRDHUP,
  SHUT_WR,
  SIOCINQ,
  SIOCOUTQ,
} from './constants.js';
import { SocketError } from './errno.js';
import { Sockets } from './sockets.js';

function net(seed = 1, settings = {}) {
  const { sim, a, b, l } = pair(seed, { both: { delayUs: 5000 } }, settings);
  return { sim, l, ca: new Sockets(a), cb: new Sockets(b) };
}

/** A listening socket on `port` (after `setup`, for options set before listen()). */
function listening(s: Sockets, port: number, setup: (fd: number) => void = () => undefined): number {
  const fd = s.socket();
  setup(fd);
  s.bind(fd, '0.0.0.0', port);
  s.listen(fd);
  return fd;
}

function errno(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SocketError) return e.errno;
    throw e;
  }
  return 'no error';
}

test('socket, bind, listen, connect (EINPROGRESS), poll, accept, write, read, shutdown, close', () => {
  const { sim, ca, cb } = net();
  const srv = cb.socket();
  cb.bind(srv, '0.0.0.0', 8080);
  cb.listen(srv, 16);
  assert.equal(
    errno(() => cb.accept(srv)),
    'EAGAIN',
  );
  const cli = ca.socket();
  assert.equal(
    errno(() => ca.connect(cli, '10.0.0.2', 8080)),
    'EINPROGRESS',
  );
  assert.equal(
    errno(() => ca.connect(cli, '10.0.0.2', 8080)),
    'EALREADY',
  );
  assert.equal(ca.poll(cli, POLLOUT), 0);
  sim.runFor(20_000);
  assert.equal(ca.poll(cli, POLLOUT), POLLOUT);
  assert.equal(
    errno(() => ca.connect(cli, '10.0.0.2', 8080)),
    'EISCONN',
  );
  assert.equal(cb.poll(srv, POLLIN), POLLIN);
  const acc = cb.accept(srv);
  assert.equal(acc.addr, '10.0.0.1');
  assert.deepEqual(cb.getpeername(acc.fd), { addr: '10.0.0.1', port: ca.getsockname(cli).port });
  assert.equal(
    errno(() => cb.read(acc.fd, new Uint8Array(10))),
    'EAGAIN',
  );
  assert.equal(ca.write(cli, new TextEncoder().encode('hello')), 5);
  sim.runFor(20_000);
  assert.equal(cb.ioctl(acc.fd, SIOCINQ), 5);
  const buf = new Uint8Array(100);
  assert.equal(cb.read(acc.fd, buf), 5);
  assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
  ca.shutdown(cli, SHUT_WR);
  assert.equal(
    errno(() => ca.write(cli, new Uint8Array(1))),
    'EPIPE',
  );
  sim.runFor(20_000);
  assert.ok(cb.poll(acc.fd, POLLIN | POLLRDHUP) & POLLRDHUP, 'the FIN shows as POLLRDHUP');
  assert.equal(cb.read(acc.fd, buf), 0, 'end of stream');
  cb.close(acc.fd);
  ca.close(cli);
  assert.equal(
    errno(() => ca.read(cli, buf)),
    'EBADF',
  );
  cb.close(srv);
});

test('watch(): send space wakes only a writer that found no room (SOCK_NOSPACE), with POLLOUT as key', () => {
  const { sim, ca, cb } = net();
  const srv = listening(cb, 8080);
  const cli = ca.socket(2, 1 | O_NONBLOCK);
  assert.equal(ca.tryConnect(cli, '10.0.0.2', 8080), -1);
  sim.runFor(20_000);
  const acc = cb.accept(srv).fd;
  const keys: number[] = [];
  ca.watch(cli, (key) => keys.push(key));
  // A write that fits and its ACK: data for nobody waiting for space, so no wake-up.
  assert.equal(ca.tryWrite(cli, new Uint8Array(1000)), 1000);
  sim.runFor(100_000);
  assert.equal(keys.length, 0);
  // Fill the send buffer until a write falls short: the ACKs that free space then wake the writer.
  const big = new Uint8Array(1 << 20);
  while (ca.tryWrite(cli, big) > 0);
  const drain = (): void => {
    const buf = new Uint8Array(1 << 16);
    while (cb.tryRead(acc, buf) > 0);
  };
  for (let i = 0; i < 50 && !keys.includes(POLLOUT); i++) {
    drain();
    sim.runFor(20_000);
  }
  assert.ok(keys.length > 0 && keys.every((k) => k === POLLOUT), `keys ${keys.join(',')}`);
  // Woken once per wait: no more send-space wake-ups until a write falls short again.
  const n = keys.length;
  drain();
  sim.runFor(100_000);
  drain();
  sim.runFor(100_000);
  assert.equal(keys.length, n);
  // Data wakes the reader with POLLIN.
  assert.equal(cb.tryWrite(acc, new Uint8Array(10)), 10);
  sim.runFor(20_000);
  assert.equal(keys[keys.length - 1], POLLIN);
});

test('connecting to a closed port: ECONNREFUSED through SO_ERROR and the next connect', () => {
  const { sim, ca } = net();
  const fd = ca.socket();
  assert.equal(
    errno(() => ca.connect(fd, '10.0.0.2', 9)),
    'EINPROGRESS',
  );
  sim.runFor(20_000);
  assert.ok(ca.poll(fd, POLLOUT) & POLLOUT);
  assert.equal(ca.getsockopt(fd, 'SOL_SOCKET', 'SO_ERROR'), 111, 'ECONNREFUSED is 111');
  assert.equal(ca.getsockopt(fd, 'SOL_SOCKET', 'SO_ERROR'), 0, 'SO_ERROR is cleared when read');
});

test('EADDRINUSE, and SO_REUSEADDR to rebind while the old connection sits in TIME-WAIT', () => {
  const { sim, ca, cb } = net();
  const s1 = cb.socket();
  cb.bind(s1, '10.0.0.2', 7000);
  cb.listen(s1);
  const s2 = cb.socket();
  assert.equal(
    errno(() => cb.bind(s2, '0.0.0.0', 7000)),
    'EADDRINUSE',
  );
  assert.equal(
    errno(() => cb.bind(s2, '10.9.9.9', 7001)),
    'EADDRNOTAVAIL',
  );
  const c = ca.socket();
  errno(() => ca.connect(c, '10.0.0.2', 7000));
  sim.runFor(20_000);
  const acc = cb.accept(s1);
  // The server closes first, so its side of the connection goes to TIME-WAIT.
  cb.close(acc.fd);
  cb.close(s1);
  sim.runFor(20_000);
  ca.close(c);
  sim.runFor(20_000);
  const s3 = cb.socket();
  assert.equal(
    errno(() => cb.bind(s3, '0.0.0.0', 7000)),
    'EADDRINUSE',
    'TIME-WAIT holds the port',
  );
  const s4 = cb.socket();
  cb.setsockopt(s4, 'SOL_SOCKET', 'SO_REUSEADDR', 1);
  cb.bind(s4, '0.0.0.0', 7000);
  cb.listen(s4);
});

test('SO_LINGER {1, 0}: close sends RST; the peer reads ECONNRESET, then writes get EPIPE', () => {
  const { sim, ca, cb, l } = net();
  const srv = listening(cb, 80);
  const cli = ca.socket();
  errno(() => ca.connect(cli, '10.0.0.2', 80));
  sim.runFor(20_000);
  const acc = cb.accept(srv);
  const wire: string[] = [];
  l.observe((_t, p) => wire.push(describePacket(p)));
  cb.setsockopt(acc.fd, 'SOL_SOCKET', 'SO_LINGER', { onoff: 1, linger: 0 });
  cb.close(acc.fd);
  sim.runFor(20_000);
  assert.ok(
    wire.some((w) => w.includes('Flags [R')),
    `a reset went out: ${wire.join(' / ')}`,
  );
  assert.equal(
    errno(() => ca.read(cli, new Uint8Array(10))),
    'ECONNRESET',
  );
  assert.equal(
    errno(() => ca.write(cli, new Uint8Array(10))),
    'EPIPE',
  );
});

test('options: doubled buffer sizes, TCP_NODELAY, TCP_MAXSEG on the SYN, TCP_CONGESTION, TCP_INFO, fcntl, ioctl', () => {
  const { sim, ca, cb, l } = net();
  listening(cb, 80);
  const cli = ca.socket();
  ca.setsockopt(cli, 'SOL_SOCKET', 'SO_SNDBUF', 65536);
  assert.equal(ca.getsockopt(cli, 'SOL_SOCKET', 'SO_SNDBUF'), 131072, 'Linux reports twice the size asked');
  ca.setsockopt(cli, 'SOL_SOCKET', 'SO_RCVBUF', 1 << 30);
  assert.equal(ca.getsockopt(cli, 'SOL_SOCKET', 'SO_RCVBUF'), 2 * 212992, 'capped by rmem_max');
  ca.setsockopt(cli, 'IPPROTO_TCP', 'TCP_NODELAY', 1);
  assert.equal(ca.getsockopt(cli, 6, 1), 1, 'numbers work as well as names');
  ca.setsockopt(cli, 'IPPROTO_TCP', 'TCP_MAXSEG', 1000);
  assert.equal(
    errno(() => ca.setsockopt(cli, 'IPPROTO_TCP', 'TCP_CONGESTION', 'bbr9')),
    'ENOENT',
  );
  ca.setsockopt(cli, 'IPPROTO_TCP', 'TCP_CONGESTION', 'reno');
  assert.equal(
    errno(() => ca.setsockopt(cli, 'SOL_SOCKET', 'SO_NOPE', 1)),
    'ENOPROTOOPT',
  );
  assert.equal(ca.fcntl(cli, F_GETFL) & O_NONBLOCK, 0);
  ca.fcntl(cli, F_SETFL, O_NONBLOCK);
  assert.equal(ca.fcntl(cli, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  const syns: string[] = [];
  l.observe((_t, p) => syns.push(describePacket(p)));
  errno(() => ca.connect(cli, '10.0.0.2', 80));
  sim.runFor(20_000);
  assert.match(syns[0] as string, /mss 1000/);
  assert.equal(ca.getsockopt(cli, 'IPPROTO_TCP', 'TCP_CONGESTION'), 'reno');
  const info = ca.getsockopt(cli, 'IPPROTO_TCP', 'TCP_INFO') as Record<string, number>;
  assert.equal(info.tcpi_state, 1, 'TCP_ESTABLISHED');
  assert.equal(info.tcpi_snd_mss, 1000 - 12);
  assert.ok((info.tcpi_rtt as number) >= 10_000, 'rtt in µs');
  ca.write(cli, new Uint8Array(3000));
  assert.equal(ca.ioctl(cli, SIOCOUTQ), 3000, 'unacknowledged bytes');
  sim.runFor(50_000);
  assert.equal(ca.ioctl(cli, SIOCOUTQ), 0);
});

test('the async calls wait for the simulated network', async () => {
  const { sim, ca, cb } = net();
  const srv = listening(cb, 80);
  const cli = ca.socket();
  const accepted = cb.acceptAsync(srv);
  const connected = ca.connectAsync(cli, '10.0.0.2', 80);
  sim.runFor(20_000);
  await connected;
  const { fd } = await accepted;
  const got = cb.readAsync(fd, new Uint8Array(64));
  await ca.writeAsync(cli, new Uint8Array(10).fill(7));
  sim.runFor(20_000);
  assert.equal(await got, 10);
});

test('TCP_INFO accounts delivery rate and where the sender spent its time (busy, receive window)', () => {
  const { sim, ca, cb } = net(9);
  // A small window limits the sender.
  const srv = listening(cb, 80, (fd) => cb.setsockopt(fd, 'SOL_SOCKET', 'SO_RCVBUF', 16384));
  const cli = ca.socket();
  errno(() => ca.connect(cli, '10.0.0.2', 80));
  sim.runFor(20_000);
  const acc = cb.accept(srv);
  const sink = new Uint8Array(1 << 16);
  const data = new Uint8Array(1 << 16);
  for (let t = 0; t < 100; t++) {
    errno(() => ca.write(cli, data));
    sim.runFor(10_000);
    while (cb.poll(acc.fd, POLLIN) & POLLIN && cb.read(acc.fd, sink) > 0);
  }
  const info = ca.getsockopt(cli, 'IPPROTO_TCP', 'TCP_INFO') as Record<string, number>;
  assert.ok((info.tcpi_delivery_rate as number) > 100_000, `delivery rate ${info.tcpi_delivery_rate} B/s`);
  // As Linux's tcp_get_info_chrono_stats: busy time includes the limited times.
  assert.ok(
    (info.tcpi_busy_time as number) >=
      (info.tcpi_rwnd_limited as number) + (info.tcpi_sndbuf_limited as number),
  );
  assert.ok((info.tcpi_rwnd_limited as number) > 0, 'limited by the 16 KiB receive window');
  assert.ok((info.tcpi_bytes_acked as number) > 1_000_000);
});
