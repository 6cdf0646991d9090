// One refresh of a cached token set (RFC 6749 section 6), shared by get-token and doctor: it runs under
// the caller's per-key lock, re-reads the cache when the provider says invalid_grant, and checks the
// refreshed ID token as OIDC Core 12.2 requires. Saving the result stays with the caller.
import type { CachedTokens, TokenSecrets } from '../cache/token-set.js';
import { isFresh } from '../cache/expiry.js';
import type { GetTokenInput } from '../config/get-token-input.js';
import { describe, isKubeLoginError } from '../errors.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { changedIdentityClaim, toCachedTokens } from './token-result.js';

/** Registers a token set with the redactor, so that nothing printed can carry it. */
export function rememberSecrets(logger: Logger, tokens: Partial<TokenSecrets> | undefined): void {
  logger.redactor.add(tokens?.idToken);
  logger.redactor.add(tokens?.refreshToken);
  logger.redactor.add(tokens?.accessToken);
}

/** Why a refresh gave no usable tokens. */
export type RefreshFailure = 'invalid-grant' | 'request-failed' | 'no-id-token' | 'identity-changed' | 'unusable';

/** What a refresh came to. `cached`: another process had already rotated the token and cached fresh ones. */
export type RefreshOutcome =
  | { kind: 'refreshed'; tokens: CachedTokens; rotated: boolean }
  | { kind: 'cached'; tokens: CachedTokens }
  | { kind: 'failed'; failure: RefreshFailure; message: string; error?: unknown };

/** The ports of a refresh. */
export interface RefreshPorts {
  provider(): Promise<ProviderConnection>;
  /** Reads the entry again (another process may have rotated the refresh token). */
  reread(): Promise<CachedTokens | undefined>;
  clock: Clock;
  logger: Logger;
}

/** Refreshes `cached` (which must hold a refresh token) and validates the result; never throws. */
export async function refreshTokenSet(ports: RefreshPorts, input: GetTokenInput, cached: CachedTokens): Promise<RefreshOutcome> {
  let current = cached;
  for (let attempt = 0; attempt < 2; attempt++) {
    const refreshToken = current.refreshToken as string;
    let result: TokenResult;
    try {
      result = await (await ports.provider()).refresh(refreshToken);
    } catch (error) {
      const invalidGrant = isKubeLoginError(error) && error.oauthError === 'invalid_grant';
      if (attempt === 0 && invalidGrant) {
        // Another process may have rotated the refresh token: re-read before giving up (issue #3).
        const again = await ports.reread();
        rememberSecrets(ports.logger, again);
        if (again?.refreshToken && again.refreshToken !== refreshToken) {
          if (isFresh(again, input.useAccessToken, ports.clock.now())) return { kind: 'cached', tokens: again };
          current = again;
          continue;
        }
      }
      const message = isKubeLoginError(error) ? error.message : describe(error);
      return { kind: 'failed', failure: invalidGrant ? 'invalid-grant' : 'request-failed', message, error };
    }
    rememberSecrets(ports.logger, result);
    // A set cached without an ID token (client credentials) is refreshed as access token only.
    const accessTokenOnly = input.useAccessToken && current.idToken === undefined;
    if (!result.idToken && !accessTokenOnly) {
      return { kind: 'failed', failure: 'no-id-token', message: 'the provider returned no ID token on refresh (OIDC Core 12.2 allows it, but the cluster needs one)' };
    }
    const changed = current.idToken === undefined ? undefined : changedIdentityClaim(current.idToken, result);
    if (changed) {
      return {
        kind: 'failed',
        failure: 'identity-changed',
        message: `the refreshed ID token has a different "${changed}" than the original (OIDC Core 12.2 forbids it), so it is discarded`,
      };
    }
    try {
      const tokens = toCachedTokens(result, ports.clock.now(), { previousRefreshToken: refreshToken, accessTokenOnly });
      return { kind: 'refreshed', tokens, rotated: result.refreshToken !== undefined && result.refreshToken !== refreshToken };
    } catch (error) {
      return { kind: 'failed', failure: 'unusable', message: describe(error), error };
    }
  }
  return { kind: 'failed', failure: 'invalid-grant', message: 'the refresh token was rotated twice by other kube-login processes meanwhile' };
}
