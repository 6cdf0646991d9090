// Reads the provider's discovery document as kube-apiserver does (go-oidc NewProvider), unvalidated,
// so that apiserver-config can compare its issuer byte for byte and name the difference.
import { KubeLoginError, describe } from '../errors.js';
import type { Fetch } from '../oidc/http.js';
import { translateNetworkError } from '../oidc/network-error.js';

/** The port: the raw discovery JSON of an issuer. */
export type DiscoverProvider = (issuerUrl: string) => Promise<Record<string, unknown>>;

/** go-oidc's URL: the issuer without one trailing slash, then `/.well-known/openid-configuration`. */
export function discoveryUrlOf(issuerUrl: string): string {
  return `${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** A DiscoverProvider over `fetchImpl`, with kube-apiserver's 30-second client timeout. */
export function createDiscoverProvider(fetchImpl: Fetch): DiscoverProvider {
  return async (issuerUrl) => {
    const url = discoveryUrlOf(issuerUrl);
    const action = `read the provider's discovery document at ${url}`;
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const translated = translateNetworkError(error, action, url);
      if (translated?.code === 'tls') {
        throw new KubeLoginError('tls', action, translated.reason, {
          cause: error,
          fix: 'pass the CA that signed the provider\'s certificate with --ca-file FILE (kube-apiserver needs the same CA), or --offline',
        });
      }
      if (translated) throw new KubeLoginError(translated.code, action, translated.reason, { cause: error, fix: `${translated.fix ?? 'check the issuer URL'}; or pass --offline to skip the provider checks` });
      throw new KubeLoginError('provider-unreachable', action, describe(error), { cause: error, fix: 'check the issuer URL, or pass --offline' });
    }
    if (!response.ok) {
      throw new KubeLoginError('provider-rejected', action, `the provider answered HTTP ${response.status}`, {
        fix: 'check --oidc-issuer-url: kube-apiserver reads <issuer>/.well-known/openid-configuration',
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new KubeLoginError('provider-rejected', action, 'the answer is not JSON', { cause: error, fix: 'check --oidc-issuer-url' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new KubeLoginError('provider-rejected', action, 'the answer is not a JSON object', { fix: 'check --oidc-issuer-url' });
    }
    return body as Record<string, unknown>;
  };
}
