import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { Writable } from 'node:stream';
import type { LinkImpairments } from '../link/fault-model.js';
import { tunAvailability } from '../link/tun/tun-device-node.js';
import type { Socket } from '../net/index.js';
import { flag, formatHelp, intFlag, parseArgs, settingFlags, UsageError, type FlagSpec } from './args.js';
import type { Command } from './command.js';
import { startServices, type ServicePorts } from './tun-services.js';
import { openTunSession, type TunSession } from './tun-session.js';

const FLAGS: Record<string, FlagSpec> = {
  name: { value: true, meta: 'NAME', help: 'the interface name (default tun0)' },
  address: { value: true, meta: 'ADDR', help: "synack's address on the link (default 192.0.2.2)" },
  peer: {
    value: true,
    meta: 'ADDR/LEN',
    help: "the kernel's side, configured and brought up (default 192.0.2.1/24)",
  },
  mtu: { value: true, meta: 'BYTES', help: 'the MTU of both sides (default 1500)' },
  http: { value: true, meta: 'PORT', help: 'serve HTTP: GET /bytes/N, POST /sha256, GET / (status)' },
  echo: { value: true, meta: 'PORT', help: 'serve echo (RFC 862)' },
  discard: { value: true, meta: 'PORT', help: 'serve discard (RFC 863)' },
  chargen: { value: true, meta: 'PORT', help: 'serve chargen (RFC 864)' },
  pcap: { value: true, meta: 'FILE', help: 'capture what synack sends and receives' },
  set: {
    value: true,
    repeat: true,
    meta: 'NAME=VALUE',
    help: 'a host setting by its Linux sysctl name (repeatable)',
  },
  delay: { value: true, meta: 'MS', help: 'one-way delay added in each direction' },
  loss: { value: true, meta: 'P', help: 'loss in percent, each direction' },
  reorder: { value: true, meta: 'P', help: 'percent of packets held back so later ones overtake them' },
  duplicate: { value: true, meta: 'P', help: 'percent of packets delivered twice' },
  get: { value: true, meta: 'URL', help: "fetch URL from the kernel's side over synack's TCP, then exit" },
  output: { value: true, meta: 'FILE', help: 'where --get writes the body (default stdout)' },
  help: { value: false, help: 'show this help' },
};

function percent(v: string | undefined, name: string): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!(n >= 0 && n <= 100))
    throw new UsageError(`--${name} must be a percentage in [0, 100], got ${JSON.stringify(v)}`);
  return n / 100;
}

function impairmentsFrom(args: ReturnType<typeof parseArgs>): Partial<LinkImpairments> | null {
  const delayMs = Number(flag(args, 'delay') ?? 0);
  if (!(delayMs >= 0)) throw new UsageError(`--delay must be milliseconds >= 0, got ${flag(args, 'delay')}`);
  const imp: Partial<LinkImpairments> = {
    delayUs: Math.round(delayMs * 1000),
    loss: percent(flag(args, 'loss'), 'loss'),
    reorder: percent(flag(args, 'reorder'), 'reorder'),
    duplicate: percent(flag(args, 'duplicate'), 'duplicate'),
  };
  const any = ['delay', 'loss', 'reorder', 'duplicate'].some((k) => flag(args, k) !== undefined);
  return any ? imp : null;
}

function port(args: ReturnType<typeof parseArgs>, name: string): number | undefined {
  if (flag(args, name) === undefined) return undefined;
  const p = intFlag(args, name, 0);
  if (p < 1 || p > 65535) throw new UsageError(`--${name} must be a port in 1..65535, got ${p}`);
  return p;
}

/** GET url over synack's TCP; the body goes to `out`. Resolves with the HTTP status. */
function fetchOver(session: TunSession, url: URL, out: Writable): Promise<number> {
  return new Promise((resolve, reject) => {
    const portNo = Number(url.port || 80);
    const req = http.get(
      url,
      // No agent: Node's http then asks createConnection for the socket (agent: false would
      // make a fresh Agent, which dials with the kernel's own net).
      {
        headers: { connection: 'close' },
        createConnection: () => session.net.connect(portNo, url.hostname) as never,
      },
      (res) => {
        res.on('error', reject);
        out.on('error', reject);
        res.on('data', (chunk: Buffer) => {
          if (out.write(chunk)) return;
          res.pause();
          out.once('drain', () => res.resume());
        });
        res.on('end', () => {
          const done = (): void =>
            res.complete ? resolve(res.statusCode ?? 0) : reject(new Error('body cut short'));
          // stdout is never ended, only flushed; a file is ended (and so closed).
          if (out === process.stdout) out.write('', done);
          else out.end(done);
        });
      },
    );
    req.on('error', reject);
  });
}

export const tun: Command = {
  name: 'tun',
  summary: 'join the kernel through a TUN device: serve HTTP/echo/discard/chargen, or --get a URL',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(
        formatHelp(
          'synack tun [--name tun0] [--address 192.0.2.2] [--peer 192.0.2.1/24] [--mtu 1500] [--http PORT] ' +
            '[--echo PORT] [--discard PORT] [--chargen PORT] [--pcap FILE] [--set name=value]… [--delay MS] ' +
            '[--loss P] [--reorder P] [--duplicate P] [--get URL [--output FILE]]',
          `${tun.summary}. Prints "ready" once usable; serves until SIGINT/SIGTERM.`,
          FLAGS,
        ),
      );
      return 0;
    }
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    const mtu = intFlag(args, 'mtu', 1500);
    if (mtu < 576 || mtu > 65535) throw new UsageError(`--mtu must be in 576..65535, got ${mtu}`);
    const ports: ServicePorts = {
      http: port(args, 'http'),
      echo: port(args, 'echo'),
      discard: port(args, 'discard'),
      chargen: port(args, 'chargen'),
    };
    const getUrl = flag(args, 'get');
    let url: URL | null = null;
    if (getUrl !== undefined) {
      try {
        url = new URL(getUrl);
      } catch {
        throw new UsageError(`--get needs a URL, got ${JSON.stringify(getUrl)}`);
      }
      if (url.protocol !== 'http:') throw new UsageError('--get fetches http:// URLs only');
    } else if (flag(args, 'output') !== undefined) throw new UsageError('--output goes with --get');
    const settings = settingFlags(args);
    const impairments = impairmentsFrom(args);
    const available = tunAvailability();
    if (!available.ok) {
      console.error(`synack tun: cannot open a TUN device: ${available.reason}`);
      return 1;
    }

    const session = openTunSession({
      name: flag(args, 'name') ?? 'tun0',
      address: flag(args, 'address') ?? '192.0.2.2',
      peer: flag(args, 'peer') ?? '192.0.2.1/24',
      mtu,
      settings,
      impairments,
      pcap: flag(args, 'pcap'),
    });
    const dev = session.tun;
    const imp = session.impaired;
    const status = (): string =>
      [
        `device ${dev.name}: rx ${dev.rxPackets} packets in ${dev.rxBatches} reads (${dev.rxNotIpv4} not IPv4), ` +
          `tx ${dev.txPackets} packets, ${dev.txDropped} refused by the kernel`,
        ...(imp
          ? [
              `fault model out: ${imp.out.stats.delivered} delivered, ${imp.out.stats.totalDropped} dropped, ` +
                `${imp.out.stats.reordered} reordered, ${imp.out.stats.duplicated} duplicated`,
              `fault model in:  ${imp.in.stats.delivered} delivered, ${imp.in.stats.totalDropped} dropped, ` +
                `${imp.in.stats.reordered} reordered, ${imp.in.stats.duplicated} duplicated`,
            ]
          : []),
      ].join('\n');
    const { servers, http: app } = startServices(session.host, session.net, ports, status);
    const conns = new Set<Socket>();
    for (const s of servers) {
      s.on('connection', (c: Socket) => {
        conns.add(c);
        c.once('close', () => conns.delete(c));
      });
    }

    const shutdown = async (): Promise<void> => {
      for (const s of servers) s.close();
      app?.close();
      for (const c of conns) c.end();
      await session.settle(3000);
      for (const c of conns) c.destroy();
      await session.settle(500);
      session.close();
    };

    if (url) {
      const file = flag(args, 'output');
      // The body may be going to stdout: then "ready" goes to stderr.
      (file ? console.log : console.error)('ready');
      const out: Writable = file ? createWriteStream(file) : process.stdout;
      try {
        const status = await fetchOver(session, url, out);
        await shutdown();
        if (status < 200 || status > 299) {
          console.error(`synack tun: ${url.href} answered HTTP ${status}`);
          return 1;
        }
        return 0;
      } catch (err) {
        console.error(`synack tun: fetching ${url.href} failed: ${(err as Error).message}`);
        await shutdown();
        return 1;
      }
    }

    console.log('ready');
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await shutdown();
    return 0;
  },
};
