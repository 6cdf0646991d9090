// status and logout with the tokens in a real Secret Service (gnome-keyring in a private D-Bus session):
// status reads the identity from the keychain; logout revokes and leaves no keychain item and no file.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyringSession, missingKeyringTool, startKeyringSession, warnKeyringSkipped } from '../../support/keyring-session.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { cacheFiles, expectNoIssuedToken, machine, refreshAtProvider, runWithFlags } from './harness.js';

const missing = missingKeyringTool();
if (missing) warnKeyringSkipped('status and logout with the OS keychain');

/** The kube-login items secret-tool sees: account → secret. */
async function keychainItems(session: KeyringSession): Promise<Map<string, string>> {
  const out = await session.secretTool('search', '--all', '--unlock', 'service', 'kube-login');
  const items = new Map<string, string>();
  for (const block of out.split(/^\[/m).slice(1)) {
    const account = /^attribute\.username = (.*)$/m.exec(block)?.[1];
    const secret = /^secret = (.*)$/m.exec(block)?.[1];
    if (account !== undefined && secret !== undefined) items.set(account, secret);
  }
  return items;
}

describe.skipIf(missing !== undefined)('status and logout with the OS keychain', () => {
  let provider: TestProvider;
  let session: KeyringSession;
  let env: Record<string, string>;
  beforeAll(async () => {
    provider = await startProvider();
    session = await startKeyringSession();
    // The bus and XDG folders of the session; HOME stays the machine's own.
    const { HOME: _home, ...vars } = session.vars;
    env = vars;
  });
  afterAll(async () => {
    await session?.stop();
    await provider?.stop();
  });

  it('status reads the identity from the keychain; logout revokes and removes every item and the entry file', async () => {
    const m = machine(provider, ['--token-cache-storage=keyring']);
    const login = await m.run([], { env });
    expect(login.code, login.stderr).toBe(0);
    expect(m.entry().secrets).toBeUndefined();
    const items = await keychainItems(session);
    expect(items.size).toBeGreaterThan(0);

    const status = await runWithFlags(m, 'status', [], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('identity    demo@example.com (sub demo-user)');
    expect(status.stdout).toMatch(/storage {5}OS keychain \(\d+ items?, service kube-login\); metadata in /);
    expectNoIssuedToken(provider, status.stdout, status.stderr);

    // The only token response of this provider: id_token, access_token, refresh_token, in that order.
    const issued = provider.issuedTokens();
    expect(issued).toHaveLength(3);
    const refreshToken = issued[2] as string;
    expect([...items.values()].join('')).toContain(refreshToken);
    const logout = await runWithFlags(m, 'logout', [], env);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('deleted the cached tokens (the OS keychain items and the entry file)');
    expect((await keychainItems(session)).size).toBe(0);
    expect(existsSync(m.entryPath())).toBe(false);
    expect(cacheFiles(m)).toEqual([]);
    expect(await refreshAtProvider(provider, refreshToken)).toEqual({ status: 400, error: 'invalid_grant' });
  });
});
