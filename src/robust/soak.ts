import type { Host } from '../host/host.js';
import type { PointToPointLink } from '../link/sim-link.js';
import { Network } from '../network.js';
import type { Rng } from '../sim/rng.js';
import type { TcpConnection } from '../tcp/connection.js';
import { formatIpv4 } from '../wire/ipv4-addr.js';

export interface SoakOptions {
  seed: number;
  /** Simulated hours of churn; then the clients stop and the hosts must drain to their baseline. */
  hours: number;
  clients?: number;
  /** Mean seconds between a client's connections. */
  meanGapS?: number;
  /** Called every simulated hour. */
  onHour?: (r: SoakReport) => void;
  /** Heap in use (the CLI passes process.memoryUsage); sampled every simulated hour. */
  heapUsed?: () => number;
}

export interface SoakReport {
  seed: number;
  hours: number;
  opened: number;
  /** Transfers that ran to the end with every byte checked, both ways. */
  completed: number;
  /** Ended on purpose by a reset, by a vanished peer, or by a failed connect. */
  aborted: number;
  vanished: number;
  failedConnects: number;
  bytesVerified: number;
  /** Bytes that arrived different from what was sent (must be 0). */
  corruptBytes: number;
  /** Transfers that ended cleanly with fewer or more bytes than sent (must be 0). */
  shortTransfers: number;
  /** Highest number of connections in all tables, and of TCP buffer memory in one host (bytes). */
  socketsHighWater: number;
  memoryHighWater: number;
  heapHighWater: number;
  /** After the drain: connections and bytes still held in all hosts (baseline is 0). */
  socketsLeft: number;
  memoryLeft: number;
  leftStates: string[];
  ok: boolean;
}

/** Byte `i` of transfer `id` in direction `dir`: any loss, duplicate or misplacement shows. */
function streamByte(id: number, dir: number, i: number): number {
  return (Math.imul(id * 2 + dir + 1, 0x9e3779b1) + i * 131 + (i >>> 8)) & 255;
}

interface Plan {
  id: number;
  up: number;
  down: number;
  /** Who closes first, or an abort partway. */
  mode: 'client-first' | 'server-first' | 'abort';
  abortAfterUs: number;
  done: boolean;
}

/** Sizes from a few bytes to a few hundred KiB, log-uniform (many small, some large). */
function size(rng: Rng): number {
  return Math.floor(Math.exp(rng.next() * Math.log(256 * 1024)));
}

class Checker {
  got = 0;
  constructor(
    readonly id: number,
    readonly dir: number,
    readonly report: SoakReport,
  ) {}
  take(buf: Uint8Array, n: number): void {
    for (let i = 0; i < n; i++)
      if (buf[i] !== streamByte(this.id, this.dir, this.got + i)) this.report.corruptBytes++;
    this.got += n;
  }
}

const SERVER_PORT = 7;

/**
 * Hours of churn on impaired links: clients keep opening connections to a server, move a random
 * amount of data each way, and close (either side first) or reset; now and then a client vanishes
 * (its link goes dead and its connections are dropped without a word, as when a host loses power)
 * and comes back later. The server uses keepalive, as a server must, to find the dead peers. Every
 * byte is checked as it arrives. At the end the clients stop, and after an hour every host must be
 * back to its baseline: no connection and no buffer memory.
 */
export function soak(o: SoakOptions): SoakReport {
  const nClients = o.clients ?? 4;
  const meanGapUs = (o.meanGapS ?? 20) * 1e6;
  const report: SoakReport = {
    seed: o.seed,
    hours: o.hours,
    opened: 0,
    completed: 0,
    aborted: 0,
    vanished: 0,
    failedConnects: 0,
    bytesVerified: 0,
    corruptBytes: 0,
    shortTransfers: 0,
    socketsHighWater: 0,
    memoryHighWater: 0,
    heapHighWater: 0,
    socketsLeft: 0,
    memoryLeft: 0,
    leftStates: [],
    ok: false,
  };
  const net = new Network({ seed: o.seed, autoRun: false });
  const sim = net.sim;
  const rng = sim.rng.fork('soak');
  const server = net.host('server', {
    tcp_keepalive_time: 120,
    tcp_keepalive_intvl: 15,
    tcp_keepalive_probes: 4,
  });
  const clients: {
    host: Host;
    link: PointToPointLink;
    addr: number;
    conns: Set<TcpConnection>;
    down: boolean;
  }[] = [];
  for (let i = 0; i < nClients; i++) {
    const host = net.host(`client${i}`);
    const link = net.link(host, server, {
      a: `10.${i + 1}.0.1/24`,
      b: `10.${i + 1}.0.2/24`,
      delayMs: 5 + 10 * i,
      jitterUs: 2000,
      loss: 0.01,
      reorder: 0.01,
      duplicate: 0.005,
      corrupt: 0.001,
      bandwidthBps: 20e6,
      queueLimitPackets: 200,
    });
    clients.push({ host, link, addr: host.address, conns: new Set(), down: false });
  }
  const plans = new Map<string, Plan>();
  const key = (addr: number, port: number) => `${addr}:${port}`;
  const buf = new Uint8Array(65536);
  const chunk = new Uint8Array(65536);

  /** Write `total` bytes of a stream as space allows; returns the new count sent. */
  const pump = (c: TcpConnection, id: number, dir: number, sent: number, total: number): number => {
    let s = sent;
    while (s < total) {
      const n = Math.min(chunk.length, total - s);
      for (let i = 0; i < n; i++) chunk[i] = streamByte(id, dir, s + i);
      const k = c.send(chunk.subarray(0, n), sim.now());
      s += k;
      if (k < n) break;
    }
    return s;
  };

  // The server: reads and checks the upload, sends the download, closes as the plan says.
  const listener = server.tcp.listen(0, SERVER_PORT, 1024, () => {
    for (let c = listener.accept(); c; c = listener.accept()) {
      const conn = c;
      const plan = plans.get(key(conn.tuple.remoteAddr, conn.tuple.remotePort));
      if (!plan) {
        conn.abort(sim.now());
        continue;
      }
      conn.setKeepAlive(true, sim.now());
      const check = new Checker(plan.id, 0, report);
      let sent = 0;
      let closed = false;
      const step = () => {
        sent = pump(conn, plan.id, 1, sent, plan.down);
        if (closed) return;
        if (plan.mode === 'server-first' && sent === plan.down) {
          closed = true;
          conn.shutdownWrite(sim.now());
        } else if (sent === plan.down && conn.eof) {
          closed = true;
          conn.close(sim.now());
        }
      };
      server.tcp.observe(conn, (ev) => {
        if (ev === 'readable' || ev === 'fin') {
          for (let n = conn.readInto(buf, sim.now()); n > 0; n = conn.readInto(buf, sim.now()))
            check.take(buf, n);
          if (conn.eof) {
            if (check.got !== plan.up && plan.mode !== 'abort') report.shortTransfers++;
            if (closed && plan.mode === 'server-first') conn.close(sim.now());
          }
        }
        if (ev === 'readable' || ev === 'writable' || ev === 'established' || ev === 'fin') step();
      });
      step();
    }
  });

  let nextId = 1;
  const open = (cl: (typeof clients)[number]) => {
    if (cl.down) return;
    const plan: Plan = {
      id: nextId++,
      up: size(rng),
      down: size(rng),
      mode: rng.chance(0.1) ? 'abort' : rng.chance(0.5) ? 'server-first' : 'client-first',
      abortAfterUs: rng.int(0, 3e6),
      done: false,
    };
    const check = new Checker(plan.id, 1, report);
    let sent = 0;
    let finished = false;
    const finish = (how: 'completed' | 'aborted' | 'failed') => {
      if (finished) return;
      finished = true;
      if (how === 'completed') {
        report.completed++;
        report.bytesVerified += plan.up + plan.down;
      } else if (how === 'failed') report.failedConnects++;
      else report.aborted++;
    };
    let conn: TcpConnection;
    try {
      conn = cl.host.tcp.connect(
        net.hosts.get('server')?.interfaces[clients.indexOf(cl)]?.addr ?? 0,
        SERVER_PORT,
        {
          observer: (ev) => {
            if (ev === 'established' || ev === 'writable') {
              sent = pump(conn, plan.id, 0, sent, plan.up);
              if (sent === plan.up && plan.mode !== 'abort') conn.shutdownWrite(sim.now());
            }
            if (ev === 'readable' || ev === 'fin') {
              for (let n = conn.readInto(buf, sim.now()); n > 0; n = conn.readInto(buf, sim.now()))
                check.take(buf, n);
              if (conn.eof && plan.mode !== 'abort') {
                if (check.got !== plan.down) report.shortTransfers++;
                else if (sent === plan.up) finish('completed');
                conn.close(sim.now());
              }
            }
            if (ev === 'error') finish(conn.state === 'CLOSED' && !conn.reported ? 'failed' : 'aborted');
            if (ev === 'closed') {
              cl.conns.delete(conn);
              finish(conn.reported ? 'aborted' : 'failed');
            }
          },
        },
      );
    } catch {
      report.failedConnects++;
      return;
    }
    report.opened++;
    plans.set(key(conn.tuple.localAddr, conn.tuple.localPort), plan);
    cl.conns.add(conn);
    if (plan.mode === 'abort') {
      sim.after(plan.abortAfterUs, () => {
        if (conn.state !== 'CLOSED') conn.abort(sim.now());
        finish('aborted');
      });
    }
  };

  const churnEnd = o.hours * 3600e6;
  for (const cl of clients) {
    const next = () => {
      if (sim.now() >= churnEnd) return;
      open(cl);
      sim.after(Math.max(1, Math.round(-Math.log(1 - rng.next()) * meanGapUs)), next);
    };
    sim.after(rng.int(0, meanGapUs), next);
    // Now and then the client vanishes mid-connection and comes back later.
    const vanish = () => {
      if (sim.now() >= churnEnd) return;
      cl.down = true;
      report.vanished++;
      cl.link.setDown(true);
      // Its state is lost without a word (the resets go nowhere): what the server holds must time out.
      for (const c of [...cl.conns]) c.abort(sim.now());
      sim.after(rng.int(60e6, 40 * 60e6), () => {
        cl.down = false;
        cl.link.setDown(false);
      });
      sim.after(rng.int(1, 6 * 3600e6), vanish);
    };
    // The first vanishing comes within the first half of the run, so even a short soak has one.
    sim.after(rng.int(1, Math.min(6 * 3600e6, churnEnd / 2)), vanish);
  }

  const sample = () => {
    let sockets = 0;
    for (const h of net.hosts.values()) {
      sockets += h.tcp.connections.size;
      report.memoryHighWater = Math.max(report.memoryHighWater, h.tcp.memoryAllocated);
    }
    report.socketsHighWater = Math.max(report.socketsHighWater, sockets);
  };
  for (let t = 0; t < churnEnd; t += 1e6) {
    sim.run({ until: Math.min(churnEnd, t + 1e6) });
    sample();
    if ((t + 1e6) % 3600e6 === 0) {
      if (o.heapUsed) report.heapHighWater = Math.max(report.heapHighWater, o.heapUsed());
      o.onHour?.(report);
    }
  }
  // The drain: no new connections; an hour for every timer (keepalive, retries, TIME-WAIT) to end.
  for (const cl of clients) cl.link.setDown(false);
  sim.run({ until: churnEnd + 3600e6 });
  server.tcp.closeListener(listener);
  for (const h of net.hosts.values()) {
    report.socketsLeft += h.tcp.connections.size;
    report.memoryLeft += h.tcp.memoryAllocated + h.fragmentMemory;
    for (const c of h.tcp.connections.values())
      report.leftStates.push(`${h.name} ${c.state} ${formatIpv4(c.tuple.remoteAddr)}`);
  }
  report.ok =
    report.socketsLeft === 0 &&
    report.memoryLeft === 0 &&
    report.corruptBytes === 0 &&
    report.shortTransfers === 0;
  return report;
}
