/**
 * The idle-memory measurement, run in a child process of its own (`node --expose-gc …`), so the
 * figure is this process's memory and nothing else's: `idle-child.js synack|node N [LIMIT]` prints
 * one JSON line {connections, rssPerConn, heapPerConn, rss}. synack stops early once the process
 * holds more than LIMIT bytes (and says how many connections it reached).
 *
 * The per-connection figure is a slope: memory (after a full GC) once the first half of the
 * connections is established, and again once all are, divided by the connections in between.
 * Both sides are measured the same way. Why not (end - start) / N: the first burst of allocation
 * grows V8's young generation (semi-spaces, up to ~32 MB) and other per-process structures
 * once; at 10,000 connections that fixed cost would read as ~3 KB per connection on either
 * side. The second half pays only what each further connection holds. With 1,000,000 (idle-1m)
 * the fixed cost is amortised anyway, and the budget there is the whole process's RSS.
 */
import * as nodeNet from 'node:net';
import { Host } from '../../host/host.js';
import { PointToPointLink } from '../../link/sim-link.js';
import { Simulator } from '../../sim/simulator.js';
import { Sockets } from '../../socket/sockets.js';

// Fewer than half the ephemeral range per server port: Linux (and synack) try even ports first,
// and a connect() that must pass every even port to reach an odd one costs a scan of them.
const PORTS_PER_SERVER_PORT = 30000;
const BATCH = 2000;

function collect(): { rss: number; heap: number } {
  const g = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) g?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

interface Sample {
  rss: number;
  heap: number;
  made: number;
}
interface Result {
  rss: number;
  heap: number;
  connections: number;
}

/** Memory per connection between the two samples (see the comment at the top). */
function slope(mid: Sample | undefined, end: Sample): Result {
  const from = mid ?? { rss: 0, heap: 0, made: 0 };
  const k = end.made - from.made;
  return { rss: (end.rss - from.rss) / k, heap: (end.heap - from.heap) / k, connections: end.made };
}

/**
 * Both ends in synack, through the BSD sockets API (a descriptor per end, as a C program holds):
 * a client host connects N times to a server host over a perfect link, in virtual time, and
 * every connection is accepted. Then nothing moves: the connections are idle.
 */
function synack(n: number, limitBytes: number): Result {
  const sim = new Simulator({ seed: 1 });
  const settings = { ip_local_port_range: '1024 65535', somaxconn: 65535 };
  const a = new Host({ name: 'client', scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const b = new Host({ name: 'server', scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const link = new PointToPointLink(sim, { both: { mtu: 65535 }, checksumOffload: true });
  a.addInterface(link.a, '10.0.0.1/8');
  b.addInterface(link.b, '10.0.0.2/8');
  const sa = new Sockets(a);
  const sb = new Sockets(b);
  const listeners: number[] = [];
  for (let i = 0; i < Math.ceil(n / PORTS_PER_SERVER_PORT); i++) {
    const l = sb.socket(2, 1 | 0o4000);
    sb.bind(l, '10.0.0.2', 1000 + i);
    sb.listen(l, 65535);
    listeners.push(l);
  }
  sim.run();
  let mid: Sample | undefined;
  const fds: number[] = [];
  let made = 0;
  while (made < n) {
    // Every accept is done here, so every connection made so far is established.
    if (mid === undefined && made >= n / 2) mid = { ...collect(), made };
    // Past the memory budget, stop and report how far it got (rather than thrash towards OOM).
    if (limitBytes > 0 && made % 50_000 === 0 && process.memoryUsage.rss() > limitBytes) break;
    const batch = Math.min(BATCH, n - made);
    for (let i = 0; i < batch; i++, made++) {
      const fd = sa.socket(2, 1 | 0o4000);
      try {
        sa.connect(fd, '10.0.0.2', 1000 + Math.floor(made / PORTS_PER_SERVER_PORT));
      } catch {
        // EINPROGRESS: the handshake runs below
      }
      fds.push(fd);
    }
    sim.run();
    for (const l of listeners) {
      for (;;) {
        try {
          fds.push(sb.accept(l).fd);
        } catch {
          break;
        }
      }
    }
  }
  sim.run();
  const established = a.tcp.connections.size;
  if (established !== made || fds.length !== 2 * made) {
    throw new Error(`idle-memory: ${established} connections and ${fds.length} descriptors for ${made}`);
  }
  return slope(mid, { ...collect(), made });
}

/** Both ends in Node: a server and N client sockets on 127.0.0.1, each end a net.Socket. */
async function node(n: number): Promise<Result> {
  const accepted: nodeNet.Socket[] = [];
  const server = nodeNet.createServer((s) => void accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', 2048, r));
  const port = (server.address() as nodeNet.AddressInfo).port;
  await new Promise((r) => setTimeout(r, 50));
  const settle = async (made: number): Promise<void> => {
    while (accepted.length < made) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
  };
  let mid: Sample | undefined;
  const clients: nodeNet.Socket[] = [];
  for (let made = 0; made < n;) {
    if (mid === undefined && made >= n / 2) {
      await settle(made);
      mid = { ...collect(), made };
    }
    const batch = Math.min(500, n - made);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < batch; i++, made++) {
      const c = nodeNet.connect(port, '127.0.0.1');
      clients.push(c);
      waits.push(new Promise((r, j) => c.once('connect', () => r()).once('error', j)));
    }
    await Promise.all(waits);
  }
  await settle(n);
  const out = slope(mid, { ...collect(), made: n });
  for (const c of clients) c.destroy();
  for (const s of accepted) s.destroy();
  server.close();
  return out;
}

const [side, count, limit] = process.argv.slice(2);
const n = Number(count);
const r = side === 'node' ? await node(n) : synack(n, Number(limit ?? 0));
console.log(
  JSON.stringify({
    connections: r.connections,
    rssPerConn: r.rss,
    heapPerConn: r.heap,
    rss: process.memoryUsage.rss(),
  }),
);
process.exit(0);
