// The authorization code grant with PKCE over a loopback redirect (RFC 6749 4.1, RFC 7636, RFC 8252).
import type { GetTokenInput } from '../config/get-token-input.js';
import { KubeLoginError, describe } from '../errors.js';
import type { OpenBrowser } from '../oidc/browser.js';
import { identityOf } from '../oidc/jwt-claims.js';
import { startLoopbackServer } from '../oidc/loopback-server.js';
import { errorPage, successPage } from '../oidc/pages.js';
import { type ProviderConnection, type TokenResult, newAuthorizationChecks } from '../oidc/provider-client.js';
import type { Logger } from '../platform/logger.js';

/** What the browser login needs besides the provider. */
export interface AuthcodeDeps {
  logger: Logger;
  openBrowser: OpenBrowser;
}

/** Aborts `controller` on timeout or on SIGINT/SIGTERM with the matching error; returns the cleanup. */
export function abortOnTimeoutOrSignal(controller: AbortController, timeoutSeconds: number, what: string): () => void {
  const timer = setTimeout(() => {
    controller.abort(
      new KubeLoginError('login-timeout', what, `nobody completed the login within ${timeoutSeconds} seconds`, {
        fix: 'run the command again and finish the login in the browser, or raise --authentication-timeout-sec',
      }),
    );
  }, timeoutSeconds * 1000);
  const onSignal = (signal: NodeJS.Signals): void => {
    controller.abort(new KubeLoginError('login-cancelled', what, `interrupted by ${signal}`, { fix: 'run the command again to log in' }));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Runs one browser login and returns the validated tokens; the listener closes whatever happens. */
export async function loginWithAuthorizationCode(provider: ProviderConnection, input: GetTokenInput, deps: AuthcodeDeps): Promise<TokenResult> {
  const { logger } = deps;
  const checks = await newAuthorizationChecks();
  const server = await startLoopbackServer(input.listenAddresses, input.redirectHostname, checks.state, logger);
  const controller = new AbortController();
  const cleanup = abortOnTimeoutOrSignal(controller, input.authenticationTimeoutSeconds, 'log in');
  try {
    const url = provider.authorizationUrl(server.redirectUri, input.scopes, checks, input.extraParams).href;
    logger.info(`kube-login: log in to ${provider.issuer} in your browser. If it does not open, visit:\n\n    ${url}\n`);
    await deps.openBrowser(url);
    const callback = await server.waitForCallback(controller.signal);
    logger.redactor.add(callback.url.searchParams.get('code') ?? undefined);
    try {
      const result = await provider.exchangeCode(callback.url, checks, server.redirectUri);
      const claims: Record<string, unknown> = result.claims ?? {};
      const exp = typeof claims['exp'] === 'number' ? claims['exp'] : Date.now() / 1000;
      callback.respond(200, successPage(identityOf(claims), new Date(exp * 1000)));
      logger.info(`kube-login: logged in as ${identityOf(claims)}`);
      return result;
    } catch (error) {
      callback.respond(400, errorPage(`kube-login ${describe(error)}`));
      throw error;
    }
  } finally {
    cleanup();
    server.close();
  }
}
