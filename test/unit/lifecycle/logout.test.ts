// The logout use case over fakes: revoke (refresh token first), then delete under the per-key lock;
// keep the entry when the refresh token could not be revoked; say so when there is no revocation
// endpoint; open the end-session page with the ID token as hint but never print it.
import { describe, expect, it } from 'vitest';
import type { OpenBrowser } from '../../../src/oidc/browser.js';
import { KubeLoginError } from '../../../src/errors.js';
import type { ProviderConnection } from '../../../src/oidc/provider-client.js';
import { type LogoutInput, logout } from '../../../src/usecases/logout.js';
import { ISSUER, MemorySessionCache, RecordingLock, arrayLogger, fakeProvider, keyOf, makeInput, secretsOf, tokenSet } from './fakes.js';

function setup(provider: ProviderConnection | (() => Promise<ProviderConnection>)) {
  const events: string[] = [];
  const cache = new MemorySessionCache(events);
  const log = arrayLogger();
  const opened: string[] = [];
  const openBrowser: OpenBrowser = async (url) => {
    opened.push(url);
  };
  const deps = {
    cache,
    lock: new RecordingLock(events),
    logger: log.logger,
    connect: typeof provider === 'function' ? provider : async () => provider,
    openBrowser,
  };
  return { events, cache, log, opened, deps };
}

const input = (selection: LogoutInput['selection'], extra: Partial<LogoutInput> = {}): LogoutInput => ({ selection, endSession: false, localOnly: false, skipOpenBrowser: false, ...extra });

describe('logout', () => {
  it('revokes the refresh token, then the access token, then deletes the entry, all under the lock', async () => {
    const calls: string[] = [];
    const { events, cache, log, deps } = setup(fakeProvider({}, calls));
    const key = keyOf(makeInput());
    const tokens = tokenSet('a');
    cache.put(key, tokens);
    const report = await logout(deps, input({ kind: 'one', key }));
    expect(calls).toEqual([`revoke refresh_token ${tokens.refreshToken}`, `revoke access_token ${tokens.accessToken}`]);
    const id = key.id.slice(0, 6);
    expect(events).toEqual([`lock ${id}`, 'purpose logging out', `read ${id}`, `remove ${id}`, `unlock ${id}`]);
    expect(report.outcomes[0]).toMatchObject({ refreshToken: 'revoked', accessToken: 'revoked', removed: true, who: 'alice@example.com' });
    expect(log.lines()).toEqual([
      `kube-login: logged out of ${ISSUER} (client kubernetes) as alice@example.com:`,
      '  revoked the refresh token at the provider (RFC 7009)',
      '  revoked the access token',
      '  deleted the cached tokens (the entry file)',
    ]);
    expect(cache.entries.size).toBe(0);
  });

  it('says that the refresh token stays valid when the provider has no revocation endpoint, and still deletes', async () => {
    const { cache, log, deps } = setup(fakeProvider({ metadata: { issuer: ISSUER } }));
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'), 'keyring');
    await logout(deps, input({ kind: 'one', key }));
    expect(log.text()).toContain('  the provider has no revocation endpoint: the refresh token stays valid until it expires\n');
    expect(log.text()).toContain('deleted the cached tokens (the OS keychain items and the entry file)');
    expect(cache.entries.size).toBe(0);
  });

  it('keeps the entry when the refresh token cannot be revoked, and fails with the provider\'s error code', async () => {
    const unreachable = new KubeLoginError('provider-unreachable', 'revoke the token', 'nothing is listening at idp.example.com (connection refused)');
    const { cache, log, deps } = setup(fakeProvider({ revoke: async () => Promise.reject(unreachable) }));
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'));
    const error = await logout(deps, input({ kind: 'one', key })).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(error).toMatchObject({ code: 'provider-unreachable', reason: 'nothing is listening at idp.example.com (connection refused)' });
    expect((error as KubeLoginError).fix).toContain('--local-only');
    expect(cache.entries.size).toBe(1);
    expect(log.text()).toContain('kept the cached tokens, so that logout can revoke them later');
  });

  it('with --local-only deletes without contacting the provider', async () => {
    let connected = false;
    const { cache, log, deps } = setup(async () => {
      connected = true;
      return fakeProvider();
    });
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'));
    await logout(deps, input({ kind: 'one', key }, { localOnly: true }));
    expect(connected).toBe(false);
    expect(cache.entries.size).toBe(0);
    expect(log.text()).toContain('did not revoke the refresh token (--local-only): it stays valid at the provider until it expires');
  });

  it('treats a failed access-token revocation as a warning (JWT access tokens often cannot be revoked)', async () => {
    const { cache, log, deps } = setup(
      fakeProvider({ revoke: async (_token, hint) => (hint === 'access_token' ? Promise.reject(new KubeLoginError('provider-rejected', 'revoke', 'unsupported_token_type')) : true) }),
    );
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'));
    await logout(deps, input({ kind: 'one', key }));
    expect(cache.entries.size).toBe(0);
    expect(log.text()).toContain('warning: the provider did not revoke the access token (unsupported_token_type); it stays valid until it expires');
  });

  it('opens the end-session page with id_token_hint and prints only a hint-free URL', async () => {
    const { cache, log, opened, deps } = setup(fakeProvider());
    const key = keyOf(makeInput());
    const tokens = tokenSet('a');
    cache.put(key, tokens);
    await logout(deps, input({ kind: 'one', key }, { endSession: true }));
    expect(opened).toHaveLength(1);
    expect(new URL(opened[0]!).searchParams.get('id_token_hint')).toBe(tokens.idToken);
    expect(log.text()).toContain(`${ISSUER}/logout?client_id=kubernetes`);
    for (const secret of secretsOf(tokens)) expect(log.text()).not.toContain(secret);
  });

  it('logs out of every entry with --all, and of nothing when nothing is cached', async () => {
    const { cache, log, deps } = setup(fakeProvider());
    cache.put(keyOf(makeInput()), tokenSet('a'));
    cache.put(keyOf(makeInput({ strings: { 'oidc-client-id': 'other' } })), tokenSet('b'));
    const report = await logout(deps, input({ kind: 'all' }));
    expect(report.outcomes.map((outcome) => outcome.removed)).toEqual([true, true]);
    await logout(deps, input({ kind: 'all' }));
    expect(log.lines().at(-1)).toBe('kube-login: no cached sessions in /cache: nothing to log out of');
  });

  it('refuses to delete what it could not read from the keychain unless --local-only', async () => {
    const { cache, deps } = setup(fakeProvider());
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'), 'keyring');
    cache.readFailure = new KubeLoginError('keychain', 'read the token from the OS keychain', 'the keychain is locked');
    await expect(logout(deps, input({ kind: 'one', key }))).rejects.toMatchObject({ code: 'keychain', reason: 'the keychain is locked' });
    expect(cache.entries.size).toBe(1);
  });
});
