import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Host } from '../host/host.js';
import { Network } from '../network.js';
import type { TcpConnection } from '../tcp/connection.js';
import { seqAdd, seqSub } from '../tcp/seq.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { buildTcpPacket } from '../wire/packet.js';
import { TCP_ACK, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import { FuzzWorld, PEER, TARGET, type Slot } from './world.js';

/**
 * Resource limits as Linux has them, and what happens when they are reached.
 *
 * The long form (`npm run robust:limits`): SYNACK_LIMIT_SCALE=K makes every flood K times bigger
 * and SYNACK_LIMIT_SEEDS=N runs each test under N seeds; the assertions stay the same.
 */
const SCALE = Math.max(1, Math.floor(Number(process.env.SYNACK_LIMIT_SCALE ?? 1)) || 1);
const SEEDS = Math.max(1, Math.floor(Number(process.env.SYNACK_LIMIT_SEEDS ?? 1)) || 1);

function limitTest(name: string, base: number, fn: (seed: number) => void): void {
  test(name, () => {
    for (let r = 0; r < SEEDS; r++) {
      const seed = base + 100 * r;
      try {
        fn(seed);
      } catch (e) {
        console.error(
          `${name}: failed at seed ${seed}; replay with SYNACK_LIMIT_SCALE=${SCALE} SYNACK_LIMIT_SEEDS=${r + 1}`,
        );
        throw e;
      }
    }
  });
}

function byte(i: number): number {
  return (i * 131 + 7) & 255;
}

limitTest(
  "out-of-order queue: one-byte pieces with holes between stop at the buffer's allowance (TCPOFODrop)",
  1,
  (seed) => {
    const w = new FuzzWorld(seed).setUp();
    const s = w.slots.find((x) => x.want === 'ESTABLISHED') as Slot;
    const c = s.conn as TcpConnection;
    for (let i = 0; i < 5000 * SCALE; i++) {
      const seg = w.segment(s, TCP_ACK, { seq: seqAdd(c.rcvNxt, 2 + 2 * i), data: 1 });
      w.inject(buildTcpPacket(PEER, TARGET, seg));
    }
    assert.ok(c.recvBuf.ooo.length <= c.recvBuf.maxRanges, `${c.recvBuf.ooo.length} pieces`);
    assert.ok(w.host.counters.TcpExt.TCPOFODrop > 0);
    assert.ok((w.host.counters.drops.get('tcp-ofo-drop') ?? 0) > 0);
    assert.ok(w.host.tcp.memoryAllocated < 64 * 1024);
  },
);

limitTest(
  'IPv4 reassembly: a fragment flood stops at ipfrag_high_thresh and everything is freed after ipfrag_time',
  2,
  (seed) => {
    const w = new FuzzWorld(seed, { ipfrag_high_thresh: 262144, ipfrag_time: 30 });
    for (let n = 0; n < 20_000 * SCALE; n++) {
      // Past 65,536 datagrams the source address changes so that every one is a queue of its own.
      const id = n & 0xffff;
      const src = 2 + (n >>> 16);
      const p = new Uint8Array(20 + 64);
      p.set([0x45, 0, 0, 84, id >> 8, id & 255, 0x20, 0, 64, 6, 0, 0, 10, 0, 0, src, 10, 0, 0, 1]);
      // A middle fragment (offset 0, MF) of 64 bytes, each its own datagram; IP checksum by hand.
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += ((p[i] as number) << 8) | (p[i + 1] as number);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      const ck = ~sum & 0xffff;
      p[10] = ck >> 8;
      p[11] = ck & 255;
      w.inject(p);
    }
    assert.ok(w.host.fragmentMemory <= 262144, `${w.host.fragmentMemory}`);
    assert.ok(w.host.counters.Ip.ReasmFails > 0);
    assert.ok((w.host.counters.drops.get('frag-too-far') ?? 0) > 0);
    w.sim.runFor(31e6);
    assert.equal(w.host.fragmentMemory, 0);
    assert.ok(w.host.counters.Ip.ReasmTimeout > 0);
  },
);

limitTest(
  'SYN queue: without cookies a flood is held to three quarters of tcp_max_syn_backlog, the rest dropped',
  3,
  (seed) => {
    const w = new FuzzWorld(seed, { tcp_syncookies: 0, tcp_max_syn_backlog: 64 });
    w.setUp();
    for (let i = 0; i < 10_000 * SCALE; i++) {
      const seg = new TcpSegment();
      seg.srcPort = 1024 + (i % 60000);
      seg.dstPort = 80;
      seg.seq = (i * 7919 + seed) >>> 0;
      seg.flags = TCP_SYN;
      seg.window = 1000;
      w.inject(buildTcpPacket(ipv4('172.16.0.0') + i, TARGET, seg));
    }
    // Linux 6.x keeps the last quarter for peers proven alive (listener.ts): 49 of 64 here.
    assert.equal(w.listener.requests.size, 49);
    assert.ok(w.host.counters.TcpExt.ListenDrops >= 10_000 * SCALE - 49);
    assert.equal(w.host.counters.drops.get('tcp-listen-overflow'), w.host.counters.TcpExt.ListenDrops);
  },
);

/** A client and a server 1 ms apart, with `n` connections the client opens and uses by `use`. */
function pairOf(
  seed: number,
  clientSettings: Record<string, number | string>,
  serverSettings: Record<string, number | string>,
) {
  const net = new Network({ seed, autoRun: false });
  const client = net.host('client', clientSettings);
  const server = net.host('server', serverSettings);
  const link = net.link(client, server, { a: '10.0.0.1/24', b: '10.0.0.2/24', delayMs: 1 });
  return { net, sim: net.sim, client, server, link };
}

limitTest(
  'tcp_max_tw_buckets: past the limit connections close without TIME-WAIT (TCPTimeWaitOverflow)',
  4,
  (seed) => {
    const { sim, client, server } = pairOf(seed, { tcp_max_tw_buckets: 10 }, {});
    const n = 50 * SCALE;
    const l = server.tcp.listen(0, 80, 128, () => {
      for (let c = l.accept(); c; c = l.accept())
        server.tcp.observe(c, (ev) => ev === 'fin' && c.close(sim.now()));
    });
    for (let i = 0; i < n; i++) {
      const c = client.tcp.connect(ipv4('10.0.0.2'), 80, {
        observer: (ev) => ev === 'established' && c.close(sim.now()),
      });
    }
    sim.runFor(5e6);
    const states = [...client.tcp.connections.values()].map((c) => c.state);
    assert.equal(states.filter((s) => s === 'TIME-WAIT').length, 10);
    assert.equal(client.tcp.timeWaitCount, 10);
    assert.equal(client.counters.TcpExt.TCPTimeWaitOverflow, n - 10);
    sim.runFor(61e6);
    assert.equal(client.tcp.connections.size, 0);
  },
);

limitTest(
  'tcp_max_orphans: closing beyond the limit resets instead ("too many orphaned sockets", TCPAbortOnMemory)',
  5,
  (seed) => {
    const { sim, client, server, link } = pairOf(seed, {}, { tcp_max_orphans: 5 });
    const n = 20 * SCALE;
    const accepted: TcpConnection[] = [];
    const l = server.tcp.listen(0, 80, 128, () => {
      for (let c = l.accept(); c; c = l.accept()) accepted.push(c);
    });
    for (let i = 0; i < n; i++) client.tcp.connect(ipv4('10.0.0.2'), 80);
    sim.runFor(1e6);
    assert.equal(accepted.length, n);
    // The clients vanish; the server answers each with data and closes: orphans in FIN-WAIT-1.
    link.setDown(true);
    for (const c of accepted) {
      c.send(new Uint8Array(1000), sim.now());
      c.close(sim.now());
    }
    assert.equal(server.tcp.orphanCount, 5);
    assert.equal(server.counters.TcpExt.TCPAbortOnMemory, n - 5);
    assert.equal(server.tcp.connections.size, 5);
    sim.runFor(600e6);
    assert.equal(server.tcp.connections.size, 0);
    assert.equal(server.tcp.orphanCount, 0);
  },
);

/** Feed `c` from `src` forever (a downloader's server) and count what the client reads. */
function downloadServer(server: Host, sim: Network['sim'], size: number) {
  const l = server.tcp.listen(0, 80, 1024, () => {
    for (let c = l.accept(); c; c = l.accept()) {
      const conn = c;
      let sent = 0;
      const chunk = new Uint8Array(65536);
      const pump = () => {
        while (sent < size) {
          const n = Math.min(chunk.length, size - sent);
          for (let i = 0; i < n; i++) chunk[i] = byte(sent + i);
          const k = conn.send(chunk.subarray(0, n), sim.now());
          sent += k;
          if (k < n) return;
        }
        conn.shutdownWrite(sim.now());
      };
      const sink = new Uint8Array(65536);
      server.tcp.observe(conn, (ev) => {
        if (ev === 'writable') pump();
        if (ev === 'readable') while (conn.readInto(sink, sim.now()) > 0);
      });
      pump();
    }
  });
  return l;
}

limitTest(
  'tcp_mem: a host flooded with connections that never read stays within tcp_mem and keeps serving others',
  6,
  (seed) => {
    const tcpMem = [256, 512, 1024]; // pages: 1, 2 and 4 MiB
    const net = new Network({ seed, autoRun: false });
    const sim = net.sim;
    const server = net.host('server', { tcp_mem: tcpMem.join(' ') });
    const flooder = net.host('flooder');
    const client = net.host('client');
    net.link(flooder, server, { a: '10.0.1.1/24', b: '10.0.1.2/24', delayMs: 1 });
    net.link(client, server, { a: '10.0.2.1/24', b: '10.0.2.2/24', delayMs: 1 });
    const size = 1 << 20;
    downloadServer(server, sim, size);
    // Downloads that are never read: each fills the flooder's window, then the server's queue.
    const flood = 200 * SCALE;
    for (let i = 0; i < flood; i++) flooder.tcp.connect(ipv4('10.0.1.2'), 80, { rcvBuf: 65536 });
    let peak = 0;
    const watch = () => {
      peak = Math.max(peak, server.tcp.memoryAllocated);
      sim.after(1000, watch);
    };
    watch();
    sim.runFor(5e6);
    assert.ok(server.counters.TcpExt.TCPMemoryPressures >= 1);
    // A real client downloads 1 MiB meanwhile, intact.
    let got = 0;
    let bad = 0;
    const buf = new Uint8Array(65536);
    const c = client.tcp.connect(ipv4('10.0.2.2'), 80, {
      observer: (ev) => {
        if (ev !== 'readable') return;
        for (let n = c.readInto(buf, sim.now()); n > 0; n = c.readInto(buf, sim.now())) {
          for (let i = 0; i < n; i++) if (buf[i] !== byte(got + i)) bad++;
          got += n;
        }
      },
    });
    sim.runFor(30e6);
    assert.equal(got, size);
    assert.equal(bad, 0);
    assert.ok(c.eof);
    // Beyond tcp_mem[2] only a socket with an empty queue may add to it, one write (Linux's forced
    // first skb, at most 64 KiB): the peak is the limit plus that, far below 200 full send buffers.
    const limit = tcpMem[2] * 4096;
    const unbounded = flood * 262144;
    assert.ok(peak <= limit + (flood + 1) * 65536, `peak ${peak} bytes, limit ${limit}`);
    console.log(
      `tcp_mem flood: ${flood} connections never read; peak ${peak} bytes (tcp_mem[2] ${limit}; without tcp_mem ${unbounded})`,
    );
  },
);

limitTest(
  'tcp_mem pruning: receive queues of readers that never read are pruned (PruneCalled, OfoPruned, RcvPruned)',
  7,
  (seed) => {
    const tcpMem = [128, 256, 512];
    const net = new Network({ seed, autoRun: false });
    const sim = net.sim;
    const server = net.host('server', { tcp_mem: tcpMem.join(' ') });
    const flooder = net.host('flooder');
    const client = net.host('client');
    net.link(flooder, server, { a: '10.0.1.1/24', b: '10.0.1.2/24', delayMs: 5, loss: 0.05 });
    net.link(client, server, { a: '10.0.2.1/24', b: '10.0.2.2/24', delayMs: 1 });
    // The application reads only from the real client (it is stuck on the others' requests).
    const stuck = new Set<TcpConnection>();
    let got = 0;
    let bad = 0;
    const buf = new Uint8Array(65536);
    const l = server.tcp.listen(0, 80, 1024, () => {
      for (let c = l.accept(); c; c = l.accept()) {
        const conn = c;
        if (conn.tuple.remoteAddr === ipv4('10.0.1.1')) {
          stuck.add(conn);
          continue;
        }
        server.tcp.observe(conn, (ev) => {
          if (ev !== 'readable') return;
          for (let n = conn.readInto(buf, sim.now()); n > 0; n = conn.readInto(buf, sim.now())) {
            for (let i = 0; i < n; i++) if (buf[i] !== byte(got + i)) bad++;
            got += n;
          }
        });
      }
    });
    const upload = (h: Host, to: string, size: number) => {
      let sent = 0;
      const chunk = new Uint8Array(65536);
      const c = h.tcp.connect(ipv4(to), 80, {
        observer: (ev) => {
          if (ev !== 'established' && ev !== 'writable') return;
          while (sent < size) {
            const n = Math.min(chunk.length, size - sent);
            for (let i = 0; i < n; i++) chunk[i] = byte(sent + i);
            const k = c.send(chunk.subarray(0, n), sim.now());
            sent += k;
            if (k < n) return;
          }
        },
      });
      return c;
    };
    const flood = 100 * SCALE;
    for (let i = 0; i < flood; i++) upload(flooder, '10.0.1.2', 1 << 20);
    sim.runFor(10e6);
    const x = server.counters.TcpExt;
    assert.ok(
      x.PruneCalled > 0 && x.RcvPruned > 0 && x.OfoPruned > 0,
      `${x.PruneCalled} ${x.RcvPruned} ${x.OfoPruned}`,
    );
    assert.ok((server.counters.drops.get('proto-mem') ?? 0) > 0);
    // Under memory pressure a window that opens is clamped to four segments (tcp_select_window).
    assert.ok(server.tcp.memoryPressure);
    // The fullest stuck queue (with a longer flood the memory is shared more thinly).
    const one = [...stuck].reduce((m, c) => (c.readableBytes > m.readableBytes ? c : m));
    assert.ok(one.readableBytes > 4 * one.advMss, `fullest stuck queue ${one.readableBytes} bytes`);
    one.readInto(new Uint8Array(65536), sim.now());
    one.readInto(new Uint8Array(65536), sim.now());
    // (The right edge already advertised stands: RFC 7323 §2.4.)
    const edge = seqSub(one.rcvAdvRight, one.rcvNxt);
    const clamp = Math.max(4 * one.advMss, edge);
    assert.ok(one.recvBuf.space > clamp, `space ${one.recvBuf.space}, clamp ${clamp}`);
    assert.equal(one.advertisableWindow(), clamp);
    upload(client, '10.0.2.2', 1 << 20);
    sim.runFor(60e6);
    assert.equal(got, 1 << 20);
    assert.equal(bad, 0);
    assert.ok(server.tcp.memoryAllocated < tcpMem[2] * 4096 + flood * 65536, `${server.tcp.memoryAllocated}`);
    assert.equal(stuck.size, flood);
  },
);
