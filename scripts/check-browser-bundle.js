// Proves the core (everything below the sockets API) imports no Node built-ins:
// esbuild bundles it for a browser and fails on any node: or built-in import.
import { build } from 'esbuild';

try {
  const result = await build({
    entryPoints: ['src/core.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
  console.log(`browser bundle of the core: ok (${bytes} bytes)`);
} catch (err) {
  console.error('browser bundle of the core failed: the core must not import Node built-ins');
  for (const e of err.errors ?? []) console.error(`  ${e.location?.file}:${e.location?.line}: ${e.text}`);
  process.exit(1);
}
