// The device authorization grant (RFC 8628): show a code, let the person approve it on any device,
// poll the token endpoint until they do. For SSH sessions, containers and machines without a browser.
import type { GetTokenInput } from '../config/get-token-input.js';
import { KubeLoginError, isKubeLoginError } from '../errors.js';
import type { OpenBrowser } from '../oidc/browser.js';
import { isOpenableUrl } from '../oidc/endpoint-security.js';
import { identityOf } from '../oidc/jwt-claims.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Logger } from '../platform/logger.js';
import { terminalLine } from '../platform/terminal-text.js';
import { abortOnTimeoutOrSignal } from './login-authcode.js';

/** What the device code login needs besides the provider. */
export interface DeviceCodeDeps {
  logger: Logger;
  /** Opens the verification page; a no-op when no browser can be opened here. */
  openBrowser: OpenBrowser;
}

const ACTION = 'log in with the device code';

/** `promise`, or the signal's reason as soon as it aborts (openid-client notices an abort only between waits of up to 5 s). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function minutes(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} seconds`;
  return `${Math.round(seconds / 60)} minutes`;
}

/** RFC 8628 section 3.5: access_denied and expired_token end the flow; each gets its own message and fix. */
function stopError(error: unknown, expiresIn: number): unknown {
  if (!isKubeLoginError(error)) return error;
  if (error.oauthError === 'access_denied') {
    return new KubeLoginError('login-denied', ACTION, 'the request was denied at the provider (access_denied)', {
      fix: 'run the command again and approve the request on the verification page, with an account that may use this client',
      cause: error,
      oauthError: error.oauthError,
    });
  }
  if (error.oauthError === 'expired_token') {
    return new KubeLoginError('login-timeout', ACTION, 'the code expired before the login was approved (expired_token)', {
      fix: `run the command again and enter the new code within ${minutes(expiresIn)}`,
      cause: error,
      oauthError: error.oauthError,
    });
  }
  return error;
}

/** Runs one device code login and returns the validated tokens. */
export async function loginWithDeviceCode(provider: ProviderConnection, input: GetTokenInput, deps: DeviceCodeDeps): Promise<TokenResult> {
  const { logger } = deps;
  const authorization = await provider.deviceAuthorization(input.scopes, input.extraParams);
  const { expiresIn } = authorization;
  const userCode = terminalLine(authorization.userCode);
  // RFC 8628 section 5.4: the verification URI comes from the provider. Only https (or http on
  // loopback) is opened or offered as a link: a `file:`, `javascript:` or custom-scheme URI handed to
  // the browser command would open a local file, run script, or start another program.
  const verificationUri = authorization.verificationUri;
  if (!isOpenableUrl(verificationUri)) {
    throw new KubeLoginError('provider-rejected', ACTION, `the provider's verification_uri "${terminalLine(verificationUri.slice(0, 200))}" is not an https URL, so kube-login does not open or show it`, {
      fix: 'configure the provider to publish an https verification URI, or use --grant-type authcode',
    });
  }
  let verificationUriComplete = authorization.verificationUriComplete;
  if (verificationUriComplete !== undefined && !isOpenableUrl(verificationUriComplete)) {
    logger.warn(`the provider's verification_uri_complete is not an https URL ("${terminalLine(verificationUriComplete.slice(0, 200))}"); it is not opened: use the address and code below`);
    verificationUriComplete = undefined;
  }
  // The user code is meant to be read and typed by the person; the device code never leaves this process.
  logger.info(`kube-login: to log in to ${provider.issuer}, open ${terminalLine(verificationUri)} on any device and enter the code ${userCode}`);
  if (verificationUriComplete) logger.info(`kube-login: or open ${terminalLine(verificationUriComplete)}, which fills in the code`);
  const waitSeconds = Math.min(input.authenticationTimeoutSeconds, expiresIn);
  logger.info(`kube-login: waiting up to ${minutes(waitSeconds)} for the login (Ctrl-C to cancel)`);
  await deps.openBrowser(verificationUriComplete ?? verificationUri);

  const controller = new AbortController();
  const cleanup = abortOnTimeoutOrSignal(controller, input.authenticationTimeoutSeconds, ACTION);
  // Passing our own signal replaces openid-client's expires_in deadline (RFC 8628 3.2), so keep it here.
  const expiry = setTimeout(() => {
    controller.abort(new KubeLoginError('login-timeout', ACTION, `the code expired after ${minutes(expiresIn)} without the login being approved`, { fix: 'run the command again and enter the new code sooner' }));
  }, expiresIn * 1000);
  try {
    // Polls at the provider's interval (5 s when it gives none); authorization_pending keeps polling
    // and slow_down adds 5 s for this and every later request (RFC 8628 3.5), inside openid-client.
    const result = await untilAborted(provider.pollDeviceGrant(authorization, controller.signal), controller.signal);
    logger.info(`kube-login: logged in as ${identityOf(result.claims ?? {})}`);
    return result;
  } catch (error) {
    throw stopError(error, expiresIn);
  } finally {
    clearTimeout(expiry);
    cleanup();
  }
}
