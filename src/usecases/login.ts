// Picks the grant that a login runs, from --grant-type.
import type { GetTokenInput } from '../cli/options/get-token-input.js';
import { KubeLoginError } from '../errors.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import { type AuthcodeDeps, loginWithAuthorizationCode } from './login-authcode.js';

/** The login port of get-token for the configured grant. */
export function createLogin(input: GetTokenInput, deps: AuthcodeDeps): (provider: ProviderConnection) => Promise<TokenResult> {
  switch (input.grantType) {
    case 'auto':
    case 'authcode':
      return (provider) => loginWithAuthorizationCode(provider, input, deps);
    default:
      return () =>
        Promise.reject(
          new KubeLoginError('usage', `use --grant-type ${input.grantType}`, 'this grant is not available in this version of kube-login', {
            fix: 'use --grant-type authcode',
          }),
        );
  }
}
