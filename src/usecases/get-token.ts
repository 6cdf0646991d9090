// The get-token use case: cache, then refresh, then login, under a per-key lock; prints an ExecCredential.
import { bearerToken, freshUntil, isFresh } from '../cache/expiry.js';
import { type CacheKey, cacheKey } from '../cache/key.js';
import type { CacheLock, TokenStore } from '../cache/token-store.js';
import type { CachedTokens, TokenSecrets } from '../cache/token-set.js';
import { type GetTokenInput, cacheKeyInputOf } from '../cli/options/get-token-input.js';
import { KubeLoginError, describe, isKubeLoginError } from '../errors.js';
import { encodeExecCredential } from '../kube/exec-credential.js';
import type { ExecInfo } from '../kube/exec-info.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { changedIdentityClaim, toCachedTokens } from './token-result.js';

/** The ports get-token runs over; src/cli/commands/get-token.ts builds the real ones. */
export interface GetTokenDeps {
  store: TokenStore;
  lock: CacheLock;
  clock: Clock;
  logger: Logger;
  /** Discovers the provider (memoized: at most one discovery per run). */
  connect(): Promise<ProviderConnection>;
  /** Runs the configured grant (browser, device code, …) and returns validated tokens. */
  login(provider: ProviderConnection): Promise<TokenResult>;
  /** The command a person runs in a terminal to log in, for the fix of 'login-required'. */
  loginCommand?: string;
}

/** Where the printed token came from. */
export type TokenSource = 'cache' | 'refresh' | 'login';

/** Tokens ready to use, and how we got them. */
export interface ObtainedTokens {
  key: CacheKey;
  tokens: CachedTokens;
  source: TokenSource;
}

/** Options of obtainTokens beyond the get-token flags. */
export interface ObtainOptions {
  /** Skip the cache and the refresh token: always run the grant (used by setup). */
  forceLogin?: boolean;
}

function register(logger: Logger, tokens: Partial<TokenSecrets> | undefined): void {
  logger.redactor.add(tokens?.idToken);
  logger.redactor.add(tokens?.refreshToken);
  logger.redactor.add(tokens?.accessToken);
}

/** Returns fresh tokens for the configuration: from the cache, by refresh, or by a new login. */
export async function obtainTokens(deps: GetTokenDeps, input: GetTokenInput, options: ObtainOptions = {}): Promise<ObtainedTokens> {
  const key = cacheKey(cacheKeyInputOf(input));
  const usable = (tokens: CachedTokens | undefined): boolean =>
    tokens !== undefined &&
    !input.forceRefresh &&
    !options.forceLogin &&
    isFresh(tokens, input.useAccessToken, deps.clock.now()) &&
    bearerToken(tokens, input.useAccessToken) !== undefined;

  let cached = await deps.store.read(key);
  register(deps.logger, cached);
  if (cached && usable(cached)) return { key, tokens: cached, source: 'cache' };
  // Background callers (editors, TUIs) must never wait: with nothing to refresh, --no-login fails
  // before queueing for the lock, which a login in a terminal may hold for minutes.
  if (input.noLogin && !cached?.refreshToken && !options.forceLogin) throw loginRequired(deps);

  // One decision per key at a time: lock, re-read, decide, write, release (issue #3).
  const lock = await deps.lock.acquire(key.id);
  try {
    cached = await deps.store.read(key);
    register(deps.logger, cached);
    if (cached && usable(cached)) {
      deps.logger.debug('another kube-login refreshed the token while we waited; using it');
      return { key, tokens: cached, source: 'cache' };
    }
    if (cached?.refreshToken && !options.forceLogin) {
      await lock.setPurpose?.('refreshing the token');
      const refreshed = await refresh(deps, input, key, cached);
      if (refreshed) return { key, tokens: refreshed, source: 'refresh' };
    }
    if (input.noLogin) throw loginRequired(deps);
    await lock.setPurpose?.('logging in');
    const provider = await deps.connect();
    const result = await deps.login(provider);
    const tokens = toCachedTokens(result, deps.clock.now(), { accessTokenOnly: input.useAccessToken });
    register(deps.logger, tokens);
    await save(deps, key, tokens);
    return { key, tokens, source: 'login' };
  } finally {
    await lock.release();
  }
}

function loginRequired(deps: GetTokenDeps): KubeLoginError {
  return new KubeLoginError('login-required', 'get a token', 'no valid or refreshable token is cached, and --no-login forbids starting a login', {
    fix: deps.loginCommand
      ? `log in once from a terminal (later calls use the cached token): ${deps.loginCommand}`
      : 'log in from a terminal: run `kubectl get --raw /version` (or kube-login get-token with the same flags, without --no-login)',
  });
}

async function save(deps: GetTokenDeps, key: CacheKey, tokens: CachedTokens): Promise<void> {
  try {
    await deps.store.write(key, tokens);
  } catch (error) {
    // The token is still good for this call; losing the cache only costs a later login.
    deps.logger.warn(`${describe(error)}; the token is used now but you may have to log in again next time`);
  }
}

async function refresh(deps: GetTokenDeps, input: GetTokenInput, key: CacheKey, cached: CachedTokens): Promise<CachedTokens | undefined> {
  // What happens after a failed refresh, for the one line that says why it failed.
  const next = input.noLogin ? '; --no-login forbids a new login' : '; logging in again';
  let current = cached;
  for (let attempt = 0; attempt < 2; attempt++) {
    const refreshToken = current.refreshToken as string;
    let result: TokenResult;
    try {
      const provider = await deps.connect();
      result = await provider.refresh(refreshToken);
    } catch (error) {
      if (attempt === 0 && isKubeLoginError(error) && error.oauthError === 'invalid_grant') {
        // Another process may have rotated the refresh token: re-read before giving up (issue #3).
        const again = await deps.store.read(key);
        register(deps.logger, again);
        if (again?.refreshToken && again.refreshToken !== refreshToken) {
          if (isFresh(again, input.useAccessToken, deps.clock.now())) return again;
          current = again;
          continue;
        }
      }
      deps.logger.warn(`${isKubeLoginError(error) ? error.message : describe(error)}${next}`);
      return undefined;
    }
    register(deps.logger, result);
    if (!result.idToken && !(input.useAccessToken && current.idToken === undefined)) {
      deps.logger.warn(`the provider returned no ID token on refresh (OIDC Core 12.2 allows it, but the cluster needs one)${next}`);
      return undefined;
    }
    // A set cached without an ID token (access token only) has no identity to compare against.
    const changed = current.idToken === undefined ? undefined : changedIdentityClaim(current.idToken, result);
    if (changed) {
      deps.logger.warn(`the refreshed ID token has a different "${changed}" than the original (OIDC Core 12.2 forbids it), so it is discarded${next}`);
      return undefined;
    }
    let tokens: CachedTokens;
    try {
      tokens = toCachedTokens(result, deps.clock.now(), { previousRefreshToken: refreshToken, accessTokenOnly: input.useAccessToken && current.idToken === undefined });
    } catch (error) {
      deps.logger.warn(`${describe(error)}${next}`);
      return undefined;
    }
    await save(deps, key, tokens);
    deps.logger.debug('refreshed the token');
    return tokens;
  }
  return undefined;
}

/** Runs get-token and returns the ExecCredential text for stdout. */
export async function getToken(deps: GetTokenDeps, input: GetTokenInput, execInfo: ExecInfo): Promise<string> {
  const { tokens, source } = await obtainTokens(deps, input);
  const token = bearerToken(tokens, input.useAccessToken);
  if (!token) {
    throw new KubeLoginError('provider-rejected', 'get an access token', 'the provider returned no access token', {
      fix: 'drop --oidc-use-access-token to send the ID token instead',
    });
  }
  const now = deps.clock.now() / 1000;
  const until = freshUntil(tokens, input.useAccessToken);
  // A token just issued with a very short life may already be inside the margin; it is still valid.
  const expiresAt = until > now ? until : ((input.useAccessToken ? tokens.accessTokenExpiresAt : undefined) ?? tokens.idTokenExpiresAt ?? now);
  deps.logger.debug(`token from ${source}, valid until ${new Date(expiresAt * 1000).toISOString()}`);
  return encodeExecCredential(execInfo.apiVersion, token, expiresAt);
}
