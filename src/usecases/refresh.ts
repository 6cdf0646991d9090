// One refresh of a cached token set (RFC 6749 section 6), shared by get-token, login and doctor: it runs
// under the caller's per-key lock, re-reads the cache when the provider says invalid_grant, saves a
// rotated refresh token before anything else (RFC 9700 section 4.14.2: the old one is dead now), checks
// the refreshed ID token as OIDC Core 12.2 requires, and saves the refreshed set.
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
  | { kind: 'refreshed'; tokens: CachedTokens; rotated: boolean; saveError?: unknown }
  | { kind: 'cached'; tokens: CachedTokens }
  | { kind: 'failed'; failure: RefreshFailure; message: string; error?: unknown; hint?: string; saveError?: unknown };

/** The ports of a refresh. */
export interface RefreshPorts {
  provider(): Promise<ProviderConnection>;
  /** Reads the entry again (another process may have rotated the refresh token). */
  reread(): Promise<CachedTokens | undefined>;
  clock: Clock;
  logger: Logger;
  /** Writes the entry (the caller holds the key's lock); refreshTokenSet reports a failure, never throws it. */
  save(tokens: CachedTokens): Promise<void>;
}

/** What helps when a provider sends no ID token on refresh (said once, on the line that announces the login). */
export const NO_ID_TOKEN_HINT =
  'to refresh without a login, give ID tokens a longer lifetime at the provider, or use --oidc-use-access-token if its access tokens are JWTs the API server can validate (kube-login doctor checks that)';

async function trySave(ports: RefreshPorts, tokens: CachedTokens): Promise<unknown> {
  try {
    await ports.save(tokens);
    return undefined;
  } catch (error) {
    return error ?? new Error('the token cache could not be written');
  }
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
    const rotated = result.refreshToken !== undefined && result.refreshToken !== refreshToken;
    // RFC 9700 4.14.2: the provider has retired the old refresh token. Whatever the checks below make
    // of the answer, the new refresh token is saved before the caller does anything else (a login),
    // or the grant is lost (glewlwyd rotates and never sends an ID token on refresh). The checks are
    // pure, so one write covers both cases.
    const failed = async (failure: RefreshFailure, message: string, extra: { error?: unknown; hint?: string } = {}): Promise<RefreshOutcome> => {
      const saveError = rotated ? await trySave(ports, { ...current, refreshToken: result.refreshToken as string }) : undefined;
      return { kind: 'failed', failure, message, ...extra, ...(saveError ? { saveError } : {}) };
    };
    // --oidc-use-access-token sends the access token: an answer with one is enough (OIDC Core 12.2
    // allows a refresh answer without an ID token).
    const accessTokenOnly = input.useAccessToken;
    if (!result.idToken && !accessTokenOnly) {
      return failed('no-id-token', 'the provider returned no ID token on refresh (OIDC Core 12.2 allows it, but the cluster needs one)', { hint: NO_ID_TOKEN_HINT });
    }
    const changed = current.idToken === undefined ? undefined : changedIdentityClaim(current.idToken, result);
    if (changed) {
      return failed('identity-changed', `the refreshed ID token has a different "${changed}" than the original (OIDC Core 12.2 forbids it), so it is discarded`);
    }
    let tokens: CachedTokens;
    try {
      tokens = toCachedTokens(result, ports.clock.now(), { previousRefreshToken: refreshToken, accessTokenOnly });
    } catch (error) {
      return failed('unusable', describe(error), { error });
    }
    const saveError = await trySave(ports, tokens);
    return { kind: 'refreshed', tokens, rotated, ...(saveError ? { saveError } : {}) };
  }
  return { kind: 'failed', failure: 'invalid-grant', message: 'the refresh token was rotated twice by other kube-login processes meanwhile' };
}
