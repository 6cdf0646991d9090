// When a cached token is fresh enough to print, and the expiry we tell kubectl.
import type { TokenSecrets, TokenTimes } from './token-set.js';

/** The longest refresh margin, in seconds. */
export const MAX_REFRESH_MARGIN_SECONDS = 60;

/**
 * The refresh margin: 60 s or 10% of the token's lifetime, whichever is less. client-go adds no
 * skew of its own (SPECS A.6), and kube-apiserver checks `exp` with no leeway (SPECS B.2), so we
 * stop using a token this long before it expires.
 */
export function refreshMarginSeconds(issuedAt: number, expiresAt: number): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  return Math.min(MAX_REFRESH_MARGIN_SECONDS, Math.floor(lifetime / 10));
}

/**
 * Until when (seconds since the epoch) the bearer token may be used: the ID token's `exp` minus
 * the margin, or the access token's expiry minus the margin with --oidc-use-access-token. An access
 * token whose lifetime we do not know (no `expires_in`) is trusted no longer than the ID token.
 * A set without an ID token (client credentials) is fresh only through its access token; with
 * nothing to go by the answer is 0, never fresh.
 */
export function freshUntil(times: TokenTimes, useAccessToken: boolean): number {
  const { idTokenExpiresAt, idTokenIssuedAt } = times;
  const idTokenUntil = idTokenExpiresAt === undefined ? 0 : idTokenExpiresAt - refreshMarginSeconds(idTokenIssuedAt ?? idTokenExpiresAt, idTokenExpiresAt);
  if (!useAccessToken || times.accessTokenExpiresAt === undefined) return idTokenUntil;
  const issuedAt = times.accessTokenIssuedAt ?? idTokenIssuedAt ?? times.accessTokenExpiresAt;
  return times.accessTokenExpiresAt - refreshMarginSeconds(issuedAt, times.accessTokenExpiresAt);
}

/** True while the token may still be printed at `nowMs`. */
export function isFresh(times: TokenTimes, useAccessToken: boolean, nowMs: number): boolean {
  return nowMs / 1000 < freshUntil(times, useAccessToken);
}

/** The token kubectl sends: the ID token, or the access token with --oidc-use-access-token. */
export function bearerToken(secrets: TokenSecrets, useAccessToken: boolean): string | undefined {
  return useAccessToken ? secrets.accessToken : secrets.idToken;
}
