// kubectl starts the plugin in the user's current folder. A Bun executable reads `.env` and
// `bunfig.toml` from there by default, which would let any repository change kube-login's
// environment or preload code into it; the executable is built with both off
// (scripts/build-executable.mjs). From a folder holding both, a run must behave exactly as elsewhere.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { credential, machine } from './harness.js';

describe('get-token run from a folder holding .env and bunfig.toml', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(async () => {
    await provider?.stop();
  });

  it('answers a cache hit and refreshes exactly as from any other folder, reading neither file', async () => {
    const m = machine(provider);
    const login = await m.run();
    expect(login.code, login.stderr).toBe(0);

    const folder = makeTempDir('kube-login-repo-');
    const marker = join(folder, 'preloaded');
    // A proxy that refuses everything, and code that leaves a marker and writes to stdout.
    writeFileSync(join(folder, '.env'), 'HTTP_PROXY=http://127.0.0.1:9\nHTTPS_PROXY=http://127.0.0.1:9\nKUBE_LOGIN_FROM_DOTENV=1\n');
    writeFileSync(join(folder, 'preload.js'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); process.stdout.write('preloaded\\n');\n`);
    writeFileSync(join(folder, 'bunfig.toml'), 'preload = ["./preload.js"]\n[run]\nbun = true\n');

    const elsewhere = await m.run();
    const here = await m.run([], { cwd: folder });
    expect(here.code, here.stderr).toBe(0);
    expect(here.stdout).toBe(elsewhere.stdout);
    expect(here.stderr).toBe(elsewhere.stderr);
    expect(credential(here).status.token).toBe(credential(login).status.token);

    const refreshes = provider.counts().refreshToken;
    const refreshed = await m.run(['--force-refresh'], { cwd: folder });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(provider.counts().refreshToken).toBe(refreshes + 1);
    expect(existsSync(marker)).toBe(false);
  });
});
