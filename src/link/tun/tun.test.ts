import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tunAvailability } from './tun-device-node.js';

const probe = fileURLToPath(new URL('./tun-probe-node.js', import.meta.url));

function whyNot(): string | null {
  const a = tunAvailability();
  if (!a.ok) return a.reason;
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 (ip) is not installed';
  if (spawnSync('ping', ['-V']).status !== 0) return 'ping (iputils-ping) is not installed';
  return null;
}

test('a TUN device exchanges ICMP echo with the kernel, inside a namespace of its own', async (t) => {
  const reason = whyNot();
  if (reason) {
    t.skip(`TUN test skipped: ${reason}`);
    return;
  }
  const ns = `synack-tun-${process.pid}`;
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0, 'ip netns add failed');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, probe], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.startsWith('ready') && !out.includes('"name"') && !out.includes('pinged')) {
          out += 'pinged\n';
          // The kernel (in the namespace) pings the synack side of the TUN link.
          spawn('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '2', '192.0.2.2'], { stdio: 'ignore' });
        }
      });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    const line = out.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `probe printed no result (exit ${code}): ${err}`);
    const seen = JSON.parse(line) as { kernelReply: boolean; kernelRequest: boolean };
    assert.ok(seen.kernelReply, 'the kernel answered our echo request through the TUN device');
    assert.ok(seen.kernelRequest, "the kernel's ping arrived on the TUN device");
    assert.equal(code, 0);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
});
