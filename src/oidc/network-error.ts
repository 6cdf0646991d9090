// Turns Node, undici and Bun network failures into errors that name the problem and the flag that fixes it.
import { KubeLoginError, describe } from '../errors.js';

const TLS_CODES: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is signed by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is signed by a CA that is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a self-signed CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

/** The error and its causes, outermost first (bounded, in case of a cycle). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 6; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** The innermost error code (e.g. ECONNREFUSED, CERT_HAS_EXPIRED) of a fetch failure, if any. */
export function networkErrorCode(error: unknown): string | undefined {
  let code: string | undefined;
  for (const link of causeChain(error)) {
    const candidate = (link as { code?: unknown }).code;
    if (typeof candidate === 'string') code = candidate;
  }
  return code;
}

/** A KubeLoginError for a failed request to `url`, or undefined when the error is not a network failure. */
export function translateNetworkError(error: unknown, action: string, url: string): KubeLoginError | undefined {
  const code = networkErrorCode(error);
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  if (code !== undefined && TLS_CODES[code]) {
    return new KubeLoginError('tls', action, `TLS to ${host} failed: ${TLS_CODES[code]} (${code})`, {
      fix: 'pass the CA that signed the provider certificate with --certificate-authority FILE or --certificate-authority-data BASE64',
      cause: error,
    });
  }
  const reachability: Readonly<Record<string, string>> = {
    ECONNREFUSED: `nothing is listening at ${host} (connection refused)`,
    ENOTFOUND: `the host name of ${host} does not resolve`,
    EAI_AGAIN: `the host name of ${host} could not be resolved right now`,
    ECONNRESET: `${host} closed the connection`,
    ETIMEDOUT: `${host} did not answer in time`,
    UND_ERR_CONNECT_TIMEOUT: `${host} did not answer in time`,
    EHOSTUNREACH: `${host} is unreachable`,
    ENETUNREACH: `the network of ${host} is unreachable`,
  };
  // undici's ProxyAgent reports a refused CONNECT as an AbortError, Bun's fetch (the executable) as
  // ERR_PROXY_TUNNEL "Proxy refused to open a tunnel: 407 …": name the proxy, not a timeout.
  const tunnel = causeChain(error)
    .map((link) => /Proxy response \((\d+)\) !== 200 when HTTP Tunneling|Proxy refused to open a tunnel: (\d+)/.exec(describe(link)))
    .map((match) => match?.[1] ?? match?.[2])
    .find((status) => status !== undefined);
  if (tunnel !== undefined) {
    return new KubeLoginError('provider-unreachable', action, `the proxy refused to open a tunnel to ${host} (HTTP ${tunnel}${tunnel === '407' ? ' Proxy Authentication Required' : ''})`, {
      fix:
        tunnel === '407'
          ? 'put the proxy credentials in the proxy URL (HTTPS_PROXY=http://USER:PASSWORD@proxy:port), or add the provider host to NO_PROXY'
          : 'check the proxy (HTTPS_PROXY, HTTP_PROXY) allows connections to the provider, or add the provider host to NO_PROXY',
      cause: error,
    });
  }
  if (code !== undefined && reachability[code]) {
    return new KubeLoginError('provider-unreachable', action, reachability[code], {
      fix: 'check the issuer URL, your network and proxy settings (HTTPS_PROXY, NO_PROXY), then run again',
      cause: error,
    });
  }
  if (causeChain(error).some((link) => ['TimeoutError', 'AbortError'].includes(String((link as { name?: unknown }).name)))) {
    return new KubeLoginError('provider-unreachable', action, `${host} did not answer within 30 seconds`, {
      fix: 'check that the provider is up and reachable, then run again',
      cause: error,
    });
  }
  // The Fetch standard's "bad port" list (§2.9: 1, 7, 9, … 6000, 6665–6669, 10080): fetch never connects to them.
  if (causeChain(error).some((link) => link instanceof Error && link.message === 'bad port')) {
    const port = (() => {
      try {
        return new URL(url).port;
      } catch {
        return '';
      }
    })();
    return new KubeLoginError('provider-unreachable', action, `the HTTP client (Node's fetch) refuses to connect to port ${port || host}: it is on the Fetch standard's list of blocked ports`, {
      fix: 'serve the provider on another port (for example 443, 8443 or 9443) and use that URL',
      cause: error,
    });
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    return new KubeLoginError('provider-unreachable', action, `the request to ${host} failed: ${describe((error as { cause?: unknown }).cause ?? error)}`, {
      fix: 'check the issuer URL, your network and proxy settings, then run again',
      cause: error,
    });
  }
  return undefined;
}
