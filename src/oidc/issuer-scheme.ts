// Which issuer URLs kube-login talks to at all: https, or plain http on this machine only.
import { KubeLoginError } from '../errors.js';
import { isLoopbackUrl } from './endpoint-security.js';

/**
 * The refusal of a plain-http issuer that is not on loopback (RFC 8252 §8.3 allows plain http only
 * there; kube-apiserver accepts only https issuers), or undefined when the scheme is acceptable.
 */
export function plainHttpRefusal(issuerUrl: string): KubeLoginError | undefined {
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:' || isLoopbackUrl(url)) return undefined;
  return new KubeLoginError('usage', `use the issuer ${issuerUrl}`, 'plain http is allowed only for a provider on this machine (loopback)', {
    fix: 'use the https URL of the provider',
  });
}
