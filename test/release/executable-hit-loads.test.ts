// The fast path carries over into the single executable: on a cache hit the bundle evaluates no
// OIDC, HTTP, YAML, JWT or CLI library module (they are bundled, and run only on a miss). Checked on
// the executable's bundle built as scripts/build-executable.mjs builds it, with each library module
// recording its evaluation (test/support/bun-probe-build.mjs), and run by the pinned Bun.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toEntryFile } from '../../src/cache/entry-file.js';
import { cacheKey } from '../../src/cache/key.js';
import { hostTarget } from '../../scripts/executable-targets.mjs';
import { repoRoot } from '../support/paths.js';
import { runProcess } from '../support/run-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const bun = join(repoRoot, 'node_modules', '.bin', 'bun');
const FLAGS = ['get-token', '--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=kubernetes', '--token-cache-storage=disk'];

describe('the executable\'s bundle on a cache hit', () => {
  const out = makeTempDir('kube-login-probe-');
  const home = makeTempDir('kube-login-probe-home-');
  const preload = join(out, 'report.cjs');
  beforeAll(async () => {
    const target = hostTarget();
    if (!target) throw new Error(`${process.platform}-${process.arch} is not a release target`);
    const addon = join(repoRoot, 'node_modules', ...target.addonPackage.split('/'), target.addonFile);
    const built = await runProcess(bun, [join(repoRoot, 'test', 'support', 'bun-probe-build.mjs'), out, addon], { timeoutMs: 120_000, cwd: repoRoot });
    expect(built.code, built.stderr).toBe(0);
    writeFileSync(preload, "process.on('exit', () => process.stderr.write(`loaded: ${JSON.stringify([...(globalThis.__kubeLoginLoaded ?? [])].sort())}\\n`));\n");
    // A fresh disk cache entry for FLAGS.
    const key = cacheKey({ issuer: 'https://idp.example.com', clientId: 'kubernetes', scopes: [], extraParams: {} });
    const now = Math.floor(Date.now() / 1000);
    const dir = join(home, '.kube', 'cache', 'kube-login');
    mkdirSync(dir, { recursive: true });
    const entry = toEntryFile(key.input, { idToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJwcm9iZSJ9.c2ln', idTokenIssuedAt: now, idTokenExpiresAt: now + 3600 }, 'disk', new Date());
    writeFileSync(join(dir, `${key.id}.json`), JSON.stringify(entry), { mode: 0o600 });
  }, 150_000);

  const run = (args: string[]) => runProcess(bun, ['--preload', preload, join(out, 'executable.js'), ...args], { env: { HOME: home }, timeoutMs: 30_000, cwd: home });

  it('answers from the cache with no library module evaluated', async () => {
    const hit = await run(FLAGS);
    expect(hit.code, hit.stderr).toBe(0);
    expect(JSON.parse(hit.stdout)).toMatchObject({ kind: 'ExecCredential', status: { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJwcm9iZSJ9.c2ln' } });
    expect(hit.stderr).toBe('loaded: []\n');
  });

  it('evaluates them on a miss (the probe is not blind)', async () => {
    const miss = await run(['apiserver-config', '--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=kubernetes', '--offline']);
    expect(miss.stderr).toMatch(/loaded: \[[^\]]*"commander"/);
    expect(miss.stderr).toMatch(/loaded: \[[^\]]*"yaml"/);
  });
});
