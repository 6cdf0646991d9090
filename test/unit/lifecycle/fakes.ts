// Fakes for the lifecycle use cases (status, logout, doctor): an in-memory session cache that records
// lock and removal order, a provider connection with scripted revoke/refresh, and a fixed clock.
import { type CacheKey, cacheKey } from '../../../src/cache/key.js';
import type { CacheLock, LockHandle } from '../../../src/cache/token-store.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { type GetTokenInput, cacheKeyInputOf, toGetTokenInput } from '../../../src/config/get-token-input.js';
import type { ProviderConnection, TokenResult } from '../../../src/oidc/provider-client.js';
import type { CachedSession, LockStatus, SessionCache } from '../../../src/usecases/status.js';
import { unsignedJwt, utcSeconds } from '../spine/helpers.js';

export { arrayLogger, unsignedJwt } from '../spine/helpers.js';

export const ISSUER = 'https://idp.example.com';
export const CLIENT = 'kubernetes';
/** The fixed clock, in seconds. */
export const NOW = utcSeconds(2030, 1, 1, 12, 0, 0);
export const clock = { now: () => NOW * 1000 };

/** get-token input for the test issuer; extra flags as raw values. */
export function makeInput(extra: { strings?: Record<string, string>; lists?: Record<string, string[]>; booleans?: Record<string, boolean> } = {}): GetTokenInput {
  return toGetTokenInput(
    {
      strings: { 'oidc-issuer-url': ISSUER, 'oidc-client-id': CLIENT, 'token-cache-dir': '/nonexistent/kube-login-test', ...extra.strings },
      lists: { 'oidc-extra-scope': ['email', 'groups', 'offline_access'], ...extra.lists },
      booleans: { ...extra.booleans },
    },
    {},
    '/home/alice',
  );
}

export const keyOf = (input: GetTokenInput): CacheKey => cacheKey(cacheKeyInputOf(input));

/** Claims of a demo user. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: CLIENT, sub: 'alice-sub', email: 'alice@example.com', email_verified: true, groups: ['dev', 'ops'], iat: NOW - 100, exp: NOW + 3500, ...extra };
}

/** A token set issued `age` seconds ago, living `lifetime` seconds. */
export function tokenSet(tag: string, options: { age?: number; lifetime?: number; refreshToken?: string | false; claims?: Record<string, unknown> } = {}): CachedTokens {
  const iat = NOW - (options.age ?? 100);
  const exp = iat + (options.lifetime ?? 3600);
  return {
    idToken: unsignedJwt(claims({ iat, exp, jti: `id-${tag}`, ...options.claims })),
    accessToken: `access-token-${tag}-0123456789`,
    ...(options.refreshToken === false ? {} : { refreshToken: options.refreshToken ?? `refresh-token-${tag}-0123456789` }),
    idTokenIssuedAt: iat,
    idTokenExpiresAt: exp,
    accessTokenIssuedAt: iat,
    accessTokenExpiresAt: iat + 300,
  };
}

/** Every secret string of a token set (for "never printed" assertions). */
export const secretsOf = (tokens: CachedTokens): string[] => [tokens.idToken, tokens.refreshToken, tokens.accessToken].filter((value): value is string => value !== undefined);

/** The in-memory session cache; events record lock/read/write/remove order. */
export class MemorySessionCache implements SessionCache {
  readonly dir = '/cache';
  readonly entries = new Map<string, { session: CachedSession; tokens: CachedTokens }>();
  readonly locks = new Map<string, LockStatus>();
  readFailure: Error | undefined;
  constructor(readonly events: string[] = []) {}

  put(key: CacheKey, tokens: CachedTokens, storage: 'disk' | 'keyring' = 'disk'): CachedSession {
    const { idToken: _i, refreshToken, accessToken: _a, ...times } = tokens;
    const session: CachedSession = {
      id: key.id,
      key: key.input,
      storage,
      times,
      hasRefreshToken: refreshToken !== undefined,
      updatedAt: new Date(NOW * 1000).toISOString(),
      entryFile: `/cache/${key.id}.json`,
      ...(storage === 'keyring' ? { keychainItems: 1 } : {}),
    };
    this.entries.set(key.id, { session, tokens });
    return session;
  }
  async list(): Promise<CachedSession[]> {
    return [...this.entries.values()].map((entry) => entry.session);
  }
  async find(id: string): Promise<CachedSession | undefined> {
    return this.entries.get(id)?.session;
  }
  async readTokens(session: CachedSession): Promise<CachedTokens | undefined> {
    this.events.push(`read ${session.id.slice(0, 6)}`);
    if (this.readFailure) throw this.readFailure;
    const found = this.entries.get(session.id)?.tokens;
    return found && { ...found };
  }
  async writeTokens(session: CachedSession, tokens: CachedTokens): Promise<void> {
    this.events.push(`write ${session.id.slice(0, 6)}`);
    this.put({ id: session.id, input: session.key }, tokens, session.storage);
  }
  async remove(session: CachedSession): Promise<boolean> {
    this.events.push(`remove ${session.id.slice(0, 6)}`);
    return this.entries.delete(session.id);
  }
  async lockState(id: string): Promise<LockStatus> {
    return this.locks.get(id) ?? { state: 'free' };
  }
}

/** A lock that records acquire/release in the events. */
export class RecordingLock implements CacheLock {
  constructor(readonly events: string[]) {}
  async acquire(id: string): Promise<LockHandle> {
    this.events.push(`lock ${id.slice(0, 6)}`);
    return {
      release: async () => {
        this.events.push(`unlock ${id.slice(0, 6)}`);
      },
      setPurpose: async (purpose: string) => {
        this.events.push(`purpose ${purpose}`);
      },
    };
  }
}

/** What the fake provider does. */
export interface FakeProviderScript {
  revoke?: (token: string, hint: string) => Promise<boolean>;
  refresh?: (refreshToken: string) => Promise<TokenResult>;
  metadata?: Record<string, unknown>;
}

/** A ProviderConnection whose revoke/refresh follow the script; calls are recorded. */
export function fakeProvider(script: FakeProviderScript = {}, calls: string[] = []): ProviderConnection {
  const metadata = script.metadata ?? {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/jwks`,
    revocation_endpoint: `${ISSUER}/revoke`,
    end_session_endpoint: `${ISSUER}/logout`,
  };
  const unused = (): never => {
    throw new Error('not used in this test');
  };
  return {
    issuer: ISSUER,
    metadata,
    authorizationUrl: unused,
    exchangeCode: unused,
    deviceAuthorization: unused,
    pollDeviceGrant: unused,
    passwordGrant: unused,
    clientCredentialsGrant: unused,
    async refresh(refreshToken) {
      calls.push(`refresh ${refreshToken}`);
      if (!script.refresh) throw new Error('refresh not scripted');
      return script.refresh(refreshToken);
    },
    async revoke(token, hint) {
      calls.push(`revoke ${hint} ${token}`);
      if (script.revoke) return script.revoke(token, hint);
      return typeof metadata['revocation_endpoint'] === 'string';
    },
    endSessionUrl(idTokenHint) {
      const endpoint = metadata['end_session_endpoint'];
      if (typeof endpoint !== 'string') return undefined;
      const url = new URL(endpoint);
      url.searchParams.set('id_token_hint', idTokenHint);
      return url;
    },
  };
}

/** A validated refresh response. */
export function refreshResult(tag: string, options: { refreshToken?: string; sub?: string; idToken?: boolean } = {}): TokenResult {
  const c = claims({ iat: NOW, exp: NOW + 3600, jti: `id-${tag}`, ...(options.sub ? { sub: options.sub } : {}) });
  return {
    accessToken: `access-token-${tag}-0123456789`,
    expiresIn: 300,
    ...(options.idToken === false ? {} : { idToken: unsignedJwt(c), claims: c as TokenResult['claims'] & object }),
    ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
  };
}
