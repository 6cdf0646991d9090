// The device authorization grant (RFC 8628) through the built CLI: end to end against oidc-provider
// with the HTTP login driver on the verification page, and the slow_down / expired_token sequences
// against a scripted stub.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { loginDriverEnv, readDriverLog } from '../../support/login-driver-control.js';
import { loginDriverScript } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { runProcess } from '../../support/run-process.js';
import { startDeviceStub } from './device-stub.js';
import { claimsOf, cleanEnv, credentialOf, freshHome, startCli } from './harness.js';

const DRIVER = `${process.execPath} ${loginDriverScript}`;

function flags(issuer: string, clientId: string, extra: string[] = []): string[] {
  return [`--oidc-issuer-url=${issuer}`, `--oidc-client-id=${clientId}`, '--oidc-extra-scope=email,groups,offline_access', '--token-cache-storage=disk', ...extra];
}

describe('device code grant against oidc-provider', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider?.stop());

  it('prints the code and both URIs, opens the complete URI, polls at the default 5 s, and caches the tokens', async () => {
    const home = freshHome();
    const log = join(home, 'driver.log');
    const args = ['get-token', ...flags(provider.issuer, provider.publicClientId, ['--grant-type=device-code', `--browser-command=${DRIVER}`])];
    const result = await runCli(args, { env: { ...cleanEnv(home), ...loginDriverEnv({ log }) } });
    expect(result.code, result.stderr).toBe(0);
    expect(claimsOf(credentialOf({ ...result, output: result.stderr }).status.token)).toMatchObject({ iss: provider.issuer, sub: 'demo-user', aud: 'kube-login' });
    const code = /open (http:\S+\/device) on any device and enter the code ([A-Z]{4}-[A-Z]{4})$/m.exec(result.stderr);
    expect(code?.[1]).toBe(`${provider.issuer}/device`);
    expect(result.stderr).toContain(`or open ${provider.issuer}/device?user_code=${code?.[2]}, which fills in the code`);
    expect(result.stderr).toContain('logged in as demo@example.com');
    // The browser port got the complete URI: the driver confirmed the code on it.
    expect(readDriverLog(log)).toMatchObject({ launches: 1, results: ['ok'] });
    // oidc-provider sends no `interval`, so the first poll waits the RFC's default 5 s.
    expect(result.durationMs).toBeGreaterThanOrEqual(5000);
    expect(provider.counts().deviceCode).toBeGreaterThanOrEqual(1);

    const before = provider.counts().total;
    const hit = await runCli(args, { env: { ...cleanEnv(home), ...loginDriverEnv({ log }) } });
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stderr).toBe('');
    expect(provider.counts().total).toBe(before);
  });

  it('auto over SSH picks the device code, says why in one line, and finishes when the person approves elsewhere', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags(provider.issuer, provider.publicClientId)], { env: cleanEnv(home, { SSH_CONNECTION: '192.0.2.10 52722 192.0.2.20 22' }) });
    const [, complete] = await live.waitFor(/or open (http:\S+), which fills in the code/);
    // The person opens the URI on their laptop: the HTTP driver plays that browser.
    const person = await runProcess(process.execPath, [loginDriverScript, complete as string], { timeoutMs: 30_000 });
    expect(person.code, person.stdout).toBe(0);
    const result = await live.done;
    expect(result.code, result.output).toBe(0);
    expect(claimsOf(credentialOf(result).status.token)['sub']).toBe('demo-user');
    const notices = result.output.split('\n').filter((line) => line.includes('device code grant'));
    expect(notices).toEqual([
      'kube-login: logging in with a code on another device (device code grant): this is an SSH session (SSH_CONNECTION is set) and the provider supports it; --grant-type authcode overrides',
    ]);
  });

  it('stops at --authentication-timeout-sec with the fix', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags(provider.issuer, provider.publicClientId, ['--grant-type=device-code', '--authentication-timeout-sec=2'])], { env: cleanEnv(home) });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^kube-login: could not log in with the device code: nobody completed the login within 2 seconds\n {2}fix: .*--authentication-timeout-sec/m);
    // Bounded: the timeout fires at 2 s; openid-client may hold the process until its current wait step ends.
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('cancels on Ctrl-C (SIGINT) while polling, with exit code 130', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags(provider.issuer, provider.publicClientId, ['--grant-type=device-code'])], { env: cleanEnv(home) });
    await live.waitFor(/waiting up to/);
    const sent = performance.now();
    live.signal('SIGINT');
    const result = await live.done;
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/^kube-login: could not log in with the device code: interrupted by SIGINT$/m);
    expect(performance.now() - sent).toBeLessThan(15_000);
  });
});

describe('device code grant error sequences (scripted provider stub)', () => {
  it('adds 5 s to the interval after slow_down, for this and later polls (RFC 8628 3.5)', async () => {
    const stub = await startDeviceStub({ interval: 1, script: ['authorization_pending', 'slow_down', 'authorization_pending', 'tokens'] });
    try {
      const home = freshHome();
      const result = await runCli(['get-token', ...flags(stub.issuer, stub.clientId, ['--grant-type=device-code'])], { env: cleanEnv(home), timeoutMs: 40_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(claimsOf(credentialOf({ ...result, output: result.stderr }).status.token)['sub']).toBe('stub-user');
      const times = stub.tokenRequestTimes();
      expect(times).toHaveLength(4);
      const gaps = times.slice(1).map((time, index) => (time - (times[index] as number)) / 1000);
      // pending → the provider's 1 s; slow_down → 1 + 5 = 6 s, and it stays 6 s afterwards.
      expect(gaps[0]).toBeGreaterThanOrEqual(0.95);
      expect(gaps[0]).toBeLessThan(4);
      expect(gaps[1]).toBeGreaterThanOrEqual(5.95);
      expect(gaps[1]).toBeLessThan(9);
      expect(gaps[2]).toBeGreaterThanOrEqual(5.95);
      expect(gaps[2]).toBeLessThan(9);
    } finally {
      await stub.stop();
    }
  }, 60_000);

  it('stops at expired_token with one clear line and the fix', async () => {
    const stub = await startDeviceStub({ interval: 1, script: ['authorization_pending', 'expired_token'] });
    try {
      const home = freshHome();
      const result = await runCli(['get-token', ...flags(stub.issuer, stub.clientId, ['--grant-type=device-code'])], { env: cleanEnv(home) });
      expect(result.code).toBe(5);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines.slice(-2)).toEqual([
        'kube-login: could not log in with the device code: the code expired before the login was approved (expired_token)',
        '  fix: run the command again and enter the new code within 10 minutes',
      ]);
      expect(stub.tokenRequestTimes()).toHaveLength(2);
    } finally {
      await stub.stop();
    }
  });
});
