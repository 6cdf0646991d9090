// Builds the CLI: tsc compiles src/ to dist/ (ESM), and esbuild bundles the cache-hit entry
// (src/fast/hit.ts) into one CommonJS file, because kubectl starts a fresh process on every
// command and a single CJS file is the cheapest thing Node can load (see docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
  cwd: root,
});
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(root, 'src/fast/hit.ts')],
  outfile: join(root, 'dist/fast-hit.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The keychain module is native: it must stay a plain require of the installed package.
  external: ['@napi-rs/keyring'],
  logLevel: 'warning',
});
