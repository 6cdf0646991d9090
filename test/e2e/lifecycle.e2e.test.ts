// The session lifecycle through the real kubectl: log in by running kubectl, see the session with
// status, check it with doctor (whose refresh must leave the grant usable), log out, and watch kubectl
// need a new login. The stand-in API server authenticates tokens as kube-apiserver does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type TestApiServer } from '../support/apiserver.js';
import { makeTempHome, runCli } from '../support/cli.js';
import { runKubectl, writeExecKubeconfig } from '../support/kubeconfig.js';
import { loginDriverEnv, readDriverLog } from '../support/login-driver-control.js';
import { kubeLoginArgv, loginDriverScript } from '../support/paths.js';
import { startProvider, type TestProvider } from '../support/provider.js';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';

interface WhoAmI {
  status: { userInfo: { username: string; groups: string[] } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('status, doctor and logout around real kubectl', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  beforeAll(async () => {
    // 4 s ID tokens: the refresh margin is 0 s, so a token is stale exactly at exp.
    provider = await startProvider({ idTokenTtlSeconds: 4 });
    apiserver = await startApiServer({ issuer: provider.issuer, audiences: [provider.publicClientId], usernameClaim: 'email', usernamePrefix: 'oidc:', groupsClaim: 'groups', groupsPrefix: 'oidc:' });
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });

  it('logs in through kubectl, shows the session, keeps the grant alive across doctor, and logs out for real', async () => {
    const home = makeTempHome();
    const log = join(home, 'driver.log');
    const flags = [
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      '--oidc-extra-scope=email,groups,offline_access',
      `--browser-command=${process.execPath} ${loginDriverScript}`,
      '--listen-address=127.0.0.1:0',
      '--token-cache-storage=disk',
    ];
    const kubeconfig = writeExecKubeconfig({ dir: home, server: apiserver.url, caFile: apiserver.caFile, ...kubeLoginArgv(['get-token', ...flags]) });
    const env = { HOME: home, ...loginDriverEnv({ log }) };
    const whoami = async (): Promise<WhoAmI['status']['userInfo']> => {
      const result = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig, env });
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as WhoAmI).status.userInfo;
    };

    const user = await whoami();
    expect(user.username).toBe('oidc:demo@example.com');
    expect(readDriverLog(log).launches).toBe(1);

    const status = await runCli(['status', ...flags], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('identity    demo@example.com (sub demo-user)');
    expect(status.stdout).toContain('refresh     a refresh token is held');

    // doctor on the kubeconfig kubectl used: the API server's view is the one whoami showed.
    const failedRefreshes = provider.counts().failedRefresh;
    const doctor = await runCli(['doctor', '--kubeconfig', kubeconfig], { env: { ...env, KUBECONFIG: undefined } });
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stderr).toContain(`✓ the API server calls you "${user.username}"`);
    expect(doctor.stderr).toContain('✓ refreshing works');

    // After doctor's refresh, the next expiry is refreshed by get-token with the token doctor saved:
    // no invalid_grant, no second login.
    await sleep(4_500);
    const refreshes = provider.counts().refreshToken;
    expect((await whoami()).username).toBe(user.username);
    expect(provider.counts().refreshToken).toBeGreaterThan(refreshes);
    expect(provider.counts().failedRefresh).toBe(failedRefreshes);
    expect(readDriverLog(log).launches).toBe(1);

    const logout = await runCli(['logout', ...flags], { env });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('revoked the refresh token at the provider (RFC 7009)');
    const cacheDir = join(home, '.kube', 'cache', 'kube-login');
    expect(existsSync(cacheDir) ? readdirSync(cacheDir).filter((name) => name.endsWith('.json')) : []).toEqual([]);

    // kubectl now needs a new login.
    expect((await whoami()).username).toBe(user.username);
    expect(readDriverLog(log).launches).toBe(2);
    for (const token of provider.issuedTokens()) {
      expect(status.stdout.includes(token) || doctor.stderr.includes(token) || logout.stderr.includes(token)).toBe(false);
    }
  });
});
