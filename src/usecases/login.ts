// Picks the grant that a login runs, from --grant-type (auto decides in grant-choice.ts), and runs it.
import type { GetTokenInput } from '../config/get-token-input.js';
import type { OpenBrowser } from '../oidc/browser.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Terminal } from '../platform/terminal.js';
import { type MachineFacts, chooseGrant } from './grant-choice.js';
import { type AuthcodeDeps, loginWithAuthorizationCode } from './login-authcode.js';
import { checkClientCredentialsInput, loginWithClientCredentials } from './login-client-credentials.js';
import { loginWithDeviceCode } from './login-device-code.js';
import { loginWithKeyboard } from './login-keyboard.js';
import { loginWithPassword } from './login-password.js';

/** What every grant may need: the browser, the terminal, and the facts that auto decides on. */
export interface LoginDeps extends AuthcodeDeps {
  terminal: Terminal;
  machine: MachineFacts;
  /** The command a person runs in a terminal to log in, for refusals. */
  loginCommand: string;
}

const noBrowser: OpenBrowser = async () => undefined;

/** The login port of get-token for the configured grant. */
export function createLogin(input: GetTokenInput, deps: LoginDeps): (provider: ProviderConnection) => Promise<TokenResult> {
  // Flags that cannot work fail before anything else happens (no discovery, no lock held long).
  if (input.grantType === 'client-credentials') checkClientCredentialsInput(input);
  return async (provider) => {
    const choice = chooseGrant(input.grantType, deps.machine, provider.metadata);
    if (choice.notice) deps.logger.info(choice.notice);
    const openBrowser = choice.openBrowser ? deps.openBrowser : noBrowser;
    switch (choice.grant) {
      case 'authcode':
        return loginWithAuthorizationCode(provider, input, { logger: deps.logger, openBrowser });
      case 'device-code':
        return loginWithDeviceCode(provider, input, { logger: deps.logger, openBrowser });
      case 'authcode-keyboard':
        return loginWithKeyboard(provider, input, deps);
      case 'password':
        return loginWithPassword(provider, input, deps);
      case 'client-credentials':
        return loginWithClientCredentials(provider, input, deps);
    }
  };
}
