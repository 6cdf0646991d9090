// Whether a refresh token is held, and whether refreshing works. The refresh runs as get-token's does:
// under the per-key lock, re-reading first, and saving the rotated refresh token. Providers revoke a
// whole grant when a rotated refresh token is reused (RFC 9700 section 4.14.2), so a check that threw
// the new refresh token away would log the user out.
import type { CacheLock } from '../../cache/token-store.js';
import type { CachedTokens } from '../../cache/token-set.js';
import type { GetTokenInput } from '../../config/get-token-input.js';
import { describe, isKubeLoginError } from '../../errors.js';
import type { ProviderConnection } from '../../oidc/provider-client.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import { type RefreshFailure, refreshTokenSet, rememberSecrets } from '../refresh.js';
import type { CachedSession, SessionCache } from '../status.js';
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

const fixOf = (error: unknown, fallback: string): string => (isKubeLoginError(error) && error.fix ? error.fix : fallback);

/** Refreshes under the lock (as get-token does) and saves the result; returns the check and the tokens now cached. */
export async function checkRefresh(
  deps: RefreshCheckDeps,
  session: CachedSession,
  provider: ProviderConnection,
  input: GetTokenInput,
): Promise<{ check: DoctorCheck; tokens: CachedTokens | undefined; failure?: RefreshFailure }> {
  const lock = await deps.lock.acquire(session.id);
  try {
    await lock.setPurpose?.('checking the refresh token (kube-login doctor)');
    const current = await deps.cache.readTokens(session);
    rememberSecrets(deps.logger, current);
    if (!current?.refreshToken) return { check: skip('refresh', 'refresh was not tried: no refresh token is cached any more'), tokens: current };
    const ports = {
      provider: async () => provider,
      reread: () => deps.cache.readTokens(session),
      clock: deps.clock,
      logger: deps.logger,
      save: (tokens: CachedTokens) => deps.cache.writeTokens(session, tokens),
    };
    const outcome = await refreshTokenSet(ports, input, current);
    switch (outcome.kind) {
      case 'cached':
        return { check: pass('refresh', 'another kube-login refreshed the token a moment ago, and its new tokens are cached'), tokens: outcome.tokens };
      case 'failed': {
        const check = failedCheck(outcome.failure, outcome.message, outcome.error);
        // The entry now holds the rotated refresh token, if the provider sent one.
        if (outcome.saveError === undefined) return { check, tokens: (await deps.cache.readTokens(session).catch(() => current)) ?? current, failure: outcome.failure };
        return { check: unsaved(outcome.saveError, 'the provider rotated the refresh token, but the new one could not be saved'), tokens: current };
      }
      case 'refreshed':
        break;
    }
    const tokens = outcome.tokens;
    if (outcome.saveError !== undefined) return { check: unsaved(outcome.saveError, 'refreshing worked, but the new tokens could not be saved'), tokens };
    const until = tokens.idTokenExpiresAt ?? tokens.accessTokenExpiresAt;
    const rotated = outcome.rotated ? 'the provider rotated the refresh token, and the new one is saved' : 'the provider kept the refresh token';
    return {
      check: pass('refresh', `refreshing works: a new ${tokens.idToken === undefined ? 'access' : 'ID'} token${until !== undefined ? ` valid until ${new Date(until * 1000).toISOString()}` : ''} is cached; ${rotated}`),
      tokens,
    };
  } finally {
    await lock.release();
  }
}

/** The ✗ line for new tokens that could not be saved: the old refresh token may be dead now (rotation). */
function unsaved(error: unknown, what: string): DoctorCheck {
  return fail('refresh', `${what}: ${describe(error)}; the provider may have retired the old refresh token, so the next expiry may need a login`, fixOf(error, 'check the token cache directory and the keychain'));
}

/** The ✗ line for a refresh that gave no usable tokens, with what it means for the user and the fix. */
function failedCheck(failure: RefreshFailure, message: string, error: unknown): DoctorCheck {
  switch (failure) {
    case 'invalid-grant':
      return fail('refresh', 'the provider refused the refresh token (invalid_grant): it was revoked, expired or already used, so the next kubectl command after the ID token expires opens a browser login', LOGIN_AGAIN);
    case 'request-failed':
      return fail('refresh', `refreshing failed: ${message}`, fixOf(error, 'check the provider and the network, then run doctor again'));
    case 'no-id-token':
      return fail('refresh', `${message}: every expiry means a browser login (the rotated refresh token is saved)`, 'give ID tokens a longer lifetime at the provider, or use --oidc-use-access-token if its access tokens are JWTs the API server can validate (see the access-token check below)');
    case 'identity-changed':
      return fail('refresh', `${message}, and get-token logs in again`, "report this to the provider's administrators; meanwhile every expiry means a browser login");
    case 'unusable':
      return fail('refresh', `the refreshed tokens are not usable: ${message}`, fixOf(error, LOGIN_AGAIN));
  }
}
