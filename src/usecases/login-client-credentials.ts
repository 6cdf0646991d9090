// The client credentials grant (RFC 6749 4.4), for CI robots: a confidential client logs in as itself.
// Providers issue no ID token for it (OIDC defines none), so the cluster gets the access token, which
// it must be configured to accept (a JWT access token, RFC 9068, with the API server's audience).
import type { GetTokenInput } from '../config/get-token-input.js';
import { KubeLoginError } from '../errors.js';
import type { ProviderConnection, TokenResult } from '../oidc/provider-client.js';
import type { Logger } from '../platform/logger.js';

/** What the client credentials login needs besides the provider. */
export interface ClientCredentialsDeps {
  logger: Logger;
}

const ACTION = 'get a token with the client credentials grant';

/** Fails before any request when the flags cannot work: the grant needs a client secret. */
export function checkClientCredentialsInput(input: GetTokenInput): void {
  if (!input.clientSecret) {
    throw new KubeLoginError('usage', 'use --grant-type client-credentials', 'it needs a confidential client, and --oidc-client-secret is missing', {
      fix: 'give the secret of the client registered at the provider with --oidc-client-secret-file FILE or the KUBE_LOGIN_OIDC_CLIENT_SECRET variable (for example from a CI secret), which ps does not show',
    });
  }
}

/** Runs the grant; without an ID token in the response, --oidc-use-access-token is required. */
export async function loginWithClientCredentials(provider: ProviderConnection, input: GetTokenInput, deps: ClientCredentialsDeps): Promise<TokenResult> {
  checkClientCredentialsInput(input);
  const result = await provider.clientCredentialsGrant(input.scopes, input.extraParams);
  if (!result.idToken && !input.useAccessToken) {
    throw new KubeLoginError('usage', ACTION, 'the provider issued only an access token (providers issue no ID token for this grant), and the ID token is what kube-login sends by default', {
      fix: 'add --oidc-use-access-token, and make the cluster accept the access token: its `iss`, and an `aud` the API server expects',
    });
  }
  deps.logger.info(`kube-login: got a token for the client ${input.clientId} (client credentials grant)`);
  return result;
}
