/**
 * `synack bench tun`: throughput between synack and the Linux kernel's TCP through a TUN device,
 * both ways, at MTU 1500 and 65000. Like the tests, it runs entirely inside a network namespace
 * it creates and deletes: `synack tun` on one side, curl (the kernel's TCP) on the other.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './types.js';
import { tunAvailability } from '../../link/tun/tun-device-node.js';

export interface TunBenchResult {
  name: string;
  unit: string;
  synack: number;
  node: number | null;
  ratio: null;
}

const BIN = fileURLToPath(new URL('../../../bin/synack.js', import.meta.url));
const DOWN = 256 << 20;
const UP = 128 << 20;

/** Why the TUN benchmark cannot run here, or null. */
export function tunBenchUnavailable(): string | null {
  const a = tunAvailability();
  if (!a.ok) return a.reason;
  for (const t of ['ip', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `${t} is not installed`;
  }
  return null;
}

function inNs(ns: string, script: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
}

async function measure(ns: string, mtu: number): Promise<TunBenchResult[]> {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, BIN, 'tun', '--http', '80', '--mtu', String(mtu)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^ready$/m.test(out)) resolve();
      });
      child.on('close', (code) => reject(new Error(`synack tun exited (${code}) before ready`)));
    });
    const url = 'http://192.0.2.2/';
    // curl's own averages, bytes per second over the transfer.
    const down = Number(inNs(ns, `curl -sS --fail -o /dev/null -w '%{speed_download}' ${url}bytes/${DOWN}`));
    const up = Number(
      inNs(
        ns,
        `head -c ${UP} /dev/zero | curl -sS --fail -X POST -T - -o /dev/null -w '%{speed_upload}' ${url}sha256`,
      ),
    );
    const row = (dir: string, bps: number): TunBenchResult => ({
      name: `tun-${dir}-mtu${mtu}`,
      unit: 'MB/s',
      synack: bps / 1e6,
      node: null,
      ratio: null,
    });
    return [row('to-kernel', down), row('from-kernel', up)];
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('close', r));
  }
}

/** Throughput to and from the kernel at MTU 1500 and 65000; [] (after saying why) where it cannot run. */
export async function tunBench(): Promise<TunBenchResult[]> {
  const why = tunBenchUnavailable();
  if (why) {
    console.error(`tun benchmark skipped: ${why}`);
    return [];
  }
  const ns = `synack-bench-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', ns]).status !== 0) {
    console.error(`tun benchmark skipped: ip netns add ${ns} failed`);
    return [];
  }
  try {
    return [...(await measure(ns, 1500)), ...(await measure(ns, 65000))];
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

/** The registry's entry: runs where root, /dev/net/tun, ip and curl are all present. */
export const tun: Benchmark = {
  name: 'tun',
  summary: "throughput to and from the Linux kernel's TCP through a TUN device, MTU 1500 and 65000",
  run: () => tunBench(),
};
