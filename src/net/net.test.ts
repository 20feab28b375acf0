import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Network } from '../network.js';
import { createNet, type SynackNet } from './index.js';
import type { Socket } from './socket.js';

function twoHosts(seed: number, loss = 0) {
  const net = new Network({ seed });
  const a = net.host('client');
  const b = net.host('server');
  net.link(a, b, { a: '10.0.0.1/24', b: '10.0.0.2/24', delayMs: 10, loss });
  return { net, client: createNet(a, net.sockets(a)), server: createNet(b, net.sockets(b)) };
}

function once<T = unknown>(e: import('node:events').EventEmitter, ev: string): Promise<T> {
  return new Promise((resolve) => e.once(ev, (v: T) => resolve(v)));
}

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
  });
}

test('echo over net: connect, ready, data, end, close, and what the sockets report', async () => {
  const { net, client, server } = twoHosts(1);
  const srv = server.createServer((s) => s.pipe(s));
  srv.listen(7, '0.0.0.0', 64);
  await once(srv, 'listening');
  assert.deepEqual(srv.address(), { address: '0.0.0.0', family: 'IPv4', port: 7 });
  const c = client.connect(7, '10.0.0.2');
  assert.equal(c.pending, true);
  await once(c, 'connect');
  assert.equal(c.remoteAddress, '10.0.0.2');
  assert.equal(c.remotePort, 7);
  assert.equal(c.localAddress, '10.0.0.1');
  const payload = Buffer.alloc(200_000, 7);
  const got = collect(c);
  const closed = once<boolean>(c, 'close');
  c.end(payload);
  assert.deepEqual(await got, payload);
  assert.equal(await closed, false, 'closed without error');
  assert.equal(c.bytesWritten, 200_000);
  assert.equal(c.bytesRead, 200_000);
  await new Promise<void>((r) => srv.close(() => r()));
  net.close();
});

test("errors carry Node's codes and messages: ECONNREFUSED, EADDRINUSE, ECONNRESET", async () => {
  const { net, client, server } = twoHosts(2);
  const c = client.connect({ port: 9, host: '10.0.0.2' });
  const err = await once<Error & { code: string; syscall: string; address: string; port: number }>(
    c,
    'error',
  );
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.message, 'connect ECONNREFUSED 10.0.0.2:9');
  assert.equal(err.syscall, 'connect');
  const s1 = server.createServer().listen(80);
  await once(s1, 'listening');
  const s2 = server.createServer().listen(80);
  const e2 = await once<Error & { code: string }>(s2, 'error');
  assert.equal(e2.code, 'EADDRINUSE');
  assert.match(e2.message, /address already in use/);
  // resetAndDestroy sends RST: the peer sees ECONNRESET.
  s1.on('connection', (s: Socket) => s.resetAndDestroy());
  const c2 = client.connect(80, '10.0.0.2');
  const e3 = await once<Error & { code: string }>(c2, 'error');
  assert.equal(e3.code, 'ECONNRESET');
  net.close();
});

test('allowHalfOpen keeps our side open after the peer ends; getConnections counts', async () => {
  const { net, client, server } = twoHosts(8);
  const srv = server.createServer({ allowHalfOpen: true }, (s) => {
    s.on('end', () => {
      // The client has finished sending; this side may still answer.
      s.end('answer after your FIN');
    });
    s.resume();
  });
  srv.listen(80);
  await once(srv, 'listening');
  const accepted = once(srv, 'connection');
  const c = client.connect(80, '10.0.0.2');
  await accepted;
  const count = await new Promise<number>((r) => srv.getConnections((_e, n) => r(n)));
  assert.equal(count, 1);
  const got = collect(c);
  c.end('question');
  assert.equal((await got).toString(), 'answer after your FIN');
  net.close();
});

test('setTimeout counts virtual idle time; a simulated minute passes in moments', async () => {
  const { net, client, server } = twoHosts(3);
  server.createServer(() => undefined).listen(80);
  const c = client.connect(80, '10.0.0.2');
  await once(c, 'connect');
  const wall = performance.now();
  const t0 = net.time;
  c.setTimeout(60_000);
  await once(c, 'timeout');
  assert.ok(net.time - t0 >= 60, `${net.time - t0} simulated seconds`);
  assert.ok(performance.now() - wall < 5000, 'far faster than real time');
  c.destroy();
  net.close();
});

test("Node's http over synack with 1% loss: server via 'connection', client via createConnection", async () => {
  const http = await import('node:http');
  const { net, client, server } = twoHosts(4, 0.01);
  const app = http.createServer((req, res) => {
    const h = createHash('sha256');
    req.on('data', (d: Buffer) => h.update(d));
    req.on('end', () => res.end(h.digest('hex')));
  });
  server.createServer((s) => app.emit('connection', s)).listen(80);
  const body = Buffer.alloc(300_000);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 255;
  const answer = await new Promise<string>((resolve, reject) => {
    const req = http.request(
      {
        method: 'POST',
        host: '10.0.0.2',
        port: 80,
        path: '/sha256',
        createConnection: () => client.connect(80, '10.0.0.2'),
      },
      (res) => {
        let d = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (d += c));
        res.on('end', () => resolve(d));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(answer, createHash('sha256').update(body).digest('hex'));
  net.close();
});

export async function selfSignedCert(): Promise<{ key: string; cert: string } | null> {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'synack-tls-'));
  try {
    const r = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=server.synack.test',
      '-addext',
      'subjectAltName=DNS:server.synack.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    if (r.status !== 0) return null;
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("Node's tls over synack with 1% loss: a TLS server on synack sockets and tls.connect({ socket })", async (t) => {
  const tls = await import('node:tls');
  const creds = await selfSignedCert();
  if (!creds) {
    t.skip('openssl is not installed (apt-get install openssl): no certificate for the TLS test');
    return;
  }
  const { net, client, server } = twoHosts(5, 0.01);
  const tlsServer = tls.createServer(creds, (s) => s.pipe(s));
  server.createServer((s) => tlsServer.emit('connection', s)).listen(443);
  const secure = tls.connect({
    socket: client.connect(443, '10.0.0.2'),
    servername: 'server.synack.test',
    ca: creds.cert,
  });
  await once(secure, 'secureConnect');
  assert.equal(secure.authorized, true);
  const data = Buffer.alloc(100_000, 0x5a);
  const parts: Buffer[] = [];
  secure.on('data', (d: Buffer) => parts.push(d));
  secure.write(data);
  while (Buffer.concat(parts).length < data.length) await once(secure, 'data');
  assert.deepEqual(Buffer.concat(parts), data);
  secure.destroy();
  net.close();
});

test('undici over synack with 1% loss, through its connect option', async () => {
  const http = await import('node:http');
  const { Client } = await import('undici');
  const { net, client, server } = twoHosts(6, 0.01);
  const app = http.createServer((req, res) => res.end(`undici says ${req.url}`));
  server.createServer((s) => app.emit('connection', s)).listen(80);
  const u = new Client('http://10.0.0.2', {
    connect: (_opts, cb) => {
      const s = client.connect(80, '10.0.0.2');
      s.once('connect', () => cb(null, s as unknown as import('node:net').Socket));
      s.once('error', (e) => cb(e, null));
    },
  });
  for (const path of ['/one', '/two', '/three']) {
    const r = await u.request({ path, method: 'GET' });
    assert.equal(r.statusCode, 200);
    assert.equal(await r.body.text(), `undici says ${path}`);
  }
  await u.close();
  net.close();
});

test('ws over synack with 1% loss: an upgrade on a synack http server and a client with createConnection', async () => {
  const http = await import('node:http');
  const { WebSocket, WebSocketServer } = await import('ws');
  const { net, client, server } = twoHosts(7, 0.01);
  const app = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  app.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m, bin) => ws.send(m, { binary: bin }))),
  );
  server.createServer((s) => app.emit('connection', s)).listen(80);
  const ws = new WebSocket('ws://10.0.0.2/echo', {
    createConnection: () => client.connect(80, '10.0.0.2') as unknown as import('node:net').Socket,
  });
  await once(ws, 'open');
  const msgs: string[] = [];
  ws.on('message', (m) => msgs.push(String(m)));
  for (let i = 0; i < 20; i++) ws.send(`message ${i} ${'x'.repeat(2000)}`);
  while (msgs.length < 20) await once(ws, 'message');
  assert.deepEqual(
    msgs.map((m) => m.split(' ')[1]),
    Array.from({ length: 20 }, (_, i) => String(i)),
  );
  ws.terminate();
  net.close();
});

export type { SynackNet };
