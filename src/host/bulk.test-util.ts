import { createHash, type Hash } from 'node:crypto';
import { ipv4 } from '../wire/index.js';
import type { PointToPointOptions } from '../link/sim-link.js';
import type { TcpConnection } from '../tcp/connection.js';
import { pair } from './tcp-peer.test-util.js';

/**
 * A deterministic byte stream that a loss, duplicate or reordering would show in the digest:
 * consecutive 32-bit big-endian integers, salted per direction.
 */
function fill(dst: Uint8Array, offset: number, salt: number): void {
  for (let i = 0; i < dst.length; i++) {
    const p = offset + i;
    const word = ((p >>> 2) ^ salt) >>> 0;
    dst[i] = (word >>> (8 * (3 - (p & 3)))) & 255;
  }
}

function expectedDigest(total: number, salt: number): string {
  const h = createHash('sha256');
  const chunk = new Uint8Array(65536);
  for (let off = 0; off < total; off += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, total - off));
    fill(part, off, salt);
    h.update(part);
  }
  return h.digest('hex');
}

/** One direction of a bulk transfer: a writer that keeps the send buffer full, a reader that hashes. */
class Stream {
  sent = 0;
  got = 0;
  finished = false;
  private readonly hash: Hash = createHash('sha256');
  private readonly chunk = new Uint8Array(65536);
  private readonly rbuf = new Uint8Array(65536);
  constructor(
    readonly total: number,
    readonly salt: number,
  ) {}

  pump(c: TcpConnection, now: number): void {
    while (this.sent < this.total) {
      const want = Math.min(this.chunk.length, this.total - this.sent, c.writableBytes);
      if (want <= 0) break;
      const part = this.chunk.subarray(0, want);
      fill(part, this.sent, this.salt);
      const n = c.send(part, now);
      this.sent += n;
      if (n < want) break;
    }
    if (this.sent === this.total && !this.finished) {
      this.finished = true;
      c.shutdownWrite(now);
    }
  }

  drain(c: TcpConnection, now: number): void {
    for (let n = c.readInto(this.rbuf, now); n > 0; n = c.readInto(this.rbuf, now)) {
      this.hash.update(this.rbuf.subarray(0, n));
      this.got += n;
    }
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export interface BulkResult {
  intact: boolean;
  up: number;
  down: number;
  clientState: string;
  serverState: string;
  tables: number;
  simSeconds: number;
  retransmits: number;
  errors: string[];
}

/**
 * The client sends `up` bytes while the server sends `down` bytes, at the same time; both close
 * when done. Received bytes are hashed (SHA-256) and compared with the digest of what was sent.
 */
export function bulkTransfer(
  seed: number,
  up: number,
  down: number,
  link: PointToPointOptions,
  settings: Record<string, number> = {},
  limitUs = 3_600e6,
): BulkResult {
  const { sim, a, b } = pair(seed, link, settings);
  const upStream = new Stream(up, 0x5a5a5a5a);
  const downStream = new Stream(down, 0x3c3c3c3c);
  let server: TcpConnection | null = null;
  const errors: string[] = [];
  const listener = b.tcp.listen(0, 80, 128, () => {
    const c = listener.accept();
    if (!c) return;
    server = c;
    b.tcp.observe(c, (ev, errno) => {
      if (ev === 'error') errors.push(`server ${errno ?? ''} at ${sim.now()}`);
      if (ev === 'readable') upStream.drain(c, sim.now());
      if (ev === 'writable' || ev === 'established') downStream.pump(c, sim.now());
    });
    upStream.drain(c, sim.now());
    downStream.pump(c, sim.now());
  });
  const client = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev, errno) => {
      if (ev === 'error') errors.push(`client ${errno ?? ''} at ${sim.now()}`);
      if (ev === 'established' || ev === 'writable') upStream.pump(client, sim.now());
      if (ev === 'readable') downStream.drain(client, sim.now());
    },
  });
  sim.run({ until: limitUs });
  const intact =
    upStream.got === up &&
    downStream.got === down &&
    upStream.digest() === expectedDigest(up, upStream.salt) &&
    downStream.digest() === expectedDigest(down, downStream.salt);
  const s = server as TcpConnection | null;
  return {
    intact,
    up: upStream.got,
    down: downStream.got,
    clientState: client.state,
    serverState: s?.state ?? 'none',
    tables: a.tcp.connections.size + b.tcp.connections.size,
    simSeconds: sim.now() / 1e6,
    retransmits: a.counters.Tcp.RetransSegs + b.counters.Tcp.RetransSegs,
    errors,
  };
}
