// Turning a validated token response into what we cache, with the checks OIDC requires of refreshes.
import type { CachedTokens } from '../cache/token-set.js';
import { KubeLoginError } from '../errors.js';
import type { TokenResult } from '../oidc/provider-client.js';
import { decodeJwtPayload } from '../oidc/jwt-claims.js';

/** Builds the cached form; throws 'token-invalid' when there is no usable ID token. */
export function toCachedTokens(result: TokenResult, nowMs: number, previousRefreshToken?: string): CachedTokens {
  if (!result.idToken || !result.claims) {
    throw new KubeLoginError('token-invalid', 'use the token response', 'the provider returned no ID token', {
      fix: 'make sure the client may use the `openid` scope at the provider',
    });
  }
  const now = Math.floor(nowMs / 1000);
  if (result.claims.exp <= now) {
    throw new KubeLoginError('token-invalid', 'use the ID token', `it expired at ${new Date(result.claims.exp * 1000).toISOString()}, before it could be used`, {
      fix: "check this machine's clock against the provider's",
    });
  }
  const tokens: CachedTokens = {
    idToken: result.idToken,
    idTokenExpiresAt: result.claims.exp,
    idTokenIssuedAt: typeof result.claims.iat === 'number' ? result.claims.iat : now,
    accessToken: result.accessToken,
    accessTokenIssuedAt: now,
  };
  if (result.expiresIn !== undefined) tokens.accessTokenExpiresAt = now + result.expiresIn;
  // RFC 6749 section 6: keep the old refresh token when the provider does not send a new one.
  const refreshToken = result.refreshToken ?? previousRefreshToken;
  if (refreshToken) tokens.refreshToken = refreshToken;
  return tokens;
}

const audienceOf = (value: unknown): string => JSON.stringify((Array.isArray(value) ? [...value] : [value]).sort());

/** OIDC Core 12.2: a refreshed ID token keeps `iss`, `sub`, `aud` and `azp`; returns the claim that changed. */
export function changedIdentityClaim(previousIdToken: string, result: TokenResult): string | undefined {
  const before = decodeJwtPayload(previousIdToken);
  if (!result.claims) return undefined;
  // A cached ID token we cannot decode cannot vouch for the new one.
  if (!before) return 'sub';
  for (const claim of ['iss', 'sub', 'azp'] as const) {
    if (before[claim] !== result.claims[claim]) return claim;
  }
  return audienceOf(before['aud']) === audienceOf(result.claims.aud) ? undefined : 'aud';
}
