// The issuer URL rules of kube-apiserver's `validateURL` (apiserver validation.go, SPECS.md B.1 and C.2).
import { KubeLoginError } from '../errors.js';

/**
 * Checks an issuer URL as kube-apiserver does: https, no user:password, no query, no fragment.
 * The string is never normalized: the apiserver compares it byte for byte with the token's `iss`.
 */
export function validateIssuerUrl(issuerUrl: string): string {
  const fail = (reason: string, fix: string): never => {
    throw new KubeLoginError('usage', `use ${JSON.stringify(issuerUrl)} as --oidc-issuer-url`, reason, { fix });
  };
  if (issuerUrl === '') fail('the issuer URL is empty', 'pass the issuer exactly as the provider\'s discovery document spells it');
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    return fail('it is not an absolute URL', 'pass the full issuer URL, for example https://idp.example.com/realms/main');
  }
  if (url.protocol !== 'https:') {
    fail('URL scheme must be https (kube-apiserver accepts only https issuers and would not start)', 'serve the provider over https and use that URL');
  }
  if (url.username !== '' || url.password !== '') {
    fail('URL must not contain a username or password', 'remove the user:password@ part');
  }
  // Checked on the raw string too: `https://idp?` has an empty query that URL drops, and OIDC
  // Discovery 1.0 §2 says the issuer has no query or fragment at all.
  if (url.search !== '' || issuerUrl.includes('?')) {
    fail('URL must not contain a query', 'remove the ?… part; an issuer identifier has no query component (OIDC Discovery 1.0 §2)');
  }
  if (url.hash !== '' || issuerUrl.includes('#')) {
    fail('URL must not contain a fragment', 'remove the #… part; an issuer identifier has no fragment component (OIDC Discovery 1.0 §2)');
  }
  if (url.hostname === '') fail('the URL has no host', 'pass the full issuer URL');
  return issuerUrl;
}
