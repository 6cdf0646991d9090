// The tokens kube-login keeps for one cache key, and the non-secret facts about them.

/**
 * The secret part of a cached token set. `idToken` is absent only when the provider issued none,
 * as for the client credentials grant; such a set is usable only with --oidc-use-access-token.
 */
export interface TokenSecrets {
  idToken?: string;
  refreshToken?: string;
  accessToken?: string;
}

/**
 * The non-secret part: expiry facts that the cache-hit path reads without touching a keychain.
 * The ID token times are absent exactly when the ID token is (see TokenSecrets).
 */
export interface TokenTimes {
  /** `exp` of the ID token, seconds since the epoch. */
  idTokenExpiresAt?: number;
  /** `iat` of the ID token, seconds since the epoch. */
  idTokenIssuedAt?: number;
  /** When the access token expires (from `expires_in`), seconds since the epoch. */
  accessTokenExpiresAt?: number;
  /** When the access token was received, seconds since the epoch. */
  accessTokenIssuedAt?: number;
}

/** A full cached token set. */
export type CachedTokens = TokenSecrets & TokenTimes;
