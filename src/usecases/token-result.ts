// Turning a validated token response into what we cache, with the checks OIDC requires of refreshes.
import type { CachedTokens, TokenSecrets } from '../cache/token-set.js';
import { KubeLoginError } from '../errors.js';
import type { TokenResult } from '../oidc/provider-client.js';
import { decodeJwtPayload } from '../oidc/jwt-claims.js';

/** How toCachedTokens treats a response without an ID token. */
export interface CachedTokensOptions {
  /** The refresh token to keep when the response brings none (RFC 6749 section 6). */
  previousRefreshToken?: string;
  /**
   * Accept a response without an ID token (--oidc-use-access-token): it is cached with the access
   * token's expiry only. Providers issue no ID token for the client credentials grant.
   */
  accessTokenOnly?: boolean;
}

/**
 * Builds the cached form. Throws 'token-invalid' when there is no usable ID token, unless
 * `accessTokenOnly` allows a set that holds the access token and its expiry alone.
 */
export function toCachedTokens(result: TokenResult, nowMs: number, options: CachedTokensOptions = {}): CachedTokens {
  const { previousRefreshToken, accessTokenOnly = false } = options;
  const now = Math.floor(nowMs / 1000);
  // RFC 6749 section 6: keep the old refresh token when the provider does not send a new one.
  const refreshToken = result.refreshToken ?? previousRefreshToken;
  if ((!result.idToken || !result.claims) && accessTokenOnly) {
    const tokens: CachedTokens = { accessToken: result.accessToken, accessTokenIssuedAt: now, accessTokenExpiresAt: accessTokenExpiry(result, now) };
    if (refreshToken) tokens.refreshToken = refreshToken;
    return tokens;
  }
  if (!result.idToken || !result.claims) {
    throw new KubeLoginError('token-invalid', 'use the token response', 'the provider returned no ID token', {
      fix: 'make sure the client may use the `openid` scope at the provider',
    });
  }
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
  if (refreshToken) tokens.refreshToken = refreshToken;
  return tokens;
}

/**
 * When an access token used on its own expires: `expires_in` (RFC 6749 5.1), else the `exp` of a JWT
 * access token (RFC 9068). kube-apiserver accepts only JWTs, so a token with neither is of no use to it.
 */
function accessTokenExpiry(result: TokenResult, now: number): number {
  const exp = decodeJwtPayload(result.accessToken)?.['exp'];
  // kube-apiserver checks a JWT's own `exp` with no leeway (SPECS B.2), while `expires_in` counts from
  // when the answer arrived, up to a second later: the earlier of the two, when the JWT's is still ahead.
  const jwtExpiry = typeof exp === 'number' && exp > now ? exp : undefined;
  if (result.expiresIn !== undefined) {
    if (result.expiresIn > 0) return jwtExpiry === undefined ? now + result.expiresIn : Math.min(now + result.expiresIn, jwtExpiry);
  } else if (jwtExpiry !== undefined) {
    return jwtExpiry;
  }
  throw new KubeLoginError('token-invalid', 'use the access token', 'it has no expiry: the response has no `expires_in` and the token is not a JWT with a future `exp`', {
    fix: 'configure the provider to issue JWT access tokens (RFC 9068) for this client: kube-apiserver validates only JWTs',
  });
}

/** The ID token of a token set, for callers that need one (setup shows its claims); throws 'token-invalid' without. */
export function idTokenOf(tokens: TokenSecrets, action: string): string {
  if (tokens.idToken) return tokens.idToken;
  throw new KubeLoginError('token-invalid', action, 'the provider returned only an access token, no ID token', {
    fix: 'use a grant that logs a person in (authcode, device-code, authcode-keyboard or password), which returns an ID token',
  });
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
