// A token set without an ID token (client credentials): cached with the access token's expiry, fresh
// only for --oidc-use-access-token, stored and read back by the file format and the keychain payload,
// and answered by the cache-hit fast path. Coordinated through the types: TokenSecrets.idToken and
// the ID token times are optional, and expiry.ts answers for either kind of set.
import { describe, expect, it } from 'vitest';
import { bearerToken, freshUntil, isFresh } from '../../../src/cache/expiry.js';
import { parseEntryFile, toEntryFile } from '../../../src/cache/entry-file.js';
import { FileTokenStore } from '../../../src/cache/file-store.js';
import { joinSecrets, splitSecrets } from '../../../src/cache/keychain-chunks.js';
import { cacheKey } from '../../../src/cache/key.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { KubeLoginError } from '../../../src/errors.js';
import { answerFromCache } from '../../../src/fast/hit.js';
import type { TokenResult } from '../../../src/oidc/provider-client.js';
import { idTokenOf, toCachedTokens } from '../../../src/usecases/token-result.js';
import { arrayLogger, tempDir, unsignedJwt, utcSeconds } from '../spine/helpers.js';

const T = utcSeconds(2030, 1, 1);
const ISSUER = 'https://idp.example.com';
const ACCESS = unsignedJwt({ iss: ISSUER, sub: 'ci-robot', aud: 'kubernetes', iat: T, exp: T + 900 });
const ccResult = (extra: Partial<TokenResult> = {}): TokenResult => ({ accessToken: ACCESS, expiresIn: 600, ...extra });

describe('toCachedTokens for an access-token-only response', () => {
  it('caches the access token with its expires_in when accessTokenOnly allows it', () => {
    expect(toCachedTokens(ccResult(), T * 1000, { accessTokenOnly: true })).toEqual({ accessToken: ACCESS, accessTokenIssuedAt: T, accessTokenExpiresAt: T + 600 });
  });

  it('falls back to the exp of a JWT access token (RFC 9068) without expires_in', () => {
    expect(toCachedTokens({ accessToken: ACCESS }, T * 1000, { accessTokenOnly: true }).accessTokenExpiresAt).toBe(T + 900);
  });

  it("takes the JWT's exp when it comes before expires_in: kube-apiserver checks exp, and the answer may arrive late", () => {
    // The token was issued at T and lives 600 s; the answer is read 1 s later and still says 600.
    const late = unsignedJwt({ iss: ISSUER, sub: 'ci-robot', aud: 'kubernetes', iat: T, exp: T + 600 });
    expect(toCachedTokens({ accessToken: late, expiresIn: 600 }, (T + 1) * 1000, { accessTokenOnly: true }).accessTokenExpiresAt).toBe(T + 600);
  });

  it('refuses a token with no known expiry: kube-apiserver could not validate it anyway', () => {
    expect(() => toCachedTokens({ accessToken: 'opaque-token-0123456789' }, T * 1000, { accessTokenOnly: true })).toThrow(/it has no expiry/);
  });

  it('still requires an ID token by default', () => {
    const error = (() => {
      try {
        toCachedTokens(ccResult(), T * 1000);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('token-invalid');
  });

  it('keeps the previous refresh token and a new one, as for ID token sets', () => {
    expect(toCachedTokens(ccResult(), T * 1000, { accessTokenOnly: true, previousRefreshToken: 'rt-old-0123456789' }).refreshToken).toBe('rt-old-0123456789');
    expect(toCachedTokens(ccResult({ refreshToken: 'rt-new-0123456789' }), T * 1000, { accessTokenOnly: true, previousRefreshToken: 'rt-old-0123456789' }).refreshToken).toBe('rt-new-0123456789');
  });

  it('idTokenOf names the problem for callers that need an ID token', () => {
    expect(() => idTokenOf({ accessToken: ACCESS }, 'test the login')).toThrow('could not test the login: the provider returned only an access token, no ID token');
    expect(idTokenOf({ idToken: 'id' }, 'x')).toBe('id');
  });
});

const accessOnly: CachedTokens = { accessToken: ACCESS, accessTokenIssuedAt: T, accessTokenExpiresAt: T + 600 };

describe('expiry of an access-token-only set', () => {
  it('is fresh for the access token until its expiry minus the margin', () => {
    expect(freshUntil(accessOnly, true)).toBe(T + 540);
    expect(isFresh(accessOnly, true, (T + 539) * 1000)).toBe(true);
    expect(isFresh(accessOnly, true, (T + 540) * 1000)).toBe(false);
    expect(bearerToken(accessOnly, true)).toBe(ACCESS);
  });

  it('is never fresh, and has no bearer token, for the ID token', () => {
    expect(freshUntil(accessOnly, false)).toBe(0);
    expect(isFresh(accessOnly, false, T * 1000)).toBe(false);
    expect(bearerToken(accessOnly, false)).toBeUndefined();
  });
});

describe('storing an access-token-only set', () => {
  const key = cacheKey({ issuer: ISSUER, clientId: 'ci', scopes: [], extraParams: {} });

  it('round-trips through the entry file, which holds no ID token fields', () => {
    const entry = toEntryFile(key.input, accessOnly, 'disk', new Date(T * 1000));
    expect(entry.secrets).toEqual({ accessToken: ACCESS });
    expect(entry.times).toEqual({ accessTokenIssuedAt: T, accessTokenExpiresAt: T + 600 });
    expect(parseEntryFile(JSON.stringify(entry))).toEqual(entry);
  });

  it('still rejects entries that describe no usable token', () => {
    const entry = toEntryFile(key.input, accessOnly, 'disk', new Date(T * 1000));
    const without = (change: (copy: { times: Record<string, unknown>; secrets: Record<string, unknown> }) => void): string => {
      const copy = JSON.parse(JSON.stringify(entry)) as { times: Record<string, unknown>; secrets: Record<string, unknown> };
      change(copy);
      return JSON.stringify(copy);
    };
    expect(parseEntryFile(without((copy) => delete copy.times.accessTokenExpiresAt))).toBe('its expiry times are missing or malformed');
    expect(parseEntryFile(without((copy) => delete copy.secrets.accessToken))).toBe('its tokens are missing or malformed');
    expect(parseEntryFile(without((copy) => (copy.times.idTokenExpiresAt = T + 60)))).toBe('its expiry times are missing or malformed');
  });

  it('round-trips through the keychain payload', () => {
    expect(joinSecrets(splitSecrets({ accessToken: ACCESS }))).toEqual({ accessToken: ACCESS });
    expect(joinSecrets(['{"refreshToken":"only-a-refresh-token"}'])).toBeUndefined();
  });

  it('is answered by the cache-hit fast path with --oidc-use-access-token, and left to the full CLI without', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await new FileTokenStore(dir, arrayLogger().logger).write(key, accessOnly);
      const args = ['get-token', `--oidc-issuer-url=${ISSUER}`, '--oidc-client-id=ci', `--token-cache-dir=${dir}`];
      const text = answerFromCache([...args, '--oidc-use-access-token'], {}, (T + 100) * 1000);
      expect(JSON.parse(text ?? '{}')).toEqual({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: ACCESS, expirationTimestamp: new Date((T + 540) * 1000).toISOString().replace('.000Z', 'Z') },
      });
      expect(answerFromCache(args, {}, (T + 100) * 1000)).toBeUndefined();
      expect(answerFromCache([...args, '--oidc-use-access-token'], {}, (T + 540) * 1000)).toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});
