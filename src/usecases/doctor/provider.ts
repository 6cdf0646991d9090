// Provider discovery and TLS: the discovery document read through kube-login's own HTTP client (the
// --certificate-authority flags, the system roots, the proxy variables), as get-token reads it.
import type { KubeLoginError } from '../../errors.js';
import { type DoctorCheck, fail, pass, warn } from './check.js';
import { describeRoute, type ProxyRoute } from './proxy.js';

/** The discovery document's URL for an issuer (OIDC Discovery 1.0 section 4). */
export function discoveryUrl(issuerUrl: string): string {
  return `${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** ✓ with what the provider offers, or ✗ naming TLS, reachability or the issuer mismatch. */
export function checkDiscovery(
  issuerUrl: string,
  result: { ok: true; metadata: Readonly<Record<string, unknown>> } | { ok: false; error: KubeLoginError },
  route: ProxyRoute,
  insecureSkipTlsVerify: boolean,
): DoctorCheck {
  const url = discoveryUrl(issuerUrl);
  if (!result.ok) {
    const { error } = result;
    const via = route.proxy !== undefined ? ` (through the proxy ${route.proxy})` : '';
    if (error.code === 'tls') {
      return fail('provider', `TLS to the provider failed${via}: ${error.reason}`, error.fix ?? 'pass the CA that signed the provider certificate with --certificate-authority FILE');
    }
    if (error.code === 'provider-unreachable') {
      const proxyFix = route.proxy !== undefined ? `; the request went ${describeRoute(route)}: check that the proxy is up, or add the issuer's host to NO_PROXY` : '';
      const fix = error.reason.startsWith('the proxy refused') && error.fix ? error.fix : `check --oidc-issuer-url and the network${proxyFix}`;
      return fail('provider', `the provider could not be reached at ${url}${via}: ${error.reason}`, fix);
    }
    return fail('provider', `the provider's discovery document at ${url} is not usable: ${error.reason}`, error.fix ?? 'check --oidc-issuer-url: it must be the issuer exactly as the provider publishes it');
  }
  const scheme = new URL(issuerUrl).protocol === 'https:' ? 'over TLS' : 'over plain http (loopback only)';
  const notes: string[] = [];
  if (typeof result.metadata['revocation_endpoint'] !== 'string') {
    notes.push('the provider has no revocation_endpoint: `kube-login logout` deletes the cached tokens, but the refresh token stays valid until it expires');
  }
  if (typeof result.metadata['end_session_endpoint'] !== 'string') notes.push('the provider has no end_session_endpoint: `kube-login logout --end-session` cannot end its browser session');
  const text = `read the provider's discovery document ${url} ${scheme}; its issuer matches`;
  if (insecureSkipTlsVerify) {
    return warn('provider', `${text}, but --insecure-skip-tls-verify turns off the certificate check`, 'pass the provider CA with --certificate-authority instead', notes);
  }
  return pass('provider', text, notes);
}
