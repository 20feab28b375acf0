// Builds the optional TUN addon at install time. It never fails the install: where the addon
// cannot be built (no compiler, not Linux), synack works without TUN and says why when asked.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (process.platform !== 'linux') {
  console.log('synack: TUN addon skipped (TUN devices are Linux-only)');
  process.exit(0);
}
const candidates = [];
if (process.env.npm_config_node_gyp) candidates.push([process.execPath, [process.env.npm_config_node_gyp]]);
const bundled = join(
  dirname(process.execPath),
  '..',
  'lib',
  'node_modules',
  'npm',
  'node_modules',
  'node-gyp',
  'bin',
  'node-gyp.js',
);
if (existsSync(bundled)) candidates.push([process.execPath, [bundled]]);
candidates.push(['node-gyp', []]);

// Build against the headers installed with Node when they are there, so no download is needed.
const nodedir =
  process.env.npm_config_nodedir ||
  [join(dirname(process.execPath), '..'), '/usr', '/usr/local'].find((d) =>
    existsSync(join(d, 'include', 'node', 'node_api.h')),
  );
const extra = nodedir ? [`--nodedir=${nodedir}`] : [];

for (const [cmd, pre] of candidates) {
  const r = spawnSync(cmd, [...pre, 'rebuild', ...extra], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status === 0) {
    console.log('synack: TUN addon built');
    process.exit(0);
  }
  if (r.error && r.error.code === 'ENOENT') continue;
  const tail = `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  console.log(
    `synack: TUN addon not built (${tail || `exit ${r.status}`}); everything else works without it`,
  );
  process.exit(0);
}
console.log('synack: TUN addon not built (node-gyp not found); everything else works without it');
