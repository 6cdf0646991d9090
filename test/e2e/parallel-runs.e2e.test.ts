// Many kube-login processes at once, as k9s, helm or a shell loop start them, against oidc-provider
// with refresh-token rotation on (reusing an old refresh token revokes the whole grant): one refresh
// for 32 callers, one login for 8, no wait past the stale-lock timeout after a holder is SIGKILLed,
// and the same through the real kubectl. With the disk store and with the keychain (gnome-keyring).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/cache/key.js';
import { DEFAULT_STALE_MS } from '../../src/cache/file-lock.js';
import { type TestApiServer, startApiServer } from '../support/apiserver.js';
import type { CliResult } from '../support/cli.js';
import { type KeyringSession, missingKeyringTool, startKeyringSession, warnKeyringSkipped } from '../support/keyring-session.js';
import { runKubectl, writeExecKubeconfig } from '../support/kubeconfig.js';
import { loginDriverEnv } from '../support/login-driver-control.js';
import { kubeLogin, kubeLoginArgv } from '../support/paths.js';
import { type TestProvider, startProvider } from '../support/provider.js';
import { childEnv } from '../support/run-process.js';
import { SCOPES, credential, machine, type Machine } from '../integration/get-token/harness.js';

const missing = missingKeyringTool();
if (missing) warnKeyringSkipped('parallel runs with the keychain store');

/** The token printed by each run, failing with the stderr of any run that did not exit 0. */
function tokensOf(results: CliResult[]): string[] {
  for (const result of results) expect(result.code, result.stderr).toBe(0);
  return results.map((result) => credential(result).status.token);
}

/** Makes the cached ID token look expired: the entry file holds the expiry, whatever the storage. */
function expireCachedToken(m: Machine): void {
  const entry = JSON.parse(readFileSync(m.entryPath(), 'utf8')) as { times: { idTokenExpiresAt: number; idTokenIssuedAt: number } };
  const now = Math.floor(Date.now() / 1000);
  entry.times = { ...entry.times, idTokenIssuedAt: now - 301, idTokenExpiresAt: now - 1 };
  writeFileSync(m.entryPath(), JSON.stringify(entry));
}

describe.each([
  { storage: 'disk', needsKeyring: false },
  { storage: 'keyring', needsKeyring: true },
])('parallel get-token with the $storage store', ({ storage, needsKeyring }) => {
  let provider: TestProvider;
  let session: KeyringSession | undefined;
  let apiserver: TestApiServer;
  const skip = needsKeyring && missing !== undefined;

  beforeAll(async () => {
    if (skip) return;
    provider = await startProvider({ rotateRefreshTokens: true });
    apiserver = await startApiServer({ issuer: provider.issuer, audiences: [provider.publicClientId], usernameClaim: 'email' });
    if (needsKeyring) session = await startKeyringSession();
  });
  afterAll(async () => {
    await session?.stop();
    await apiserver?.stop();
    await provider?.stop();
  });

  /** A machine for this store; the keychain session's bus is in every run's environment. */
  const newMachine = (): { m: Machine; env: Record<string, string> } => ({
    m: machine(provider, [`--token-cache-storage=${storage}`]),
    env: session ? { DBUS_SESSION_BUS_ADDRESS: session.vars['DBUS_SESSION_BUS_ADDRESS'] as string } : {},
  });

  it.skipIf(skip)('32 parallel calls on an expired ID token make exactly one refresh request and print the same token', async () => {
    const { m, env } = newMachine();
    const login = await m.run([], { env });
    expect(login.code, login.stderr).toBe(0);
    if (storage === 'keyring') expect(readFileSync(m.entryPath(), 'utf8')).not.toContain(credential(login).status.token);
    // An ID token refreshed within the same second as the login would be byte-identical to it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expireCachedToken(m);
    const before = provider.counts();
    const results = await Promise.all(Array.from({ length: 32 }, () => m.run([], { env, timeoutMs: 120_000 })));
    const tokens = tokensOf(results);
    const after = provider.counts();
    expect(after.refreshToken - before.refreshToken).toBe(1);
    expect(after.failedRefresh - before.failedRefresh).toBe(0);
    expect(after.authorizationCode - before.authorizationCode).toBe(0);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(credential(login).status.token);
    expect(m.driver().launches).toBe(1);
    // The rotated refresh token works: the grant was not revoked by a reuse.
    expireCachedToken(m);
    const again = await m.run([], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(provider.counts().failedRefresh).toBe(before.failedRefresh);
    expect(m.driver().launches).toBe(1);
  }, 180_000);

  it.skipIf(skip)('8 parallel calls with an empty cache make one login, and all 8 succeed with its token', async () => {
    const { m, env } = newMachine();
    const before = provider.counts();
    // The browser stand-in takes 4 s, so that the waiters wait long enough to say what for: up to 1 s
    // in the fast path, then the full CLI tells the user after 1 s more.
    const results = await Promise.all(Array.from({ length: 8 }, () => m.run([], { env, timeoutMs: 120_000, driver: { delayMs: 4_000 } })));
    const tokens = tokensOf(results);
    expect(m.driver().launches).toBe(1);
    expect(provider.counts().authorizationCode - before.authorizationCode).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    const waiting = results.filter((result) => /^kube-login: waiting for another kube-login \(pid \d+\) that is [a-z ]+…$/m.test(result.stderr));
    expect(waiting.length).toBeGreaterThan(0);
  }, 180_000);

  it.skipIf(skip)('a holder SIGKILLed during its login blocks the next call for less than the stale-lock timeout', async () => {
    const { m, env } = newMachine();
    const id = cacheKey({ issuer: provider.issuer, clientId: provider.publicClientId, scopes: SCOPES, extraParams: {} }).id;
    const lockPath = join(m.cacheDir, `${id}.lock`);
    // A login nobody completes: the browser stand-in waits 10 minutes before doing anything.
    const run = kubeLoginArgv(['get-token', ...m.flags]);
    const holder: ChildProcess = spawn(run.command, run.args, {
      cwd: kubeLogin.cwd,
      env: childEnv({ HOME: m.home, ...env, ...loginDriverEnv({ log: m.driverLog, delayMs: 600_000 }) }),
      stdio: 'ignore',
      detached: true,
    });
    const holderExited = new Promise((resolve) => holder.once('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!existsSync(lockPath) || m.driver().launches === 0) {
      if (Date.now() > deadline) throw new Error('the first get-token never took the lock and started its login');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Kill it and its browser stand-in at once, leaving the lock file behind.
    process.kill(-(holder.pid as number), 'SIGKILL');
    await holderExited;
    expect(existsSync(lockPath)).toBe(true);
    const started = Date.now();
    const next = await m.run([], { env, timeoutMs: 60_000 });
    expect(next.code, next.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(DEFAULT_STALE_MS);
    expect(existsSync(lockPath)).toBe(false);
  }, 120_000);

  describe('through the real kubectl', () => {
    const kubeconfigFor = (m: Machine, env: Record<string, string>): string =>
      writeExecKubeconfig({
        dir: m.home,
        server: apiserver.url,
        caFile: apiserver.caFile,
        ...kubeLoginArgv(['get-token', ...m.flags]),
        env: { ...env, ...loginDriverEnv({ log: m.driverLog }) },
      });
    const kubectl = (m: Machine, kubeconfig: string) => runKubectl(['get', '--raw', '/version'], { kubeconfig, env: { HOME: m.home }, timeoutMs: 120_000 });

    it.skipIf(skip)('32 parallel kubectl commands on an expired ID token make exactly one refresh request', async () => {
      const { m, env } = newMachine();
      const kubeconfig = kubeconfigFor(m, env);
      const first = await kubectl(m, kubeconfig);
      expect(first.code, first.stderr).toBe(0);
      expireCachedToken(m);
      const before = provider.counts();
      const results = await Promise.all(Array.from({ length: 32 }, () => kubectl(m, kubeconfig)));
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ major: '1', minor: '32' });
      }
      const after = provider.counts();
      expect(after.refreshToken - before.refreshToken).toBe(1);
      expect(after.failedRefresh - before.failedRefresh).toBe(0);
      expect(after.authorizationCode - before.authorizationCode).toBe(0);
      expect(m.driver().launches).toBe(1);
    }, 240_000);

    it.skipIf(skip)('8 parallel kubectl commands with an empty cache make one login', async () => {
      const { m, env } = newMachine();
      const kubeconfig = kubeconfigFor(m, env);
      const before = provider.counts();
      const results = await Promise.all(Array.from({ length: 8 }, () => kubectl(m, kubeconfig)));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(m.driver().launches).toBe(1);
      expect(provider.counts().authorizationCode - before.authorizationCode).toBe(1);
      expect(apiserver.rejections()).toEqual([]);
    }, 240_000);
  });
});
