// The authorization code grant typed in by hand (`authcode-keyboard`): the person opens the URL in any
// browser, and pastes back the address the provider redirected to (or the code the provider shows).
// Nothing listens on the redirect URI, so this works where the browser cannot reach this machine.
import type { GetTokenInput } from '../config/get-token-input.js';
import { KubeLoginError, isKubeLoginError } from '../errors.js';
import { identityOf } from '../oidc/jwt-claims.js';
import { type AuthorizationChecks, type ProviderConnection, type TokenResult, newAuthorizationChecks } from '../oidc/provider-client.js';
import type { Logger } from '../platform/logger.js';
import { terminalLine } from '../platform/terminal-text.js';
import { type Terminal, requireTerminal } from '../platform/terminal.js';
import { abortOnTimeoutOrSignal } from './login-authcode.js';

/** What the keyboard login needs besides the provider. */
export interface KeyboardDeps {
  logger: Logger;
  terminal: Terminal;
  /** The command to run in a terminal, for the refusal when there is none. */
  loginCommand: string;
}

const ACTION = 'log in with the authcode-keyboard grant';
/** How many unusable answers we explain before giving up. */
const ATTEMPTS = 3;

/**
 * The redirect URI: the loopback form the client is already registered with (`http://localhost:8000/`
 * by default, from --oidc-redirect-url-hostname and the first --listen-address; port 0 means 8000).
 * Nothing listens there: the browser shows an error page whose address bar holds the code.
 */
export function keyboardRedirectUri(input: Pick<GetTokenInput, 'redirectHostname' | 'listenAddresses'>): string {
  const port = input.listenAddresses[0]?.port || 8000;
  const host = input.redirectHostname.includes(':') ? `[${input.redirectHostname}]` : input.redirectHostname;
  return `http://${host}:${port}/`;
}

/** A pasted answer turned into the callback URL for the code exchange, or the reason it cannot be used. */
export type PastedAnswer = { callbackUrl: URL } | { problem: string };

/**
 * Reads what the person pasted: the whole redirected URL, or only the code.
 * - A URL must carry our `state` (RFC 6749 10.12): a URL from another login is refused, not exchanged.
 *   An `error` in it is the provider's refusal (RFC 6749 4.1.2.1) and ends the login.
 * - A bare code has no state to check. PKCE binds it to this login's verifier, so a code from
 *   elsewhere fails at the token endpoint (RFC 9700 4.5.3.1). We add our state, and the issuer when
 *   the provider sends `iss` (RFC 9207): the code came from the page of the one provider we sent the
 *   person to, which is what that check establishes.
 */
export function parsePastedAnswer(text: string, checks: Pick<AuthorizationChecks, 'state'>, redirectUri: string, provider: Pick<ProviderConnection, 'issuer' | 'metadata'>): PastedAnswer {
  const answer = text.trim();
  if (answer === '') return { problem: 'nothing was pasted' };
  if (/^https?:\/\//i.test(answer)) {
    let url: URL;
    try {
      url = new URL(answer);
    } catch {
      return { problem: 'that is not a complete URL' };
    }
    const error = url.searchParams.get('error');
    if (error) {
      const description = url.searchParams.get('error_description');
      throw new KubeLoginError('login-denied', ACTION, `the provider returned ${terminalLine(error)}${description ? `: ${terminalLine(description)}` : ''}`, {
        fix: 'run the command again and complete the login at the provider',
        oauthError: error,
      });
    }
    if (!url.searchParams.get('code')) return { problem: 'that URL has no code: paste the address the browser shows after the login, which starts with ' + redirectUri };
    if (url.searchParams.get('state') !== checks.state) return { problem: 'that URL belongs to another login (its state does not match): paste the address from the login you just did' };
    return { callbackUrl: url };
  }
  if (!/^[A-Za-z0-9._~+/=-]+$/.test(answer)) return { problem: 'that is neither a URL nor a code' };
  const callbackUrl = new URL(redirectUri);
  callbackUrl.searchParams.set('code', answer);
  callbackUrl.searchParams.set('state', checks.state);
  if (provider.metadata['authorization_response_iss_parameter_supported'] === true) callbackUrl.searchParams.set('iss', provider.issuer);
  return { callbackUrl };
}

/** Runs one keyboard login and returns the validated tokens; refused at once without a terminal. */
export async function loginWithKeyboard(provider: ProviderConnection, input: GetTokenInput, deps: KeyboardDeps): Promise<TokenResult> {
  const { logger, terminal } = deps;
  requireTerminal(terminal, ACTION, 'read the code you paste', deps.loginCommand);
  const checks = await newAuthorizationChecks();
  const redirectUri = keyboardRedirectUri(input);
  const url = provider.authorizationUrl(redirectUri, input.scopes, checks, input.extraParams).href;
  logger.info(`kube-login: open this URL in a browser on any machine and log in to ${provider.issuer}:\n\n    ${url}\n`);
  logger.info(`kube-login: the browser then goes to ${redirectUri}, which does not load: that is expected. Copy the whole address from the address bar (or the code, if the provider shows one) and paste it here.`);

  const controller = new AbortController();
  const cleanup = abortOnTimeoutOrSignal(controller, input.authenticationTimeoutSeconds, ACTION);
  try {
    for (let attempt = 1; ; attempt++) {
      // The code is a credential (RFC 6749 10.5): it is not echoed, so no scrollback or shared screen keeps it.
      const text = await terminal.readLine('Paste the address or the code (the input is hidden): ', { secret: true, signal: controller.signal });
      const parsed = parsePastedAnswer(text, checks, redirectUri, provider);
      if ('problem' in parsed) {
        if (attempt >= ATTEMPTS) throw new KubeLoginError('login-denied', ACTION, parsed.problem, { fix: 'run the command again and paste the address the browser shows after the login' });
        logger.info(`kube-login: ${parsed.problem}; try again`);
        continue;
      }
      logger.redactor.add(parsed.callbackUrl.searchParams.get('code') ?? undefined);
      logger.info('kube-login: received the code; exchanging it for tokens');
      const result = await provider.exchangeCode(parsed.callbackUrl, checks, redirectUri);
      logger.info(`kube-login: logged in as ${identityOf(result.claims ?? {})}`);
      return result;
    }
  } catch (error) {
    if (isKubeLoginError(error) && error.oauthError === 'invalid_grant') {
      throw new KubeLoginError('login-denied', ACTION, `the provider did not accept the code: ${error.reason}`, {
        fix: 'run the command again and paste the address of that login (a code works once, only for the login that asked for it)',
        cause: error,
        oauthError: error.oauthError,
      });
    }
    throw error;
  } finally {
    cleanup();
  }
}
