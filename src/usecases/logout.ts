// `kube-login logout`: revokes the refresh token (and the access token) at the provider's
// revocation_endpoint (RFC 7009), deletes the cache entries under their per-key lock, and with
// --end-session opens the provider's end_session_endpoint (OIDC RP-Initiated Logout 1.0).
// It never touches a kubeconfig.
import type { CacheKeyInput } from '../cache/key.js';
import type { PendingLogin } from '../cache/pending-login.js';
import type { CacheLock } from '../cache/token-store.js';
import type { CachedTokens } from '../cache/token-set.js';
import { type ErrorCode, KubeLoginError, describe, isKubeLoginError } from '../errors.js';
import type { OpenBrowser } from '../oidc/browser.js';
import type { ProviderConnection } from '../oidc/provider-client.js';
import type { Logger } from '../platform/logger.js';
import { rememberSecrets } from './refresh.js';
import { type CachedSession, type SessionCache, type SessionSelection, identityFromIdToken, selectSessions } from './status.js';

/** The ports of logout. */
export interface LogoutDeps {
  cache: SessionCache;
  lock: CacheLock;
  logger: Logger;
  /** Discovers the provider of an entry (memoized per issuer and client). */
  connect(key: CacheKeyInput): Promise<ProviderConnection>;
  openBrowser: OpenBrowser;
  /** Cancels the login started with --no-wait that waits for a person, if any; returns it. */
  cancelPendingLogin?(id: string): Promise<PendingLogin | undefined>;
}

/** What to log out of, and how. */
export interface LogoutInput {
  selection: SessionSelection;
  /** Open the provider's end_session_endpoint in the browser. */
  endSession: boolean;
  /** Delete the cached tokens without asking the provider to revoke them. */
  localOnly: boolean;
  /** Only print the end-session URL (--skip-open-browser). */
  skipOpenBrowser: boolean;
}

/** What happened to one token at the provider. */
export type Revocation = 'revoked' | 'no-endpoint' | 'not-held' | 'skipped' | 'failed';

/** What logout did for one configuration. */
export interface LogoutOutcome {
  issuer: string;
  clientId: string;
  storage: 'disk' | 'keyring';
  who: string | undefined;
  refreshToken: Revocation;
  accessToken: Revocation;
  removed: boolean;
  endSession: 'opened' | 'printed' | 'no-endpoint' | 'not-asked' | 'failed';
  /** Why the entry was kept, when it was. */
  error?: KubeLoginError;
}

/** Everything logout did. */
export interface LogoutReport {
  outcomes: LogoutOutcome[];
}

const reasonOf = (error: unknown): string => (isKubeLoginError(error) ? error.reason : describe(error));

function failure(code: ErrorCode, action: string, error: unknown, fix: string): KubeLoginError {
  return new KubeLoginError(code, action, reasonOf(error), { fix, cause: error });
}

const LOCAL_ONLY_FIX = 'run logout again when the provider answers, or pass --local-only to delete the cached tokens without revoking them';

/** The fix for a provider that could not be reached: a certificate that does not verify needs its CA first. */
function connectFix(error: unknown): string {
  if (!isKubeLoginError(error, 'tls')) return LOCAL_ONLY_FIX;
  return 'pass the CA that signed the provider\'s certificate with --certificate-authority FILE (as get-token does), or pass --local-only to delete the cached tokens without revoking them';
}

/**
 * Revokes and deletes one entry under its lock. The entry is kept when its refresh token could not be
 * revoked: without it nobody could revoke that grant any more (--local-only deletes it anyway).
 */
async function logoutOne(deps: LogoutDeps, input: LogoutInput, session: CachedSession): Promise<{ outcome: LogoutOutcome; idToken: string | undefined }> {
  const outcome: LogoutOutcome = {
    issuer: session.key.issuer,
    clientId: session.key.clientId,
    storage: session.storage,
    who: undefined,
    refreshToken: 'not-held',
    accessToken: 'not-held',
    removed: false,
    endSession: input.endSession ? 'failed' : 'not-asked',
  };
  let idToken: string | undefined;
  const lock = await deps.lock.acquire(session.id);
  try {
    await lock.setPurpose?.('logging out');
    let tokens: CachedTokens | undefined;
    try {
      // Re-read under the lock: a get-token that ran before us may have rotated the refresh token.
      const current = (await deps.cache.find(session.id)) ?? session;
      tokens = await deps.cache.readTokens(current);
    } catch (error) {
      if (!input.localOnly) {
        outcome.error = failure('keychain', 'read the tokens to revoke them', error, `unlock the OS keychain and run logout again, or pass --local-only to delete what can be deleted`);
        return { outcome, idToken };
      }
      deps.logger.warn(`could not read the tokens (${reasonOf(error)}); deleting the entry without revoking them`);
    }
    rememberSecrets(deps.logger, tokens);
    idToken = tokens?.idToken;
    const named = tokens?.idToken ?? tokens?.accessToken;
    const identity = named === undefined ? undefined : identityFromIdToken(named);
    outcome.who = identity?.email ?? identity?.preferredUsername ?? identity?.subject;
    if (tokens?.refreshToken) outcome.refreshToken = input.localOnly ? 'skipped' : 'failed';
    if (tokens?.accessToken) outcome.accessToken = input.localOnly ? 'skipped' : 'failed';

    if (!input.localOnly && (tokens?.refreshToken || tokens?.accessToken)) {
      let provider: ProviderConnection;
      try {
        provider = await deps.connect(session.key);
      } catch (error) {
        outcome.error = failure(isKubeLoginError(error) ? error.code : 'provider-unreachable', `reach ${session.key.issuer} to revoke the refresh token`, error, connectFix(error));
        return { outcome, idToken };
      }
      if (tokens.refreshToken) {
        try {
          outcome.refreshToken = (await provider.revoke(tokens.refreshToken, 'refresh_token')) ? 'revoked' : 'no-endpoint';
        } catch (error) {
          outcome.error = failure(isKubeLoginError(error) ? error.code : 'provider-rejected', 'revoke the refresh token', error, LOCAL_ONLY_FIX);
          return { outcome, idToken };
        }
      }
      if (tokens.accessToken) {
        // The access token matters less: it dies at its expiry, and many providers cannot revoke
        // JWT access tokens (RFC 7009 section 2.2.1, unsupported_token_type); a failure is a warning.
        try {
          outcome.accessToken = (await provider.revoke(tokens.accessToken, 'access_token')) ? 'revoked' : 'no-endpoint';
        } catch (error) {
          deps.logger.warn(`the provider did not revoke the access token (${reasonOf(error)}); it stays valid until it expires`);
        }
      }
    }
    try {
      outcome.removed = await deps.cache.remove(session);
    } catch (error) {
      outcome.error = failure(isKubeLoginError(error) ? error.code : 'cache', 'delete the cached tokens', error, isKubeLoginError(error) && error.fix ? error.fix : 'check the cache directory, or run `kube-login clean`');
    }
  } finally {
    await lock.release();
  }
  return { outcome, idToken };
}

/** The end-session URL to show a person: the endpoint with our client_id, never the id_token_hint (a token). */
function printableEndSessionUrl(provider: ProviderConnection, clientId: string): string | undefined {
  const endpoint = provider.metadata['end_session_endpoint'];
  if (typeof endpoint !== 'string') return undefined;
  const url = new URL(endpoint);
  url.searchParams.set('client_id', clientId);
  return url.href;
}

async function endSession(deps: LogoutDeps, input: LogoutInput, key: CacheKeyInput, idToken: string | undefined): Promise<LogoutOutcome['endSession']> {
  let provider: ProviderConnection;
  try {
    provider = await deps.connect(key);
  } catch (error) {
    deps.logger.warn(`could not open the provider's end-session page: ${reasonOf(error)}`);
    return 'failed';
  }
  const printable = printableEndSessionUrl(provider, key.clientId);
  if (!printable) return 'no-endpoint';
  // The browser gets id_token_hint, so that the provider ends this session without asking which one.
  const url = idToken ? (provider.endSessionUrl(idToken)?.href ?? printable) : printable;
  if (input.skipOpenBrowser) {
    deps.logger.info(`  to end the session at the provider, open:\n\n    ${printable}\n`);
    return 'printed';
  }
  deps.logger.info(`  opening the provider's end-session page in the browser. If it does not open, visit:\n\n    ${printable}\n`);
  await deps.openBrowser(url);
  return 'opened';
}

function describeOutcome(outcome: LogoutOutcome): string[] {
  const lines: string[] = [];
  const as = outcome.who ? ` as ${outcome.who}` : '';
  const head = `${outcome.issuer} (client ${outcome.clientId})${as}`;
  if (outcome.error) lines.push(`kube-login: did not log out of ${head}: ${outcome.error.message}`);
  else lines.push(`kube-login: logged out of ${head}:`);
  const revocation: Record<Revocation, string | undefined> = {
    revoked: 'revoked the refresh token at the provider (RFC 7009)',
    'no-endpoint': 'the provider has no revocation endpoint: the refresh token stays valid until it expires',
    'not-held': undefined,
    skipped: 'did not revoke the refresh token (--local-only): it stays valid at the provider until it expires',
    failed: undefined,
  };
  const refreshLine = revocation[outcome.refreshToken];
  if (refreshLine) lines.push(`  ${refreshLine}`);
  if (outcome.accessToken === 'revoked') lines.push('  revoked the access token');
  if (outcome.removed) lines.push(`  deleted the cached tokens (${outcome.storage === 'keyring' ? 'the OS keychain items and the entry file' : 'the entry file'})`);
  else if (outcome.error) lines.push('  kept the cached tokens, so that logout can revoke them later');
  return lines;
}

const END_SESSION_LINES: Readonly<Record<LogoutOutcome['endSession'], string | undefined>> = {
  opened: undefined,
  printed: undefined,
  'no-endpoint': '  the provider has no end_session_endpoint: its browser session stays signed in',
  'not-asked': undefined,
  failed: undefined,
};

/** Logs out of the selected configurations; throws the first failure after reporting every outcome. */
export async function logout(deps: LogoutDeps, input: LogoutInput): Promise<LogoutReport> {
  const sessions = await selectSessions(deps.cache, input.selection);
  const outcomes: LogoutOutcome[] = [];
  // A login waiting for a person (login --no-wait) is cancelled first: its process exits, its listener closes.
  const ids = input.selection.kind === 'one' ? [input.selection.key.id] : sessions.map((session) => session.id);
  for (const id of ids) {
    const cancelled = await deps.cancelPendingLogin?.(id);
    if (cancelled) deps.logger.info(`kube-login: cancelled the login that was waiting for you (${cancelled.grant}, pid ${cancelled.pid}); it no longer answers`);
  }
  if (sessions.length === 0) {
    if (input.selection.kind === 'one') {
      const key = input.selection.key.input;
      deps.logger.info(`kube-login: not logged in to ${key.issuer} (client ${key.clientId}): nothing is cached in ${deps.cache.dir}`);
      if (input.endSession) {
        const line = END_SESSION_LINES[await endSession(deps, input, key, undefined)];
        if (line) deps.logger.info(line);
      }
    } else {
      deps.logger.info(`kube-login: no cached sessions in ${deps.cache.dir}: nothing to log out of`);
    }
    return { outcomes };
  }
  for (const session of sessions) {
    const { outcome, idToken } = await logoutOne(deps, input, session);
    outcomes.push(outcome);
    for (const line of describeOutcome(outcome)) deps.logger.info(line);
    if (input.endSession && !outcome.error) {
      outcome.endSession = await endSession(deps, input, session.key, idToken);
      const line = END_SESSION_LINES[outcome.endSession];
      if (line) deps.logger.info(line);
    }
  }
  const failed = outcomes.filter((outcome) => outcome.error);
  const first = failed[0]?.error;
  if (first) {
    throw new KubeLoginError(first.code, `log out of ${failed.length} of ${outcomes.length} configuration${outcomes.length === 1 ? '' : 's'}`, first.reason, {
      ...(first.fix ? { fix: first.fix } : {}),
      cause: first,
    });
  }
  return { outcomes };
}
