// Background callers (editors, TUIs, kubectl with no terminal): KUBERNETES_EXEC_INFO says
// spec.interactive false, stdin is /dev/null and stderr is a pipe. --no-login never starts a login,
// never opens a browser and never waits; a login that does start still prints its URL.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { loginDriverEnv, readDriverLog } from '../../support/login-driver-control.js';
import { loginDriverScript } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { cleanEnv, credentialOf, execInfo, freshHome } from './harness.js';

describe('background callers', () => {
  let provider: TestProvider;
  let flags: string[];
  beforeAll(async () => {
    // A short-lived ID token, so that a refresh can be exercised without waiting long.
    provider = await startProvider({ idTokenTtlSeconds: 4 });
    flags = [
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      '--oidc-extra-scope=email,groups,offline_access',
      '--token-cache-storage=disk',
      '--listen-address=127.0.0.1:0',
      `--browser-command=${process.execPath} ${loginDriverScript}`,
    ];
  });
  afterAll(() => provider?.stop());

  const run = (home: string, extra: string[] = []) =>
    runCli(['get-token', ...flags, ...extra], { env: { ...cleanEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }), ...loginDriverEnv({ log: join(home, 'driver.log') }) } });

  it('--no-login with nothing cached fails at once with one line naming the command, and contacts nobody', async () => {
    const home = freshHome();
    const before = provider.counts().total;
    const result = await run(home, ['--no-login']);
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'kube-login: could not get a token: no valid or refreshable token is cached, and --no-login forbids starting a login\n' +
        `  fix: log in once from a terminal (later calls use the cached token): kube-login get-token ${flags.map((flag) => (flag.includes(' ') ? `'${flag}'` : flag)).join(' ')}\n`,
    );
    // Bounded far below a login (180 s) or a lock wait (200 s): it failed at once, it did not wait.
    expect(result.durationMs).toBeLessThan(15_000);
    expect(provider.counts().total).toBe(before);
    expect(readDriverLog(join(home, 'driver.log')).launches).toBe(0);
  });

  it('a login started in the background still prints the URL; then --no-login uses the cache and, once expired, the refresh token', async () => {
    const home = freshHome();
    const login = await run(home);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/If it does not open, visit:\n\n {4}http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    const token = credentialOf({ ...login, output: login.stderr }).status.token;

    const hit = await run(home, ['--no-login']);
    expect(hit.code, hit.stderr).toBe(0);
    expect(credentialOf({ ...hit, output: hit.stderr }).status.token).toBe(token);

    // Past the ID token's 4 s life: --no-login refreshes (no person needed) and still opens nothing.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    const refreshes = provider.counts().refreshToken;
    const refreshed = await run(home, ['--no-login']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(credentialOf({ ...refreshed, output: refreshed.stderr }).status.token).not.toBe(token);
    expect(provider.counts().refreshToken).toBe(refreshes + 1);
    expect(readDriverLog(join(home, 'driver.log')).launches).toBe(1);
  });

  it('--no-login with a dead refresh token says why in one line and fails without a browser', async () => {
    const home = freshHome();
    expect((await run(home)).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    await provider.killRefreshTokens();
    const result = await run(home, ['--no-login']);
    expect(result.code).toBe(6);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^kube-login: warning: could not refresh the token: .*invalid_grant.*; --no-login forbids a new login$/);
    expect(lines[1]).toBe('kube-login: could not get a token: no valid or refreshable token is cached, and --no-login forbids starting a login');
    expect(readDriverLog(join(home, 'driver.log')).launches).toBe(1);
  });
});
