/**
 * The services `synack tun` offers to real peers: echo (RFC 862), discard (RFC 863), chargen
 * (RFC 864), and an HTTP server (Node's own http over synack's TCP) whose bodies make any
 * corruption, loss, duplication or reordering show in a hash.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Host } from '../host/host.js';
import { flatCounters, formatNstat } from '../host/counters.js';
import { formatSs } from '../host/ss.js';
import type { Server, Socket, SynackNet } from '../net/index.js';

const CHUNK = 64 * 1024;

/**
 * Bytes [from, from + out.length) of the stream of consecutive 8-byte big-endian integers
 * 0, 1, 2, … (what GET /bytes/N serves): any byte lost, repeated or moved changes its SHA-256.
 */
export function fillCounterStream(out: Uint8Array, from: number): void {
  if (from % 8 === 0 && out.length % 8 === 0) {
    // The common case (whole integers): straight into the buffer.
    const v = new DataView(out.buffer, out.byteOffset, out.length);
    const base = from / 8;
    const hi0 = Math.floor(base / 0x100000000);
    for (let i = 0, lo = base >>> 0, hi = hi0; i < out.length; i += 8) {
      v.setUint32(i, hi);
      v.setUint32(i + 4, lo);
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi++;
    }
    return;
  }
  const first = Math.floor(from / 8);
  const skip = from - first * 8;
  const words = Math.ceil((skip + out.length) / 8);
  const tmp = new Uint8Array(words * 8);
  const v = new DataView(tmp.buffer);
  for (let i = 0; i < words; i++) {
    const n = first + i;
    v.setUint32(i * 8, Math.floor(n / 0x100000000));
    v.setUint32(i * 8 + 4, n >>> 0);
  }
  out.set(tmp.subarray(skip, skip + out.length));
}

/** RFC 864: lines of 72 printable characters, each starting one character later than the last. */
function chargenBlock(): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < 95; i++) {
    let line = '';
    for (let j = 0; j < 72; j++) line += String.fromCharCode(32 + ((i + j) % 95));
    lines.push(`${line}\r\n`);
  }
  return new TextEncoder().encode(lines.join(''));
}

function streamUntilClosed(socket: Socket, block: Uint8Array): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(block)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  socket.on('error', () => undefined);
  socket.resume(); // RFC 864: whatever the client sends is thrown away.
  pump();
}

/** GET /bytes/N, POST /sha256, GET / (socket table, counters, and `status()` if given). */
export function httpHandler(host: Host, status?: () => string): http.RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const bytes = /^\/bytes\/(\d+)$/.exec(url);
    if (req.method === 'GET' && bytes) {
      const total = Number(bytes[1]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          const chunk = new Uint8Array(Math.min(CHUNK, total - sent));
          fillCounterStream(chunk, sent);
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    if (req.method === 'POST' && url === '/sha256') {
      const h = createHash('sha256');
      req.on('data', (d: Buffer) => h.update(d));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${h.digest('hex')}\n`);
      });
      return;
    }
    if (req.method === 'GET' && url === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        `synack ${host.name}\n\nsockets (ss -tan):\n${formatSs(host)}\n\ncounters (nstat):\n` +
          `${formatNstat(flatCounters(host.counters))}\n${status ? `\n${status()}\n` : ''}`,
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try GET /, GET /bytes/N or POST /sha256\n');
  };
}

export interface ServicePorts {
  http?: number;
  echo?: number;
  discard?: number;
  chargen?: number;
}

/** Start the services asked for on the host; returns the listening servers and the HTTP server. */
export function startServices(
  host: Host,
  net: SynackNet,
  ports: ServicePorts,
  status?: () => string,
): { servers: Server[]; http: http.Server | null } {
  const servers: Server[] = [];
  const listen = (port: number | undefined, onConn: (s: Socket) => void): void => {
    if (port === undefined) return;
    servers.push(net.createServer(onConn).listen({ port, backlog: 4096 }));
  };
  listen(ports.echo, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  listen(ports.discard, (s) => {
    s.on('error', () => undefined);
    s.resume();
  });
  const block = chargenBlock();
  listen(ports.chargen, (s) => streamUntilClosed(s, block));
  let app: http.Server | null = null;
  if (ports.http !== undefined) {
    const server = http.createServer({ keepAliveTimeout: 5000 }, httpHandler(host, status));
    app = server;
    listen(ports.http, (s) => server.emit('connection', s));
  }
  return { servers, http: app };
}
