// The resource owner password credentials grant (RFC 6749 4.3) for the test provider: oidc-provider
// dropped ROPC (OAuth 2.1 removes it), so the tests add it back with registerGrantType. It checks the
// demo user's name and password, then issues an access token and an ID token signed by the provider.
import type { GrantTypeHandler, ProviderContext } from 'oidc-provider';
import type { ExtraGrantType } from '../../support/provider.js';

/** The parts of oidc-provider's models and context the handler uses (the package ships no types). */
interface Saveable {
  save(): Promise<string>;
}
interface GrantModel extends Saveable {
  addOIDCScope(scope: string): void;
}
interface IdTokenModel {
  scope: string;
  issue(options: { use: 'idtoken' }): Promise<string>;
}
interface AccessTokenModel extends Saveable {
  readonly expiration: number;
}
interface OidcInternals {
  params: Record<string, unknown>;
  client: { clientId: string };
  provider: {
    Grant: new (fields: { accountId: string; clientId: string }) => GrantModel;
    AccessToken: new (fields: Record<string, unknown>) => AccessTokenModel;
    IdToken: new (claims: Record<string, unknown>, options: { ctx: ProviderContext }) => IdTokenModel;
  };
}

function reject(ctx: ProviderContext, error: string, description: string): void {
  ctx.status = 400;
  ctx.type = 'json';
  ctx.body = { error, error_description: description };
}

/**
 * The `password` grant type for startProvider's extraGrantTypes; it accepts `username`/`password` and
 * puts `claims()` (the provider's user, read when a request comes) into the ID token, filtered by scope.
 */
export function passwordGrantType(username: string, password: string, claims: () => Record<string, unknown>): ExtraGrantType {
  const handler: GrantTypeHandler = async (ctx) => {
    const oidc = ctx.oidc as unknown as OidcInternals;
    const { params, client, provider } = oidc;
    if (params['username'] !== username || params['password'] !== password) {
      reject(ctx, 'invalid_grant', 'invalid username or password');
      return;
    }
    const requested = typeof params['scope'] === 'string' ? params['scope'].split(' ') : ['openid'];
    const scope = requested.filter((value) => ['openid', 'email', 'groups', 'profile'].includes(value)).join(' ');
    const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const accessToken = new provider.AccessToken({ accountId: username, client, grantId, gty: 'password', scope });
    const accessTokenValue = await accessToken.save();
    const idToken = new provider.IdToken({ ...claims(), sub: username }, { ctx });
    idToken.scope = scope;
    ctx.type = 'json';
    ctx.body = {
      access_token: accessTokenValue,
      id_token: await idToken.issue({ use: 'idtoken' }),
      token_type: 'Bearer',
      expires_in: accessToken.expiration,
      scope,
    };
  };
  return { name: 'password', parameters: ['username', 'password', 'scope'], handler };
}
