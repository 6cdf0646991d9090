// The status use case over an in-memory cache and a fixed clock: identity from the cached ID token's
// claims, the expiry state as get-token judges it, storage and lock, and never a token in its output.
import { describe, expect, it } from 'vitest';
import { status, formatStatusJson, formatStatusText, tokenState } from '../../../src/usecases/status.js';
import { CLIENT, ISSUER, MemorySessionCache, NOW, arrayLogger, clock, keyOf, makeInput, secretsOf, tokenSet } from './fakes.js';

describe('status', () => {
  it('shows who the cached ID token names, its expiry, the refresh token, storage and lock, and no token', async () => {
    const cache = new MemorySessionCache();
    const key = keyOf(makeInput());
    const tokens = tokenSet('a');
    cache.put(key, tokens, 'keyring');
    cache.locks.set(key.id, { state: 'held', pid: 4242, host: 'laptop', purpose: 'refreshing the token', since: '2030-01-01T11:59:59.000Z' });
    const { logger } = arrayLogger();
    const report = await status({ cache, clock, logger }, { kind: 'one', key });
    expect(report.sessions).toHaveLength(1);
    const [session] = report.sessions;
    expect(session).toMatchObject({
      issuer: ISSUER,
      clientId: CLIENT,
      loggedIn: true,
      identity: { subject: 'alice-sub', email: 'alice@example.com', groups: ['dev', 'ops'], issuer: ISSUER, audience: [CLIENT] },
      idToken: { state: 'valid', expiresAt: new Date((NOW + 3500) * 1000).toISOString() },
      refreshToken: { held: true },
      storage: { kind: 'keyring', keychainItems: 1 },
      lock: { state: 'held', pid: 4242, host: 'laptop' },
    });
    const text = formatStatusText(report, NOW * 1000);
    const json = formatStatusJson(report);
    expect(text).toContain('identity    alice@example.com (sub alice-sub)');
    expect(text).toContain('groups      dev, ops');
    expect(text).toContain('ID token    valid, expires in 58 min');
    expect(text).toContain('OS keychain (1 item, service kube-login)');
    expect(text).toContain('lock        held by pid 4242 on laptop, refreshing the token since 2030-01-01T11:59:59.000Z');
    for (const secret of secretsOf(tokens)) {
      expect(text).not.toContain(secret);
      expect(json).not.toContain(secret);
    }
    // Nor any part of a JWT (the claims are shown decoded, never encoded).
    for (const part of tokens.idToken!.split('.')) if (part.length > 8) expect(text + json).not.toContain(part);
  });

  it('names expired and refresh-due tokens, a missing refresh token, and a stale lock', async () => {
    const cache = new MemorySessionCache();
    const expired = keyOf(makeInput({ strings: { 'oidc-client-id': 'a' } }));
    const due = keyOf(makeInput({ strings: { 'oidc-client-id': 'b' } }));
    cache.put(expired, tokenSet('x', { age: 7200, lifetime: 3600, refreshToken: false }));
    cache.put(due, tokenSet('y', { age: 3570, lifetime: 3600 }));
    cache.locks.set(expired.id, { state: 'stale', reason: 'its holder (pid 7) has exited', pid: 7, host: 'laptop' });
    const report = await status({ cache, clock, logger: arrayLogger().logger }, { kind: 'all' });
    const byClient = Object.fromEntries(report.sessions.map((session) => [session.clientId, session]));
    expect(byClient['a']?.idToken?.state).toBe('expired');
    expect(byClient['b']?.idToken?.state).toBe('refresh-due');
    const text = formatStatusText(report, NOW * 1000);
    expect(text).toContain('ID token    expired 60 min ago');
    expect(text).toContain('refresh due (the next get-token refreshes it)');
    expect(text).toContain('no refresh token: when the ID token expires, the next kubectl command needs a new login');
    expect(text).toContain('stale (left by pid 7 on laptop: its holder (pid 7) has exited); the next kube-login breaks it');
  });

  it('filters --all by issuer and client, and reports a configuration with nothing cached', async () => {
    const cache = new MemorySessionCache();
    cache.put(keyOf(makeInput()), tokenSet('a'));
    cache.put(keyOf(makeInput({ strings: { 'oidc-issuer-url': 'https://other.example.com' } })), tokenSet('b'));
    const logger = arrayLogger().logger;
    expect((await status({ cache, clock, logger }, { kind: 'all', issuer: ISSUER })).sessions.map((s) => s.issuer)).toEqual([ISSUER]);
    const missing = keyOf(makeInput({ strings: { 'oidc-client-id': 'nobody' } }));
    const report = await status({ cache, clock, logger }, { kind: 'one', key: missing });
    expect(report.sessions).toEqual([expect.objectContaining({ clientId: 'nobody', loggedIn: false, lock: { state: 'free' } })]);
    expect(formatStatusText(report, NOW * 1000)).toContain('not logged in: nothing is cached for this configuration');
    const none = await status({ cache: new MemorySessionCache(), clock, logger }, { kind: 'all' });
    expect(formatStatusText(none, NOW * 1000)).toBe('no cached sessions in /cache\n');
  });

  it('keeps going when the keychain cannot be read: the identity is unknown, the metadata is shown', async () => {
    const cache = new MemorySessionCache();
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'), 'keyring');
    cache.readFailure = Object.assign(new Error('raw'), {});
    const report = await status({ cache, clock, logger: arrayLogger().logger }, { kind: 'one', key });
    expect(report.sessions[0]?.identity).toBeUndefined();
    expect(report.sessions[0]?.problems[0]).toMatch(/^the identity is unknown: could not read the tokens: raw/);
    expect(report.sessions[0]?.idToken?.state).toBe('valid');
  });

  it('judges freshness with get-token\'s margin', () => {
    expect(tokenState(NOW + 100, NOW + 40, NOW * 1000)).toBe('valid');
    expect(tokenState(NOW + 100, NOW, NOW * 1000)).toBe('refresh-due');
    expect(tokenState(NOW, NOW - 60, NOW * 1000)).toBe('expired');
  });
});
