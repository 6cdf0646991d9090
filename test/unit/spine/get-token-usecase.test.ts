// The get-token use case over fakes and a fixed clock: cache, then refresh, then login, under the
// per-key lock; the rules of RFC 6749 section 6 (rotation) and OIDC Core 12.2 (refreshed identity).
import { describe, expect, it, vi } from 'vitest';
import { type CacheKey, cacheKey } from '../../../src/cache/key.js';
import type { CacheEntrySummary, CacheLock, TokenStore } from '../../../src/cache/token-store.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { type GetTokenInput, cacheKeyInputOf, toGetTokenInput } from '../../../src/config/get-token-input.js';
import { KubeLoginError } from '../../../src/errors.js';
import type { ExecInfo } from '../../../src/kube/exec-info.js';
import type { ProviderConnection, TokenResult } from '../../../src/oidc/provider-client.js';
import type { PendingLogin } from '../../../src/cache/pending-login.js';
import { type GetTokenDeps, getToken, obtainTokens } from '../../../src/usecases/get-token.js';
import { arrayLogger, unsignedJwt, utcSeconds } from './helpers.js';

const ISSUER = 'https://idp.example.com';
const CLIENT = 'kubernetes';
const NOW = utcSeconds(2030, 1, 1, 0, 16, 40); // the fixed clock, in seconds
const V1: ExecInfo = { apiVersion: 'client.authentication.k8s.io/v1', interactive: false };
const V1BETA1: ExecInfo = { apiVersion: 'client.authentication.k8s.io/v1beta1', interactive: false };

function makeInput(extra: Record<string, string | boolean> = {}): GetTokenInput {
  const raw = {
    strings: { 'oidc-issuer-url': ISSUER, 'oidc-client-id': CLIENT, 'token-cache-dir': '/nonexistent/kube-login-test' } as Record<string, string>,
    lists: { 'oidc-extra-scope': ['email'] },
    booleans: {} as Record<string, boolean>,
  };
  for (const [name, value] of Object.entries(extra)) {
    if (typeof value === 'boolean') raw.booleans[name] = value;
    else raw.strings[name] = value;
  }
  return toGetTokenInput(raw, {}, '/home/alice');
}

/** A cached token set whose ID token was issued `age` seconds ago and lives `lifetime` seconds. */
function cachedSet(tag: string, age: number, lifetime: number, refreshToken?: string, sub = 'alice'): CachedTokens {
  const iat = NOW - age;
  const exp = iat + lifetime;
  return {
    idToken: unsignedJwt({ iss: ISSUER, sub, aud: CLIENT, iat, exp, jti: `id-${tag}` }),
    accessToken: `access-token-${tag}-0123456789`,
    idTokenIssuedAt: iat,
    idTokenExpiresAt: exp,
    accessTokenIssuedAt: iat,
    accessTokenExpiresAt: iat + 300,
    ...(refreshToken ? { refreshToken } : {}),
  };
}
const fresh = (rt?: string, tag = 'fresh'): CachedTokens => cachedSet(tag, 100, 3600, rt); // fresh for ~58 more minutes
const inMargin = (rt?: string, tag = 'margin'): CachedTokens => cachedSet(tag, 3570, 3600, rt); // 30 s left, margin 60 s
const expired = (rt?: string, tag = 'expired'): CachedTokens => cachedSet(tag, 7200, 3600, rt);

/** A validated token response as the provider adapter returns it. */
function tokenResult(tag: string, options: { refreshToken?: string; sub?: string; iss?: string; lifetime?: number; iat?: number; idToken?: boolean } = {}): TokenResult {
  const iat = options.iat ?? NOW;
  const exp = iat + (options.lifetime ?? 3600);
  const claims = { iss: options.iss ?? ISSUER, sub: options.sub ?? 'alice', aud: CLIENT, iat, exp, jti: `id-${tag}` };
  return {
    accessToken: `access-token-${tag}-0123456789`,
    expiresIn: 300,
    ...(options.idToken === false ? {} : { idToken: unsignedJwt(claims), claims }),
    ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
  };
}

const invalidGrant = (): KubeLoginError =>
  new KubeLoginError('provider-rejected', 'refresh the token', 'the provider answered invalid_grant: grant request is invalid (HTTP 400)', {
    oauthError: 'invalid_grant',
    fix: 'log in again (run the kubectl command again)',
  });

/** The in-memory TokenStore; every call is recorded in the shared event list. */
class MemoryStore implements TokenStore {
  readonly kind = 'disk' as const;
  readonly entries = new Map<string, CachedTokens>();
  readonly written: CachedTokens[] = [];
  failWrites = false;
  constructor(private readonly events: string[]) {}
  async read(key: CacheKey): Promise<CachedTokens | undefined> {
    this.events.push('read');
    const tokens = this.entries.get(key.id);
    return tokens && { ...tokens };
  }
  async write(key: CacheKey, tokens: CachedTokens): Promise<void> {
    this.events.push('write');
    if (this.failWrites) throw new KubeLoginError('cache', 'write the token cache /x.json', 'ENOSPC: no space left on device');
    this.written.push({ ...tokens });
    this.entries.set(key.id, { ...tokens });
  }
  async remove(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }
  async list(): Promise<CacheEntrySummary[]> {
    return [];
  }
}

interface Options {
  input?: GetTokenInput;
  cached?: CachedTokens;
  refresh?: (refreshToken: string, call: number) => Promise<TokenResult>;
  login?: () => Promise<TokenResult>;
  /** Runs when the lock is granted: what another process did while we waited. */
  whileWaiting?: (store: MemoryStore, key: CacheKey) => void;
}

function harness(options: Options = {}) {
  const input = options.input ?? makeInput();
  const key = cacheKey(cacheKeyInputOf(input));
  const events: string[] = [];
  const store = new MemoryStore(events);
  if (options.cached) store.entries.set(key.id, options.cached);
  const lockIds: string[] = [];
  const lock: CacheLock = {
    acquire: async (id) => {
      lockIds.push(id);
      events.push('acquire');
      options.whileWaiting?.(store, key);
      return { release: async () => void events.push('release') };
    },
  };
  let refreshCalls = 0;
  const refresh = vi.fn(async (refreshToken: string) => {
    events.push(`refresh:${refreshToken}`);
    if (!options.refresh) throw new Error('unexpected refresh');
    return options.refresh(refreshToken, refreshCalls++);
  });
  const provider: ProviderConnection = {
    issuer: ISSUER,
    metadata: { issuer: ISSUER },
    authorizationUrl: () => {
      throw new Error('the use case must not build authorization URLs itself');
    },
    exchangeCode: () => Promise.reject(new Error('the use case must not exchange codes itself')),
    refresh,
    // The grants run behind the login port, never from the use case itself.
    deviceAuthorization: () => Promise.reject(new Error('the use case must not run grants itself')),
    pollDeviceGrant: () => Promise.reject(new Error('the use case must not run grants itself')),
    passwordGrant: () => Promise.reject(new Error('the use case must not run grants itself')),
    clientCredentialsGrant: () => Promise.reject(new Error('the use case must not run grants itself')),
    revoke: () => Promise.reject(new Error('the use case must not revoke tokens')),
    endSessionUrl: () => undefined,
  };
  const connect = vi.fn(async () => provider);
  const login = vi.fn(async (connection: ProviderConnection) => {
    events.push('login');
    expect(connection).toBe(provider);
    if (!options.login) throw new Error('unexpected login');
    return options.login();
  });
  const log = arrayLogger();
  const deps: GetTokenDeps = { store, lock, clock: { now: () => NOW * 1000 }, logger: log.logger, connect, login };
  return { deps, input, key, events, store, lockIds, refresh, connect, login, lines: log.lines, text: log.text, logger: log.logger };
}

/** The events from the moment the lock was taken. */
const underLock = (events: string[]): string[] => events.slice(events.indexOf('acquire'));

describe('cache hit', () => {
  it('returns a fresh cached token without connecting, refreshing or logging in', async () => {
    const cached = fresh('rt-cached-0123456789');
    const h = harness({ cached });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('cache');
    expect(result.tokens).toEqual(cached);
    expect(h.connect).not.toHaveBeenCalled();
    expect(h.refresh).not.toHaveBeenCalled();
    expect(h.login).not.toHaveBeenCalled();
    expect(h.store.written).toEqual([]);
    expect(h.lines()).toEqual([]);
  });

  it('prints the cached ID token with expirationTimestamp at exp minus the margin', async () => {
    const cached = fresh();
    const h = harness({ cached });
    const out = JSON.parse(await getToken(h.deps, h.input, V1));
    // issued 00:15:00, expires 01:15:00, margin 60 s
    expect(out).toStrictEqual({
      apiVersion: V1.apiVersion,
      kind: 'ExecCredential',
      status: { token: cached.idToken, expirationTimestamp: '2030-01-01T01:14:00Z' },
    });
  });
});

describe('refresh', () => {
  it('refreshes a token inside the margin and saves the rotated refresh token (RFC 6749 section 6)', async () => {
    const refreshed = tokenResult('refreshed', { refreshToken: 'rt-rotated-0123456789' });
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => refreshed });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('refresh');
    expect(h.refresh.mock.calls).toEqual([['rt-old-0123456789']]);
    expect(h.login).not.toHaveBeenCalled();
    const saved = h.store.entries.get(h.key.id);
    expect(saved?.refreshToken).toBe('rt-rotated-0123456789');
    expect(saved?.idToken).toBe(refreshed.idToken);
    expect(saved?.idTokenExpiresAt).toBe(NOW + 3600);
    expect(result.tokens.idToken).toBe(refreshed.idToken);
    expect(h.lines()).toEqual([]);
  });

  it('keeps the old refresh token when the response carries none', async () => {
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => tokenResult('refreshed') });
    await obtainTokens(h.deps, h.input);
    expect(h.store.entries.get(h.key.id)?.refreshToken).toBe('rt-old-0123456789');
  });

  it('refreshes an expired token that has a refresh token', async () => {
    const h = harness({ cached: expired('rt-old-0123456789'), refresh: async () => tokenResult('refreshed') });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('refresh');
  });

  it('refreshes a fresh token with --force-refresh', async () => {
    const h = harness({ input: makeInput({ 'force-refresh': true }), cached: fresh('rt-old-0123456789'), refresh: async () => tokenResult('refreshed') });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('refresh');
    expect(h.refresh).toHaveBeenCalledTimes(1);
  });

  it('logs in after one warning line when the refresh response has no ID token', async () => {
    const fromLogin = tokenResult('login', { refreshToken: 'rt-login-0123456789' });
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => tokenResult('refreshed', { idToken: false }), login: async () => fromLogin });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('login');
    expect(h.lines()).toHaveLength(1);
    expect(h.lines()[0]).toMatch(/ID token/);
    expect(h.store.entries.get(h.key.id)?.idToken).toBe(fromLogin.idToken);
  });

  it('keeps a rotated refresh token before the answer without ID token is discarded, and says what helps in the one line', async () => {
    const fromLogin = tokenResult('login', { refreshToken: 'rt-login-0123456789' });
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      refresh: async () => tokenResult('refreshed', { idToken: false, refreshToken: 'rt-rotated-0123456789' }),
      login: async () => fromLogin,
    });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('login');
    // RFC 9700 4.14.2: the old refresh token is dead at the provider; the new one was saved first.
    expect(h.store.written.map((tokens) => tokens.refreshToken)).toEqual(['rt-rotated-0123456789', 'rt-login-0123456789']);
    expect(h.lines()).toHaveLength(1);
    expect(h.lines()[0]).toMatch(/no ID token on refresh.*logging in again; .*longer lifetime at the provider.*--oidc-use-access-token/);
  });

  it('with --oidc-use-access-token, a refresh that returns an access token and no ID token is a success', async () => {
    const h = harness({
      input: makeInput({ 'oidc-use-access-token': true, 'force-refresh': true }),
      cached: fresh('rt-old-0123456789'),
      refresh: async () => tokenResult('refreshed', { idToken: false, refreshToken: 'rt-rotated-0123456789' }),
    });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('refresh');
    expect(result.tokens.accessToken).toBe('access-token-refreshed-0123456789');
    expect(h.store.entries.get(h.key.id)?.refreshToken).toBe('rt-rotated-0123456789');
    expect(h.lines()).toEqual([]);
  });

  it.each([
    ['sub', { sub: 'mallory' }],
    ['iss', { iss: 'https://evil.example.com' }],
  ] as const)('discards a refreshed ID token with a different %s (OIDC Core 12.2), warns once and logs in', async (claim, change) => {
    const refreshed = tokenResult('refreshed', { ...change, refreshToken: 'rt-rotated-0123456789' });
    const fromLogin = tokenResult('login');
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => refreshed, login: async () => fromLogin });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('login');
    expect(result.tokens.idToken).toBe(fromLogin.idToken);
    // The rotated refresh token is kept first (with the cached ID token), before the ID token check
    // discards the answer (RFC 9700 4.14.2); the login then replaces the entry.
    expect(h.store.written.map((tokens) => [tokens.idToken, tokens.refreshToken])).toEqual([
      [inMargin('rt-old-0123456789').idToken, 'rt-rotated-0123456789'],
      [fromLogin.idToken, fromLogin.refreshToken],
    ]);
    expect(h.lines()).toHaveLength(1);
    expect(h.lines()[0]).toContain(claim);
  });

  it('never uses a refreshed ID token that is already expired; logs in instead', async () => {
    const stale = tokenResult('stale', { iat: NOW - 7200, lifetime: 3600 });
    const fromLogin = tokenResult('login');
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => stale, login: async () => fromLogin });
    const out = JSON.parse(await getToken(h.deps, h.input, V1));
    expect(out.status.token).toBe(fromLogin.idToken);
    expect(h.store.written.map((tokens) => tokens.idToken)).toEqual([fromLogin.idToken]);
  });

  it('uses the tokens another process saved when refresh says invalid_grant and the store now holds another refresh token', async () => {
    const theirs = fresh('rt-theirs-0123456789', 'theirs');
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      refresh: async () => {
        // Another kube-login rotated the refresh token between our read and our refresh.
        h.store.entries.set(h.key.id, theirs);
        throw invalidGrant();
      },
    });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.tokens.idToken).toBe(theirs.idToken);
    expect(h.refresh).toHaveBeenCalledTimes(1);
    expect(h.login).not.toHaveBeenCalled();
    expect(h.lines()).toEqual([]);
  });

  it('refreshes with the refresh token another process saved when its ID token is not fresh either', async () => {
    const theirs = inMargin('rt-theirs-0123456789', 'theirs');
    const refreshed = tokenResult('refreshed', { refreshToken: 'rt-next-0123456789' });
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      refresh: async (refreshToken) => {
        if (refreshToken === 'rt-old-0123456789') {
          h.store.entries.set(h.key.id, theirs);
          throw invalidGrant();
        }
        return refreshed;
      },
    });
    const result = await obtainTokens(h.deps, h.input);
    expect(h.refresh.mock.calls).toEqual([['rt-old-0123456789'], ['rt-theirs-0123456789']]);
    expect(result.source).toBe('refresh');
    expect(result.tokens.idToken).toBe(refreshed.idToken);
    expect(h.store.entries.get(h.key.id)?.refreshToken).toBe('rt-next-0123456789');
    expect(h.login).not.toHaveBeenCalled();
    expect(h.lines()).toEqual([]);
  });

  it('logs in after one warning line on invalid_grant when nobody rotated the refresh token', async () => {
    const fromLogin = tokenResult('login', { refreshToken: 'rt-login-0123456789' });
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => Promise.reject(invalidGrant()), login: async () => fromLogin });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('login');
    expect(h.refresh).toHaveBeenCalledTimes(1);
    expect(h.lines()).toHaveLength(1);
    expect(h.lines()[0]).toContain('invalid_grant');
    expect(h.store.entries.get(h.key.id)?.refreshToken).toBe('rt-login-0123456789');
  });

  it('logs in after one warning line when the other process’s refresh token is dead too', async () => {
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      refresh: async (refreshToken) => {
        if (refreshToken === 'rt-old-0123456789') h.store.entries.set(h.key.id, inMargin('rt-theirs-0123456789', 'theirs'));
        throw invalidGrant();
      },
      login: async () => tokenResult('login'),
    });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('login');
    expect(h.refresh).toHaveBeenCalledTimes(2);
    expect(h.lines()).toHaveLength(1);
  });

  it.each<[string, () => unknown]>([
    ['a translated network error', () => new KubeLoginError('provider-unreachable', 'refresh the token', 'nothing is listening at idp.example.com (connection refused)')],
    ['a raw fetch failure', () => new TypeError('fetch failed')],
  ])('logs in after one warning line on %s during refresh', async (_name, makeError) => {
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => Promise.reject(makeError()), login: async () => tokenResult('login') });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('login');
    expect(h.lines()).toHaveLength(1);
  });
});

describe('login', () => {
  it('logs in when nothing is cached and saves the result', async () => {
    const fromLogin = tokenResult('login', { refreshToken: 'rt-login-0123456789' });
    const h = harness({ login: async () => fromLogin });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.source).toBe('login');
    expect(h.store.entries.get(h.key.id)).toMatchObject({ idToken: fromLogin.idToken, refreshToken: 'rt-login-0123456789', idTokenExpiresAt: NOW + 3600 });
  });

  it('logs in when the cached token is expired and has no refresh token', async () => {
    const h = harness({ cached: expired(), login: async () => tokenResult('login') });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('login');
    expect(h.refresh).not.toHaveBeenCalled();
  });

  it('still prints the token, with one warning, when saving it fails', async () => {
    const fromLogin = tokenResult('login');
    const h = harness({ login: async () => fromLogin });
    h.store.failWrites = true;
    const out = JSON.parse(await getToken(h.deps, h.input, V1));
    expect(out.status.token).toBe(fromLogin.idToken);
    expect(h.lines()).toHaveLength(1);
    expect(h.events.at(-1)).toBe('release');
  });
});

describe('--no-login', () => {
  const expectLoginRequired = async (h: ReturnType<typeof harness>): Promise<void> => {
    const error = await obtainTokens(h.deps, h.input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('login-required');
    expect(h.login).not.toHaveBeenCalled();
    // With nothing to refresh it fails before queueing for the lock; a lock it took is released.
    expect(h.events.filter((event) => event === 'release')).toHaveLength(h.events.filter((event) => event === 'acquire').length);
  };

  it('fails with login-required when nothing is cached', async () => {
    const h = harness({ input: makeInput({ 'no-login': true }) });
    await expectLoginRequired(h);
    expect(h.connect).not.toHaveBeenCalled();
  });

  it('fails with login-required when the cached token is expired and cannot be refreshed', async () => {
    await expectLoginRequired(harness({ input: makeInput({ 'no-login': true }), cached: expired() }));
  });

  it('fails with login-required when the refresh token is dead, without claiming to log in', async () => {
    const h = harness({ input: makeInput({ 'no-login': true }), cached: inMargin('rt-old-0123456789'), refresh: async () => Promise.reject(invalidGrant()) });
    await expectLoginRequired(h);
    // The one warning line tells what happened; it must not announce a login that --no-login forbids.
    expect(h.lines()).toHaveLength(1);
    expect(h.lines()[0]).not.toMatch(/logging in/i);
  });

  it('still refreshes', async () => {
    const h = harness({ input: makeInput({ 'no-login': true }), cached: inMargin('rt-old-0123456789'), refresh: async () => tokenResult('refreshed') });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('refresh');
  });

  it('still uses the cache', async () => {
    const h = harness({ input: makeInput({ 'no-login': true }), cached: fresh() });
    expect((await obtainTokens(h.deps, h.input)).source).toBe('cache');
  });
});

describe('the per-key lock', () => {
  it('refresh runs as lock → re-read → refresh → write → release, on this key', async () => {
    const h = harness({ cached: inMargin('rt-old-0123456789'), refresh: async () => tokenResult('refreshed') });
    await obtainTokens(h.deps, h.input);
    expect(underLock(h.events)).toEqual(['acquire', 'read', 'refresh:rt-old-0123456789', 'write', 'release']);
    expect(h.lockIds).toEqual([h.key.id]);
  });

  it('login runs as lock → re-read → login → write → release', async () => {
    const h = harness({ login: async () => tokenResult('login') });
    await obtainTokens(h.deps, h.input);
    expect(underLock(h.events)).toEqual(['acquire', 'read', 'login', 'write', 'release']);
  });

  it('is released when the login throws, and nothing is written', async () => {
    const failure = new KubeLoginError('login-timeout', 'log in', 'nobody completed the login within 180 seconds');
    const h = harness({ login: async () => Promise.reject(failure) });
    await expect(obtainTokens(h.deps, h.input)).rejects.toBe(failure);
    expect(underLock(h.events)).toEqual(['acquire', 'read', 'login', 'release']);
    expect(h.store.written).toEqual([]);
  });

  it('is released when the refresh and the login both fail', async () => {
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      refresh: async () => Promise.reject(invalidGrant()),
      login: async () => Promise.reject(new KubeLoginError('login-cancelled', 'log in', 'interrupted')),
    });
    await expect(obtainTokens(h.deps, h.input)).rejects.toBeInstanceOf(KubeLoginError);
    expect(h.events.at(-1)).toBe('release');
    expect(h.events.filter((event) => event === 'release')).toHaveLength(1);
  });

  it('uses what another process saved while we waited for the lock, without refreshing', async () => {
    const theirs = fresh('rt-theirs-0123456789', 'theirs');
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      whileWaiting: (store, key) => store.entries.set(key.id, theirs),
    });
    const result = await obtainTokens(h.deps, h.input);
    expect(result.tokens.idToken).toBe(theirs.idToken);
    expect(h.refresh).not.toHaveBeenCalled();
    expect(h.login).not.toHaveBeenCalled();
    expect(underLock(h.events)).toEqual(['acquire', 'read', 'release']);
  });
});

describe('output', () => {
  it('prints the new ID token after a login with expirationTimestamp at exp minus the margin, in the requested apiVersion', async () => {
    const fromLogin = tokenResult('login');
    const h = harness({ login: async () => fromLogin });
    const text = await getToken(h.deps, h.input, V1BETA1);
    expect(text.endsWith('\n')).toBe(true);
    // iat 00:16:40, exp 01:16:40, margin 60 s
    expect(JSON.parse(text)).toStrictEqual({
      apiVersion: V1BETA1.apiVersion,
      kind: 'ExecCredential',
      status: { token: fromLogin.idToken, expirationTimestamp: '2030-01-01T01:15:40Z' },
    });
  });

  it('prints the access token with --oidc-use-access-token', async () => {
    const h = harness({ input: makeInput({ 'oidc-use-access-token': true }), cached: fresh() });
    const out = JSON.parse(await getToken(h.deps, h.input, V1));
    expect(out.status.token).toBe('access-token-fresh-0123456789');
  });

  it('refuses to print the ID token in place of a missing access token', async () => {
    const noAccess = { ...tokenResult('login'), accessToken: undefined as unknown as string };
    const h = harness({ input: makeInput({ 'oidc-use-access-token': true }), login: async () => noAccess });
    await expect(getToken(h.deps, h.input, V1)).rejects.toBeInstanceOf(KubeLoginError);
  });

  it('never prints an ID token that is already expired when the login returns it (clock skew)', async () => {
    const stale = tokenResult('stale', { iat: NOW - 7200, lifetime: 3600 });
    const h = harness({ login: async () => stale });
    const error = await getToken(h.deps, h.input, V1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('token-invalid');
    expect(h.store.written).toEqual([]);
  });

  it('never prints an expired cached token when refresh and login are impossible', async () => {
    const h = harness({ input: makeInput({ 'no-login': true }), cached: expired() });
    await expect(getToken(h.deps, h.input, V1)).rejects.toBeInstanceOf(KubeLoginError);
  });
});

describe('redaction: every token passes through logger.redactor', () => {
  it('masks the cached tokens and every token of a refresh', async () => {
    const cached = inMargin('rt-old-0123456789');
    const refreshed = tokenResult('refreshed', { refreshToken: 'rt-rotated-0123456789' });
    const h = harness({ cached, refresh: async () => refreshed });
    await obtainTokens(h.deps, h.input);
    const secrets = [cached.idToken, cached.refreshToken, cached.accessToken, refreshed.idToken, refreshed.refreshToken, refreshed.accessToken] as string[];
    h.logger.warn(`leak check: ${secrets.join(' ')}`);
    for (const secret of secrets) expect(h.text()).not.toContain(secret);
    expect(h.text()).toContain('[redacted]');
  });

  it('masks the tokens of a login', async () => {
    const fromLogin = tokenResult('login', { refreshToken: 'rt-login-0123456789' });
    const h = harness({ login: async () => fromLogin });
    await obtainTokens(h.deps, h.input);
    h.logger.info(`${fromLogin.idToken} ${fromLogin.refreshToken} ${fromLogin.accessToken}`);
    for (const secret of [fromLogin.idToken, fromLogin.refreshToken, fromLogin.accessToken] as string[]) expect(h.text()).not.toContain(secret);
  });

  it('masks a cache hit’s tokens', async () => {
    const cached = fresh('rt-cached-0123456789');
    const h = harness({ cached });
    await obtainTokens(h.deps, h.input);
    h.logger.debug('x');
    h.logger.warn(`${cached.idToken} ${cached.refreshToken}`);
    expect(h.text()).not.toContain(cached.idToken);
    expect(h.text()).not.toContain(cached.refreshToken);
  });

  it('keeps a refresh token out of the warning when the provider echoes it in its error', async () => {
    const h = harness({
      cached: inMargin('rt-old-0123456789'),
      refresh: async (refreshToken) =>
        Promise.reject(new KubeLoginError('provider-rejected', 'refresh the token', `the provider answered invalid_request: unknown token ${refreshToken} (HTTP 400)`)),
      login: async () => tokenResult('login'),
    });
    await obtainTokens(h.deps, h.input);
    expect(h.lines()).toHaveLength(1);
    expect(h.text()).not.toContain('rt-old-0123456789');
  });
});

describe('a login started with login --no-wait is pending', () => {
  const pending: PendingLogin = {
    pid: 4242,
    host: 'this-host',
    url: `${ISSUER}/auth?client_id=${CLIENT}&state=not-a-secret`,
    grant: 'authcode',
    expiresAt: '2030-01-01T00:19:40.000Z',
    startedAt: '2030-01-01T00:16:40.000Z',
    logFile: '/home/alice/.kube/cache/kube-login/x.login.log',
  };

  it('a get-token that would log in fails at once naming the URL, without the lock or a login', async () => {
    const h = harness({ cached: expired(), login: async () => tokenResult('new') });
    const lookups: string[] = [];
    h.deps.pendingLogin = async (id) => (lookups.push(id), pending);
    const error = await obtainTokens(h.deps, h.input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('login-required');
    expect((error as KubeLoginError).message).toBe(`could not get a token: a login is waiting for you: open ${pending.url} (until ${pending.expiresAt})`);
    expect(lookups).toEqual([h.key.id]);
    expect(h.events).not.toContain('acquire');
    expect(h.login).not.toHaveBeenCalled();
  });

  it('a cache hit never looks, and a refresh token still refreshes', async () => {
    const hit = harness({ cached: fresh('rt-1') });
    hit.deps.pendingLogin = async () => {
      throw new Error('the cache hit must not look for a pending login');
    };
    expect((await obtainTokens(hit.deps, hit.input)).source).toBe('cache');

    const refreshable = harness({ cached: expired('rt-old-0123456789'), refresh: async () => tokenResult('refreshed', { refreshToken: 'rt-new-0123456789' }) });
    refreshable.deps.pendingLogin = async () => pending;
    expect((await obtainTokens(refreshable.deps, refreshable.input)).source).toBe('refresh');
  });
});
