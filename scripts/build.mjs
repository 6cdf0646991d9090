// Builds the CLI: tsc compiles src/ to dist/ (ESM), and esbuild bundles the cache-hit entry
// (src/fast/hit.ts) into one CommonJS file, because kubectl starts a fresh process on every
// command and a single CJS file is the cheapest thing Node can load (see docs/benchmarks.md).
// The build goes to a fresh folder that replaces dist/ only when complete, so a failed build or a
// test run started meanwhile never sees half a dist/.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = join(root, `.dist-${process.pid}`);

try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', out], {
    stdio: 'inherit',
    cwd: root,
  });
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'src/fast/hit.ts')],
    outfile: join(out, 'fast-hit.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The keychain module is native: it must stay a plain require of the installed package.
    external: ['@napi-rs/keyring'],
    logLevel: 'warning',
  });
  const old = join(root, `.dist-old-${process.pid}`);
  try {
    renameSync(join(root, 'dist'), old);
  } catch {
    // No previous build.
  }
  renameSync(out, join(root, 'dist'));
  rmSync(old, { recursive: true, force: true });
} catch (error) {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`build failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  process.exit(1);
}
