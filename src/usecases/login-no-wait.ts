// `kube-login login --no-wait`: for agents, CI jobs and editors. Refreshes when a refresh token works;
// else starts a login in a detached kube-login process and returns at once with where to log in.
// One pending login per cache key: the decision to start is taken under the per-key lock, so two
// concurrent calls give one URL and one authorization request.
import { cacheKey } from '../cache/key.js';
import type { PendingLogin } from '../cache/pending-login.js';
import type { GetTokenInput } from '../config/get-token-input.js';
import { cacheKeyInputOf } from '../config/get-token-input.js';
import { KubeLoginError, isKubeLoginError } from '../errors.js';
import type { GetTokenDeps } from './get-token.js';
import { type LoginNowResult, loginNow } from './login-now.js';

/** The ports of login --no-wait: get-token's, the pending-login file, and the detached process. */
export interface NoWaitDeps extends GetTokenDeps {
  pendingLogin(id: string): Promise<PendingLogin | undefined>;
  /** Starts the detached login and resolves once it has announced where to log in (or rejects with why not). */
  startDetachedLogin(): Promise<PendingLogin>;
}

/** What login --no-wait came to: logged in already (refresh), or a login waiting for the person. */
export type NoWaitResult = { kind: 'logged-in'; login: LoginNowResult } | { kind: 'pending'; started: boolean; pending: PendingLogin };

/** Grants that wait for a person somewhere else: the only ones a detached process can finish. */
const DETACHABLE = new Set(['auto', 'authcode', 'device-code']);

/** Refreshes, or finds or starts the pending login of the configuration. */
export async function loginNoWait(deps: NoWaitDeps, input: GetTokenInput, options: { force: boolean; context?: string }): Promise<NoWaitResult> {
  if (!DETACHABLE.has(input.grantType)) {
    throw new KubeLoginError('usage', 'log in with --no-wait', `the ${input.grantType} grant ${input.grantType === 'client-credentials' ? 'needs no person' : 'reads from the terminal'}, so there is nothing to wait for in the background`, {
      fix: 'run `kube-login login` without --no-wait, or use --grant-type authcode or device-code',
    });
  }
  const key = cacheKey(cacheKeyInputOf(input));
  const existing = await deps.pendingLogin(key.id);
  if (existing) return { kind: 'pending', started: false, pending: existing };
  if (!options.force) {
    try {
      // Anything that needs no person runs now: a valid token is refreshed, as `login` does.
      const login = await loginNow(deps, input, { force: false, refreshOnly: true, ...(options.context === undefined ? {} : { context: options.context }) });
      return { kind: 'logged-in', login };
    } catch (error) {
      if (!isKubeLoginError(error, 'login-required')) throw error;
    }
  }
  const lock = await deps.lock.acquire(key.id);
  try {
    await lock.setPurpose?.('starting a login that does not wait');
    // Decided under the lock: whoever came first started the one pending login of this key.
    const again = await deps.pendingLogin(key.id);
    if (again) return { kind: 'pending', started: false, pending: again };
    return { kind: 'pending', started: true, pending: await deps.startDetachedLogin() };
  } finally {
    await lock.release();
  }
}
