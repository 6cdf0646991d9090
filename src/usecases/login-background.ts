// The detached half of `login --no-wait`: runs the grant as a foreground login would (same state,
// nonce and PKCE verifier, in memory only; the same loopback listener rules), announces where to log
// in as soon as the URL exists, waits for the person until the login completes or times out, and
// writes the tokens under the per-key lock as any login does.
import { cacheKey } from '../cache/key.js';
import type { PendingGrant } from '../cache/pending-login.js';
import { type GetTokenInput, cacheKeyInputOf } from '../config/get-token-input.js';
import type { DeviceAuthorization, ProviderConnection } from '../oidc/provider-client.js';
import type { GetTokenDeps } from './get-token.js';
import { rememberSecrets } from './refresh.js';
import { toCachedTokens } from './token-result.js';

/** Where the person logs in, announced once the listener is bound (authcode) or the code issued (device code). */
export interface LoginAnnouncement {
  /** The authorization URL (nothing more), or the device grant's verification URI. */
  url: string;
  userCode?: string;
  grant: PendingGrant;
  expiresAt: string;
}

/** The ports of the detached login: get-token's own, and two to tell the starting process. */
export interface BackgroundLoginDeps extends Pick<GetTokenDeps, 'store' | 'lock' | 'clock' | 'logger' | 'connect' | 'login'> {
  /** Records the pending login and tells the starting process; called once. */
  announce(announcement: LoginAnnouncement): Promise<void>;
  /** Called under the per-key lock once the tokens are written: the login no longer waits. */
  settled(): Promise<void>;
}

/** Runs the login to its end; throws what the grant throws (timeout, cancel, denial). */
export async function runBackgroundLogin(deps: BackgroundLoginDeps, input: GetTokenInput): Promise<void> {
  const key = cacheKey(cacheKeyInputOf(input));
  const timeoutSeconds = input.authenticationTimeoutSeconds;
  const until = (seconds: number): string => new Date(deps.clock.now() + seconds * 1000).toISOString();
  let announced: Promise<void> | undefined;
  const base = await deps.connect();
  // The announcement hooks into the two provider calls that make a login URL exist: the
  // authorization URL is built only after the loopback listener is bound, and the device
  // authorization response carries the code (RFC 8628 3.2).
  const provider: ProviderConnection = {
    ...base,
    authorizationUrl(redirectUri, scopes, checks, extraParams) {
      const url = base.authorizationUrl(redirectUri, scopes, checks, extraParams);
      announced ??= deps.announce({ url: url.href, grant: 'authcode', expiresAt: until(timeoutSeconds) });
      return url;
    },
    async deviceAuthorization(scopes, extraParams): Promise<DeviceAuthorization> {
      const authorization = await base.deviceAuthorization(scopes, extraParams);
      announced ??= deps.announce({
        url: authorization.verificationUri,
        userCode: authorization.userCode,
        grant: 'device-code',
        expiresAt: until(Math.min(timeoutSeconds, authorization.expiresIn)),
      });
      await announced;
      return authorization;
    },
  };
  const result = await deps.login(provider);
  await announced;
  const tokens = toCachedTokens(result, deps.clock.now(), { accessTokenOnly: input.useAccessToken });
  rememberSecrets(deps.logger, tokens);
  const lock = await deps.lock.acquire(key.id);
  try {
    await lock.setPurpose?.('saving a login');
    await deps.store.write(key, tokens);
    await deps.settled();
  } finally {
    await lock.release();
  }
}
