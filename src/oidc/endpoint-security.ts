// Which provider URLs kube-login talks to or opens: https, or plain http only on this machine's loopback.
import { KubeLoginError } from '../errors.js';

/**
 * True when the URL's host is a loopback address: the IP literals 127.0.0.0/8 and ::1, or the name
 * `localhost` (RFC 6761 section 6.3). A name such as `127.attacker.example` is not: DNS decides where
 * it points. The WHATWG URL parser has already turned `127.1` or `0x7f.0.0.1` into dotted form.
 */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** https, or http on a loopback address: the only URLs a client secret, code or token may be sent to. */
export function isSecureOrLoopbackUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url));
}

/** The endpoints of a discovery document (OIDC Discovery 1.0 section 3, RFC 8414 section 2) kube-login may call or open. */
export const DISCOVERY_ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
] as const;

/**
 * Refuses, before any request, a discovery document that names an endpoint kube-login must not use:
 * plain http on another host would carry the client secret, codes and tokens in clear text. An https
 * issuer gets https endpoints only (a local port is not the provider); an http loopback issuer (a test
 * provider) may also name http loopback endpoints.
 */
export function checkDiscoveryEndpoints(issuerUrl: URL, metadata: Readonly<Record<string, unknown>>): void {
  for (const field of DISCOVERY_ENDPOINTS) {
    const value = metadata[field];
    if (value === undefined) continue;
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    const allowed = url !== undefined && (url.protocol === 'https:' || (issuerUrl.protocol === 'http:' && isSecureOrLoopbackUrl(url)));
    if (allowed) continue;
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : 'a value that is not a URL';
    const why =
      url === undefined
        ? 'not a URL'
        : url.protocol === 'http:'
          ? isLoopbackUrl(url)
            ? 'plain http on this machine, while the issuer uses https'
            : 'plain http to another host, so the client secret, codes and tokens would cross the network in clear text'
          : `a ${url.protocol.replace(/:$/, '')} URL, not https`;
    throw new KubeLoginError('provider-rejected', `use the provider ${issuerUrl.href}`, `its discovery document names the ${field} ${shown}, which is ${why}; nothing was sent to it`, {
      fix: `configure the provider to publish https URLs for every endpoint (for a provider behind a TLS proxy, set its external or base URL to https), then run the command again`,
    });
  }
}

/**
 * A URL from the provider that may be handed to the browser command: https, or http on loopback.
 * Anything else (`file:`, `javascript:`, `data:`, a custom scheme) would make the browser or the
 * system's URL handler open a local file, run script, or start another program (RFC 8628 section 5.4
 * asks clients to guard against a malicious verification URI).
 */
export function isOpenableUrl(text: string): boolean {
  try {
    return isSecureOrLoopbackUrl(new URL(text));
  } catch {
    return false;
  }
}
