// Whether --oidc-use-access-token would work: kube-apiserver validates an access token as it does an
// ID token (SPECS.md B.2): a JWT whose iss is the issuer URL byte for byte, whose aud holds an accepted
// audience, signed by a key of the provider's JWKS. Checked on the real access token when the provider
// sends no ID token on refresh (OIDC Core 12.2 allows it), where access-token mode avoids the logins.
import type { SignatureResult } from '../../apiserver/verify-signature.js';
import { decodeJwtPayload } from '../../oidc/jwt-claims.js';
import { type DoctorCheck, pass, warn } from './check.js';
import { audienceOf } from './token-claims.js';

/** What access-token mode would need, checked on `accessToken`; `signature` comes from the JWKS verifier. */
export function checkAccessTokenMode(
  accessToken: string | undefined,
  issuerUrl: string,
  audiences: readonly string[],
  signature: SignatureResult | undefined,
): DoctorCheck {
  const cannot = 'so --oidc-use-access-token cannot help: every expiry of the ID token means a login';
  const longer = 'give ID tokens a longer lifetime at the provider';
  if (!accessToken) return warn('access-token-mode', `no access token is cached, ${cannot}`, longer);
  const claims = decodeJwtPayload(accessToken);
  if (!claims) return warn('access-token-mode', `the access token is not a JWT (kube-apiserver validates only JWTs), ${cannot}`, `${longer}, or have it issue JWT access tokens (RFC 9068)`);
  if (claims['iss'] !== issuerUrl) {
    return warn('access-token-mode', `the access token's iss is ${JSON.stringify(claims['iss'])}, not the issuer URL ${JSON.stringify(issuerUrl)}, ${cannot}`, longer);
  }
  if (signature && !signature.ok) return warn('access-token-mode', `the access token's signature does not verify with the provider's keys (${signature.detail}), ${cannot}`, longer);
  const aud = audienceOf(claims['aud']) ?? [];
  const accepted = aud.find((item) => audiences.includes(item));
  const signed = signature ? 'signed by a key of its JWKS' : 'its signature was not checked';
  if (accepted !== undefined) {
    return pass('access-token-mode', `the access token is a JWT from ${issuerUrl}, ${signed}, with the aud ${JSON.stringify(accepted)}: --oidc-use-access-token would refresh without logins`);
  }
  return warn(
    'access-token-mode',
    `the access token is a JWT from ${issuerUrl}, ${signed}, but its aud ${JSON.stringify(aud)} does not contain ${audiences.map((item) => JSON.stringify(item)).join(' or ')}`,
    `to use --oidc-use-access-token, configure the API server to accept one of these audiences (AuthenticationConfiguration jwt[].issuer.audiences), or ${longer}`,
  );
}
