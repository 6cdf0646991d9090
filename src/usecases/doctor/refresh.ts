// Whether a refresh token is held, and whether refreshing works. The refresh runs as get-token's does:
// under the per-key lock, re-reading first, and saving the rotated refresh token. Providers revoke a
// whole grant when a rotated refresh token is reused (RFC 9700 section 4.14.2), so a check that threw
// the new refresh token away would log the user out.
import type { CacheLock } from '../../cache/token-store.js';
import type { CachedTokens } from '../../cache/token-set.js';
import type { GetTokenInput } from '../../cli/options/get-token-input.js';
import { describe, isKubeLoginError } from '../../errors.js';
import type { ProviderConnection, TokenResult } from '../../oidc/provider-client.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import { type CachedSession, type SessionCache, rememberSecrets } from '../status.js';
import { changedIdentityClaim, toCachedTokens } from '../token-result.js';
import { type DoctorCheck, fail, pass, skip } from './check.js';

/** ✓ a refresh token is held; ✗ none (every expiry means a browser login); ✓ not needed for client credentials. */
export function checkRefreshTokenHeld(tokens: CachedTokens, input: GetTokenInput, idTokenMinutes: number | undefined): DoctorCheck {
  if (tokens.refreshToken) return pass('refresh-token', 'a refresh token is held, so expired ID tokens are renewed without a browser');
  if (input.grantType === 'client-credentials') return pass('refresh-token', 'no refresh token, and none is needed: the client credentials grant simply runs again');
  const every = idTokenMinutes !== undefined ? ` (every ${idTokenMinutes} min with this provider)` : '';
  const fix = input.scopes.includes('offline_access')
    ? 'the scopes already ask for offline_access: allow refresh tokens for this client at the provider (often "offline access" or the refresh_token grant), then run `kube-login logout` with these flags and log in again'
    : 'add --oidc-extra-scope=offline_access to the exec args (OIDC Core section 11) and allow refresh tokens for the client at the provider, then run `kube-login logout` with these flags and log in again';
  return fail('refresh-token', `no refresh token is held: each time the ID token expires${every}, the next kubectl command opens a browser login, and background callers (--no-login) fail`, fix);
}

/** The ports of the refresh check. */
export interface RefreshCheckDeps {
  cache: SessionCache;
  lock: CacheLock;
  clock: Clock;
  logger: Logger;
}

const LOGIN_AGAIN = 'log in again: run any kubectl command with this context in a terminal (or kube-login get-token with these flags)';

/** Refreshes under the lock and saves the result; returns the check and the tokens now cached. */
export async function checkRefresh(
  deps: RefreshCheckDeps,
  session: CachedSession,
  provider: ProviderConnection,
  input: GetTokenInput,
): Promise<{ check: DoctorCheck; tokens: CachedTokens | undefined }> {
  const lock = await deps.lock.acquire(session.id);
  try {
    await lock.setPurpose?.('checking the refresh token (kube-login doctor)');
    let current = await deps.cache.readTokens(session);
    rememberSecrets(deps.logger, current);
    for (let attempt = 0; attempt < 2; attempt++) {
      const refreshToken = current?.refreshToken;
      if (!current || !refreshToken) return { check: skip('refresh', 'refresh was not tried: no refresh token is cached any more'), tokens: current };
      let result: TokenResult;
      try {
        result = await provider.refresh(refreshToken);
      } catch (error) {
        if (attempt === 0 && isKubeLoginError(error) && error.oauthError === 'invalid_grant') {
          // Another kube-login may have rotated it between our read and the lock: read again (issue #3).
          const again = await deps.cache.readTokens(session);
          rememberSecrets(deps.logger, again);
          if (again?.refreshToken && again.refreshToken !== refreshToken) {
            current = again;
            continue;
          }
          return {
            check: fail('refresh', `the provider refused the refresh token (invalid_grant): it was revoked, expired or already used, so the next kubectl command after the ID token expires opens a browser login`, LOGIN_AGAIN),
            tokens: current,
          };
        }
        const reason = isKubeLoginError(error) ? error.message : describe(error);
        return { check: fail('refresh', `refreshing failed: ${reason}`, isKubeLoginError(error) && error.fix ? error.fix : 'check the provider and the network, then run doctor again'), tokens: current };
      }
      rememberSecrets(deps.logger, result);
      const accessOnly = input.useAccessToken && current.idToken === undefined;
      if (!result.idToken && !accessOnly) {
        return {
          check: fail('refresh', 'the provider returned no ID token on refresh (OIDC Core 12.2 allows it, but the cluster needs one): every expiry means a browser login', 'configure the provider to return an ID token on refresh (Keycloak, Dex and Entra ID do), or use --oidc-use-access-token if the cluster accepts access tokens'),
          tokens: current,
        };
      }
      const changed = current.idToken === undefined ? undefined : changedIdentityClaim(current.idToken, result);
      if (changed) {
        return {
          check: fail('refresh', `the refreshed ID token has a different "${changed}" than the cached one (OIDC Core 12.2 forbids it), so get-token discards it and logs in again`, 'report this to the provider\'s administrators; meanwhile every expiry means a browser login'),
          tokens: current,
        };
      }
      let tokens: CachedTokens;
      try {
        tokens = toCachedTokens(result, deps.clock.now(), { previousRefreshToken: refreshToken, accessTokenOnly: accessOnly });
      } catch (error) {
        return { check: fail('refresh', `the refreshed tokens are not usable: ${describe(error)}`, isKubeLoginError(error) && error.fix ? error.fix : LOGIN_AGAIN), tokens: current };
      }
      try {
        await deps.cache.writeTokens(session, tokens);
      } catch (error) {
        // The old refresh token may be dead now (rotation): say so plainly.
        return {
          check: fail('refresh', `refreshing worked, but the new tokens could not be saved: ${describe(error)}; the provider may have retired the old refresh token, so the next expiry may need a login`, isKubeLoginError(error) && error.fix ? error.fix : 'check the token cache directory and the keychain'),
          tokens,
        };
      }
      const until = tokens.idTokenExpiresAt ?? tokens.accessTokenExpiresAt;
      const rotated = result.refreshToken !== undefined && result.refreshToken !== refreshToken ? 'the provider rotated the refresh token, and the new one is saved' : 'the provider kept the refresh token';
      return {
        check: pass('refresh', `refreshing works: a new ${accessOnly ? 'access' : 'ID'} token${until !== undefined ? ` valid until ${new Date(until * 1000).toISOString()}` : ''} is cached; ${rotated}`),
        tokens,
      };
    }
    return { check: fail('refresh', 'the refresh token was rotated by another kube-login twice while doctor ran', 'run doctor again'), tokens: current };
  } finally {
    await lock.release();
  }
}
