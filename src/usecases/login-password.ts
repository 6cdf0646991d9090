// The resource owner password credentials grant (RFC 6749 4.3), for providers and test setups that
// still allow it. The password comes from --password or a prompt with the echo off; it is registered
// with the redactor at once, and never written to the cache or the kubeconfig.
import type { GetTokenInput } from '../config/get-token-input.js';
import { KubeLoginError, isKubeLoginError } from '../errors.js';
import { identityOf } from '../oidc/jwt-claims.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Logger } from '../platform/logger.js';
import { type Terminal, requireTerminal } from '../platform/terminal.js';
import { abortOnTimeoutOrSignal } from './login-authcode.js';

/** What the password login needs besides the provider. */
export interface PasswordDeps {
  logger: Logger;
  terminal: Terminal;
  /** The command to run in a terminal, for the refusal when a prompt is needed and there is none. */
  loginCommand: string;
}

const ACTION = 'log in with the password grant';

async function askPassword(input: GetTokenInput, username: string, deps: PasswordDeps): Promise<string> {
  requireTerminal(deps.terminal, ACTION, 'ask for the password (--password is not given)', deps.loginCommand);
  const controller = new AbortController();
  const cleanup = abortOnTimeoutOrSignal(controller, input.authenticationTimeoutSeconds, ACTION);
  try {
    return await deps.terminal.readLine(`Password for ${username} at ${input.issuerUrl}: `, { secret: true, signal: controller.signal });
  } finally {
    cleanup();
  }
}

/** Runs one password login and returns the validated tokens. */
export async function loginWithPassword(provider: ProviderConnection, input: GetTokenInput, deps: PasswordDeps): Promise<TokenResult> {
  const { logger } = deps;
  // The username is part of the cache key (one entry per account), so it must be known before the cache is read.
  const username = input.username;
  if (!username) {
    throw new KubeLoginError('usage', 'use --grant-type password', '--username is missing', { fix: 'pass --username=NAME (the password is asked for when --password is not given)' });
  }
  const password = input.password ?? (await askPassword(input, username, deps));
  logger.redactor.add(password);
  if (password === '') throw new KubeLoginError('usage', ACTION, 'the password is empty', { fix: 'run the command again and type the password' });
  try {
    const result = await provider.passwordGrant(username, password, input.scopes);
    logger.info(`kube-login: logged in as ${identityOf(result.claims ?? { sub: username })}`);
    return result;
  } catch (error) {
    // RFC 6749 5.2: wrong credentials are `invalid_grant`.
    if (isKubeLoginError(error) && error.oauthError === 'invalid_grant') {
      throw new KubeLoginError('login-denied', ACTION, `the provider refused the username or password for ${username}`, {
        fix: 'check --username and the password, and run the command again',
        cause: error,
        oauthError: error.oauthError,
      });
    }
    if (isKubeLoginError(error) && error.oauthError === 'unsupported_grant_type') {
      throw new KubeLoginError('provider-rejected', ACTION, 'the provider does not support the password grant (unsupported_grant_type)', {
        fix: 'use --grant-type authcode or device-code',
        cause: error,
        oauthError: error.oauthError,
      });
    }
    throw error;
  }
}
