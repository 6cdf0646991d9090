// The password grant (ROPC, RFC 6749 4.3) through the built CLI against oidc-provider, which gets the
// grant back through registerGrantType (password-grant.ts): --password, the no-echo prompt on a
// pseudo-terminal, a wrong password, and the refusal when a prompt is needed and there is no terminal.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { claimsOf, cleanEnv, credentialOf, freshHome, startCli } from './harness.js';
import { passwordGrantType } from './password-grant.js';

const PASSWORD = 'correct-horse-battery-staple';

describe('password grant', () => {
  let provider: TestProvider;
  let flags: string[];
  beforeAll(async () => {
    provider = await startProvider({ password: PASSWORD, extraGrantTypes: [passwordGrantType('demo-user', PASSWORD, () => provider.user)] });
    flags = [
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      '--oidc-extra-scope=email,groups',
      '--token-cache-storage=disk',
      '--grant-type=password',
      '--username=demo-user',
    ];
  });
  afterAll(() => provider?.stop());

  it('logs in with --password, never prints it, and answers later calls from the cache', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags, `--password=${PASSWORD}`], { env: cleanEnv(home) });
    expect(result.code, result.stderr).toBe(0);
    expect(claimsOf(credentialOf({ ...result, output: result.stderr }).status.token)).toMatchObject({ iss: provider.issuer, sub: 'demo-user', groups: ['developers', 'viewers'] });
    expect(result.stderr).toBe('kube-login: logged in as demo@example.com\n');
    const cacheDir = join(home, '.kube', 'cache', 'kube-login');
    for (const name of readdirSync(cacheDir)) expect(readFileSync(join(cacheDir, name), 'utf8')).not.toContain(PASSWORD);
    const before = provider.counts().total;
    const hit = await runCli(['get-token', ...flags, `--password=${PASSWORD}`], { env: cleanEnv(home) });
    expect(hit.code, hit.stderr).toBe(0);
    expect(provider.counts().total).toBe(before);
  });

  it('asks for the password on the terminal with the echo off', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags], { env: cleanEnv(home), terminal: true });
    await live.waitFor(/Password for demo-user at http:\S+: /);
    live.write(`${PASSWORD}\r`);
    const result = await live.done;
    expect(result.code, result.output).toBe(0);
    expect(claimsOf(credentialOf(result).status.token)['sub']).toBe('demo-user');
    expect(result.output).not.toContain(PASSWORD);
    expect(result.output).not.toContain('correct-horse');
  });

  it('says the password was refused, without echoing it, and exits 5', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags, '--password=wrong-password-123'], { env: cleanEnv(home) });
    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      'kube-login: could not log in with the password grant: the provider refused the username or password for demo-user\n' +
        '  fix: check --username and the password, and run the command again\n',
    );
  });

  it('is refused at once when the password must be asked for and there is no terminal', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags], { env: cleanEnv(home) });
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^kube-login: could not log in with the password grant: it needs a terminal to ask for the password \(--password is not given\), and standard error is not a terminal/);
    expect(result.stderr).toContain(`fix: log in once from a terminal (later calls use the cached token): kube-login get-token ${flags.join(' ')}\n`);
    // Bounded far below a login (180 s): it was refused at once, it did not wait.
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('needs --username', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags.filter((flag) => !flag.startsWith('--username')), `--password=${PASSWORD}`], { env: cleanEnv(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/could not use --grant-type password: --username is missing/);
  });
});
