// The tokens kube-login keeps for one cache key, and the non-secret facts about them.

/** The secret part of a cached token set. */
export interface TokenSecrets {
  idToken: string;
  refreshToken?: string;
  accessToken?: string;
}

/** The non-secret part: expiry facts that the cache-hit path reads without touching a keychain. */
export interface TokenTimes {
  /** `exp` of the ID token, seconds since the epoch. */
  idTokenExpiresAt: number;
  /** `iat` of the ID token, seconds since the epoch. */
  idTokenIssuedAt: number;
  /** When the access token expires (from `expires_in`), seconds since the epoch. */
  accessTokenExpiresAt?: number;
  /** When the access token was received, seconds since the epoch. */
  accessTokenIssuedAt?: number;
}

/** A full cached token set. */
export type CachedTokens = TokenSecrets & TokenTimes;
