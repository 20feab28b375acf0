/**
 * For the tests of `synack tun` against the Linux kernel: each runs inside a network namespace it
 * creates (`ip netns add`) and deletes afterwards, so no packet ever leaves it. synack's side is
 * 192.0.2.2, the kernel's 192.0.2.1 (TEST-NET-1, RFC 5737).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { tunAvailability } from '../link/tun/tun-device-node.js';
import { fillCounterStream } from './tun-services.js';

export const SYNACK = '192.0.2.2';
export const KERNEL = '192.0.2.1';
const BIN = fileURLToPath(new URL('../../bin/synack.js', import.meta.url));

/** Why these tests cannot run here, or null. */
export function whyNot(tools: string[]): string | null {
  const a = tunAvailability();
  if (!a.ok) return a.reason;
  for (const t of ['ip', ...tools]) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `${t} is not installed`;
  }
  return null;
}

let serial = 0;

export interface Namespace {
  name: string;
  /** Run a program in the namespace; resolves with its exit code and output. */
  run(cmd: string, args: string[], opts?: { input?: Uint8Array; stdout?: (d: Buffer) => void }): Promise<Run>;
  /** Start a program in the namespace. */
  spawn(cmd: string, args: string[]): ChildProcess;
  /** `synack tun ARGS…` in the namespace, resolved once it has printed "ready". */
  synack(args: string[]): Promise<Synack>;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Synack {
  child: ChildProcess;
  output(): string;
  /** SIGINT, then its exit code. */
  stop(): Promise<number>;
}

/** Create a namespace, run `fn` in it, and delete it (and whatever runs in it) afterwards. */
export async function withNamespace<T>(fn: (ns: Namespace) => Promise<T>): Promise<T> {
  const name = `synack-t${process.pid}-${serial++}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add ${name}: ${add.stderr}`);
  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[]): ChildProcess => {
    const c = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(c);
    return c;
  };
  const ns: Namespace = {
    name,
    spawn: start,
    run(cmd, args, opts = {}) {
      return new Promise((resolve, reject) => {
        const c = start(cmd, args);
        let out = '';
        let err = '';
        c.stdout?.on('data', (d: Buffer) => (opts.stdout ? opts.stdout(d) : (out += d.toString())));
        c.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        c.on('error', reject);
        c.on('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err }));
        if (opts.input) c.stdin?.end(opts.input);
        else c.stdin?.end();
      });
    },
    synack(args) {
      return new Promise((resolve, reject) => {
        const c = start(process.execPath, [BIN, 'tun', ...args]);
        let out = '';
        let ready = false;
        const exited = new Promise<number>((r) => c.on('close', (code) => r(code ?? -1)));
        const onData = (d: Buffer): void => {
          out += d.toString();
          if (!ready && /^ready$/m.test(out)) {
            ready = true;
            resolve({
              child: c,
              output: () => out,
              stop: () => {
                c.kill('SIGINT');
                return exited;
              },
            });
          }
        };
        c.stdout?.on('data', onData);
        c.stderr?.on('data', onData);
        void exited.then((code) => {
          if (!ready) reject(new Error(`synack tun exited (${code}) before ready: ${out}`));
        });
      });
    },
  };
  try {
    return await fn(ns);
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .forEach((pid) => spawnSync('kill', ['-9', pid]));
    spawnSync('ip', ['netns', 'del', name]);
  }
}

/** SHA-256 of the first `n` bytes of GET /bytes/'s stream. */
export function counterStreamSha256(n: number): string {
  const h = createHash('sha256');
  const chunk = new Uint8Array(1 << 20);
  for (let off = 0; off < n; off += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, n - off));
    fillCounterStream(part, off);
    h.update(part);
  }
  return h.digest('hex');
}

/** `n` bytes that are not the counter stream (so an upload cannot pass by echoing it). */
export function uploadBody(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
    b[i + 1] = (x >>> 8) & 255;
    b[i + 2] = (x >>> 16) & 255;
    b[i + 3] = (x >>> 24) & 255;
  }
  return b;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** curl (the kernel's TCP) downloads /bytes/N; resolves with the body's SHA-256. */
export async function curlDownload(ns: Namespace, n: number, port = 80): Promise<string> {
  const h = createHash('sha256');
  const r = await ns.run(
    'curl',
    ['-sS', '--fail', '--max-time', '300', `http://${SYNACK}:${port}/bytes/${n}`],
    {
      stdout: (d) => h.update(d),
    },
  );
  if (r.code !== 0) throw new Error(`curl download failed (${r.code}): ${r.stderr}`);
  return h.digest('hex');
}

/** curl (the kernel's TCP) uploads `body` to POST /sha256; resolves with synack's answer. */
export async function curlUpload(ns: Namespace, body: Uint8Array, port = 80): Promise<string> {
  const r = await ns.run(
    'curl',
    ['-sS', '--fail', '--max-time', '300', '-X', 'POST', '-T', '-', `http://${SYNACK}:${port}/sha256`],
    { input: body },
  );
  if (r.code !== 0) throw new Error(`curl upload failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * N concurrent clients on the kernel's TCP (python's asyncio), each on its own connection: all
 * connect, then each sends one request and reads the whole answer. Prints {"ok": count}.
 */
export const CONCURRENT_CLIENTS_PY = `
import asyncio, json, sys
HOST, PORT, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
state = {'connected': 0}
async def one(i, gate):
    reader, writer = await asyncio.open_connection(HOST, PORT)
    state['connected'] += 1
    if state['connected'] == N:
        gate.set()
    try:
        await asyncio.wait_for(gate.wait(), 60)
    except asyncio.TimeoutError:
        pass
    size = 1000 + i
    writer.write(b'GET /bytes/%d HTTP/1.1\\r\\nHost: synack\\r\\nConnection: close\\r\\n\\r\\n' % size)
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = data.partition(b'\\r\\n\\r\\n')
    return head.startswith(b'HTTP/1.1 200') and len(body) == size
async def main():
    gate = asyncio.Event()
    results = await asyncio.gather(*[one(i, gate) for i in range(N)], return_exceptions=True)
    print(json.dumps({'connected': state['connected'], 'ok': sum(1 for r in results if r is True),
                      'errors': sorted({repr(r) for r in results if r is not True})[:5]}))
asyncio.run(main())
`;

/** tshark on a capture: the frames a display filter selects, as tab-separated `fields`. */
export function tsharkRows(pcap: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync(
    'tshark',
    [
      ...['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y', filter],
      ...['-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

/**
 * Data `sender` put beyond the window its peer offered (RCV.NXT + RCV.WND as last advertised,
 * scaled as the SYNs negotiated), per tshark's reading of the capture: "stream seq-range" lines.
 */
export function outOfWindowData(pcap: string, sender: string): string[] {
  const rows = tsharkRows(pcap, 'tcp', [
    'tcp.stream',
    'ip.src',
    'tcp.seq_raw',
    'tcp.len',
    'tcp.ack_raw',
    'tcp.window_size',
    'tcp.flags.ack',
  ]);
  const edge = new Map<string, number>();
  const bad: string[] = [];
  for (const [stream = '', src, seq, len, ack, win, isAck] of rows) {
    if (src !== sender) {
      if (isAck === '1' || isAck === 'True') edge.set(stream, (Number(ack) + Number(win)) >>> 0);
      continue;
    }
    const right = edge.get(stream);
    const n = Number(len);
    if (right === undefined || n === 0) continue;
    const end = (Number(seq) + n) >>> 0;
    if (((end - right) | 0) > 0) bad.push(`${stream} ${seq}+${n} > ${right}`);
  }
  return bad;
}
