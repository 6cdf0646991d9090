// status and logout with the tokens in a real Secret Service (gnome-keyring in a private D-Bus session):
// status reads the identity from the keychain; logout revokes and leaves no keychain item and no file.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyringSession, missingKeyringTool, startKeyringSession, warnKeyringSkipped } from '../../support/keyring-session.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { cacheKey } from '../../../src/cache/key.js';
import type { EntryFile } from '../../../src/cache/entry-file.js';
import { KeychainTokenStore } from '../../../src/cache/keychain-store.js';
import { collectingLogger } from '../../unit/cache/memory-keychain.js';
import { cacheFiles, credential, expectNoIssuedToken, machine, refreshAtProvider, runWithFlags } from './harness.js';

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

  it('answers a cache hit from one keychain item, and from an entry cut into several items by earlier versions', async () => {
    const m = machine(provider, ['--token-cache-storage=keyring']);
    const login = await m.run([], { env });
    expect(login.code, login.stderr).toBe(0);
    const entry = (): EntryFile => JSON.parse(readFileSync(m.entryPath(), 'utf8')) as EntryFile;
    expect(entry().keychain?.chunks).toBe(1);
    const token = credential(login).status.token;
    const issued = provider.issuedTokens().length;
    // Rewrite the same tokens in several items, as earlier versions did on every platform (forced small items).
    const bus = process.env['DBUS_SESSION_BUS_ADDRESS'];
    process.env['DBUS_SESSION_BUS_ADDRESS'] = session.vars['DBUS_SESSION_BUS_ADDRESS'];
    try {
      const key = cacheKey(entry().key);
      const store = new KeychainTokenStore(m.cacheDir, collectingLogger().logger, { chunkChars: 300 });
      const tokens = await store.read(key);
      expect(tokens?.idToken).toBe(token);
      await store.write(key, tokens as NonNullable<typeof tokens>);
    } finally {
      if (bus === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
      else process.env['DBUS_SESSION_BUS_ADDRESS'] = bus;
    }
    expect(entry().keychain?.chunks).toBeGreaterThan(2);
    const hit = await m.run([], { env });
    expect(hit.code, hit.stderr).toBe(0);
    expect(credential(hit).status.token).toBe(token);
    expect(provider.issuedTokens().length).toBe(issued);
    expect(hit.stderr).toBe('');
  });
});

