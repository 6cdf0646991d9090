// `kube-login login`: logs in now, for the moment before a demo or a long job. It refreshes when a
// refresh token works, else runs the configured grant (with --force: a new login even with a valid
// token), through get-token's own cache, lock and refresh, and says who is logged in until when.
import { bearerToken } from '../cache/expiry.js';
import type { GetTokenInput } from '../config/get-token-input.js';
import { type GetTokenDeps, type TokenSource, obtainTokens } from './get-token.js';
import { identityFromIdToken, relativeTime } from './status.js';

/** How the login command runs. */
export interface LoginNowOptions {
  /** Run a new login even when the cached token is valid or refreshable. */
  force: boolean;
  /** The kubeconfig context the configuration comes from, for the report. */
  context?: string;
  /** Only use the cache or a refresh; throw 'login-required' where a login would start (login --no-wait). */
  refreshOnly?: boolean;
}

/** Who is logged in, until when, and how the token was obtained; never the token. */
export interface LoginNowResult {
  context?: string;
  source: TokenSource;
  username?: string;
  groups?: string[];
  /** When the token kubectl sends expires. */
  expiresAt?: string;
}

const SOURCES: Readonly<Record<TokenSource, string>> = {
  cache: 'the cached token (another kube-login had just refreshed it)',
  refresh: 'a refresh',
  login: 'a new login',
};

/** Logs in (or refreshes) and reports on stderr who is logged in and until when. */
export async function loginNow(deps: GetTokenDeps, input: GetTokenInput, options: LoginNowOptions): Promise<LoginNowResult> {
  // A person asked to log in: --no-login in the stanza (meant for background callers) does not apply here.
  const run: GetTokenInput = { ...input, noLogin: options.refreshOnly === true, forceRefresh: !options.force };
  const { tokens, source } = await obtainTokens(deps, run, options.force ? { forceLogin: true } : options.refreshOnly ? { afterFailedRefresh: 'starting a login that does not wait' } : {});
  const named = tokens.idToken ?? bearerToken(tokens, input.useAccessToken);
  const identity = named === undefined ? undefined : identityFromIdToken(named);
  const username = identity?.email ?? identity?.preferredUsername ?? identity?.subject;
  const exp = input.useAccessToken ? (tokens.accessTokenExpiresAt ?? tokens.idTokenExpiresAt) : tokens.idTokenExpiresAt;
  const result: LoginNowResult = {
    ...(options.context === undefined ? {} : { context: options.context }),
    source,
    ...(username === undefined ? {} : { username }),
    ...(identity?.groups === undefined ? {} : { groups: identity.groups }),
    ...(exp === undefined ? {} : { expiresAt: new Date(exp * 1000).toISOString() }),
  };
  const who = username ?? 'an unnamed user';
  const groups = identity?.groups && identity.groups.length > 0 ? ` (groups ${identity.groups.join(', ')})` : '';
  const where = options.context === undefined ? '' : ` on context ${options.context}`;
  const until = exp === undefined ? '' : ` until ${new Date(exp * 1000).toISOString()} (${relativeTime(exp - deps.clock.now() / 1000)})`;
  deps.logger.info(`kube-login: logged in${where} as ${who}${groups}${until}, by ${SOURCES[source]}`);
  return result;
}
