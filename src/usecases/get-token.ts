// The get-token use case: cache, then refresh, then login, under a per-key lock; prints an ExecCredential.
import { bearerToken, freshUntil, isFresh } from '../cache/expiry.js';
import { type CacheKey, cacheKey } from '../cache/key.js';
import type { PendingLogin } from '../cache/pending-login.js';
import type { CacheLock, TokenStore } from '../cache/token-store.js';
import type { CachedTokens } from '../cache/token-set.js';
import { type GetTokenInput, cacheKeyInputOf } from '../config/get-token-input.js';
import { KubeLoginError, describe } from '../errors.js';
import { encodeExecCredential } from '../kube/exec-credential.js';
import type { ExecInfo } from '../kube/exec-info.js';
import { plainHttpRefusal } from '../oidc/issuer-scheme.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { rememberSecrets, refreshTokenSet } from './refresh.js';
import { toCachedTokens } from './token-result.js';

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
  /** The login started with `login --no-wait` that a detached process waits to finish, if any. */
  pendingLogin?(id: string): Promise<PendingLogin | undefined>;
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
  /** What the warning about a failed refresh says happens next (default: by --no-login). */
  afterFailedRefresh?: string;
  /** Skip the cache and the refresh token: always run the grant (used by setup). */
  forceLogin?: boolean;
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
  rememberSecrets(deps.logger, cached);
  if (cached && usable(cached)) return { key, tokens: cached, source: 'cache' };
  // Only on this miss path (the fast path's cache hit never looks): a login that would start while
  // one started with --no-wait waits for a person fails at once, naming its URL, without the lock.
  if (!cached?.refreshToken || options.forceLogin) await failIfPending(deps, key);
  // Background callers (editors, TUIs) must never wait: with nothing to refresh, --no-login fails
  // before queueing for the lock, which a login in a terminal may hold for minutes.
  if (input.noLogin && !cached?.refreshToken && !options.forceLogin) throw loginRequired(deps, input);

  // One decision per key at a time: lock, re-read, decide, write, release (issue #3).
  const lock = await deps.lock.acquire(key.id);
  try {
    cached = await deps.store.read(key);
    rememberSecrets(deps.logger, cached);
    if (cached && usable(cached)) {
      deps.logger.debug('another kube-login refreshed the token while we waited; using it');
      return { key, tokens: cached, source: 'cache' };
    }
    if (cached?.refreshToken && !options.forceLogin) {
      await lock.setPurpose?.('refreshing the token');
      const refreshed = await refresh(deps, input, key, cached, options.afterFailedRefresh);
      if (refreshed) return { key, tokens: refreshed, source: 'refresh' };
    }
    if (input.noLogin) throw loginRequired(deps, input);
    await failIfPending(deps, key);
    await lock.setPurpose?.('logging in');
    const provider = await deps.connect();
    const result = await deps.login(provider);
    const tokens = toCachedTokens(result, deps.clock.now(), { accessTokenOnly: input.useAccessToken });
    rememberSecrets(deps.logger, tokens);
    await save(deps, key, tokens);
    return { key, tokens, source: 'login' };
  } finally {
    await lock.release();
  }
}

/** The error for a login that must not start because a --no-wait login is waiting for a person. */
export function pendingLoginError(pending: PendingLogin): KubeLoginError {
  const open = pending.userCode === undefined ? `open ${pending.url}` : `open ${pending.url} and enter the code ${pending.userCode}`;
  return new KubeLoginError('login-required', 'get a token', `a login is waiting for you: ${open} (until ${pending.expiresAt})`, {
    fix: 'finish that login in a browser (`kube-login status` shows when it is done), or cancel it with `kube-login logout`',
  });
}

async function failIfPending(deps: GetTokenDeps, key: CacheKey): Promise<void> {
  const pending = await deps.pendingLogin?.(key.id);
  if (pending) throw pendingLoginError(pending);
}

// A login that would be refused for another reason is reported first: suggesting it would only fail.
function loginRequired(deps: GetTokenDeps, input: GetTokenInput): KubeLoginError {
  const refused = plainHttpRefusal(input.issuerUrl);
  if (refused) return refused;
  const reason = 'no valid or refreshable token is cached, and --no-login forbids starting a login';
  if (input.storage === 'none') {
    return new KubeLoginError('login-required', 'get a token', `${reason}; with --token-cache-storage none no token is ever cached, so --no-login always fails`, {
      fix: 'use --token-cache-storage auto (or keyring, or disk) and log in once from a terminal, or drop --no-login',
    });
  }
  return new KubeLoginError('login-required', 'get a token', reason, {
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

async function refresh(deps: GetTokenDeps, input: GetTokenInput, key: CacheKey, cached: CachedTokens, next?: string): Promise<CachedTokens | undefined> {
  const ports = { provider: deps.connect, reread: () => deps.store.read(key), clock: deps.clock, logger: deps.logger, save: (tokens: CachedTokens) => deps.store.write(key, tokens) };
  const outcome = await refreshTokenSet(ports, input, cached);
  if (outcome.kind === 'cached') return outcome.tokens;
  if (outcome.saveError !== undefined) {
    // The token is still good for this call; losing the cache only costs a later login.
    deps.logger.warn(`${describe(outcome.saveError)}; the refreshed tokens could not be saved, so you may have to log in again next time`);
  }
  if (outcome.kind === 'failed') {
    // One line that says why, what happens next, and what would avoid it.
    const then = next ?? (input.noLogin ? '--no-login forbids a new login' : 'logging in again');
    deps.logger.warn(`${outcome.message}; ${then}${outcome.hint ? `; ${outcome.hint}` : ''}`);
    return undefined;
  }
  deps.logger.debug('refreshed the token');
  return outcome.tokens;
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
