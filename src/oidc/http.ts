// The HTTP client for provider requests: system roots plus the user's CAs, and the proxy variables.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent } from 'undici';
import { KubeLoginError, describe } from '../errors.js';

/** TLS settings for talking to the provider. */
export interface TlsOptions {
  certificateAuthorityFiles: string[];
  certificateAuthorityData?: string[];
  insecureSkipTlsVerify: boolean;
}

/** The fetch signature openid-client and our other provider calls use. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

async function readCertificateAuthorities(tls: TlsOptions, env: NodeJS.ProcessEnv): Promise<string[]> {
  const pems: string[] = [];
  for (const file of tls.certificateAuthorityFiles) {
    try {
      pems.push(await readFile(file, 'utf8'));
    } catch (error) {
      throw new KubeLoginError('usage', `read the certificate authority file ${file}`, describe(error), {
        fix: 'pass the path of a readable PEM file to --certificate-authority',
        cause: error,
      });
    }
  }
  for (const data of tls.certificateAuthorityData ?? []) {
    const pem = Buffer.from(data, 'base64').toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new KubeLoginError('usage', 'use --certificate-authority-data', 'it is not a base64-encoded PEM certificate', {
        fix: 'pass the output of `base64 -w0 ca.pem`',
      });
    }
    pems.push(pem);
  }
  // Passing `ca` replaces Node's defaults, which include NODE_EXTRA_CA_CERTS; keep it when set.
  const extra = env['NODE_EXTRA_CA_CERTS'];
  if (pems.length > 0 && extra) pems.push(await readFile(extra, 'utf8').catch(() => ''));
  return pems;
}

/**
 * A proxy variable as undici reads it (lower case first), with `http://` added when it has no scheme,
 * as curl and Go (kubectl) read `HTTPS_PROXY=proxy:3128`; undici alone would fail on it.
 */
function proxyVariable(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) return value !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? `http://${value}` : value;
  }
  return undefined;
}

/**
 * A fetch that trusts the system roots plus --certificate-authority (added, not replacing: the
 * issue and kubelogin agree), and honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY like other CLI tools.
 */
export async function createFetch(tls: TlsOptions, env: NodeJS.ProcessEnv = process.env): Promise<Fetch> {
  const extra = await readCertificateAuthorities(tls, env);
  const tlsOptions = {
    ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
    ...(tls.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
  };
  // undici marks EnvHttpProxyAgent experimental and prints a warning on first use; it must not
  // reach kubectl's terminal on every login, so the warning is swallowed while we construct it.
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  let dispatcher: EnvHttpProxyAgent;
  try {
    // `requestTls` is passed through to the ProxyAgent for the tunnelled TLS to the provider.
    // undici reads the proxy variables from process.env (NO_PROXY on every request).
    const httpProxy = proxyVariable(process.env, 'http_proxy', 'HTTP_PROXY');
    const httpsProxy = proxyVariable(process.env, 'https_proxy', 'HTTPS_PROXY');
    const options: ConstructorParameters<typeof EnvHttpProxyAgent>[0] & { requestTls: typeof tlsOptions } = {
      connect: tlsOptions,
      requestTls: tlsOptions,
      ...(httpProxy !== undefined ? { httpProxy } : {}),
      ...(httpsProxy !== undefined ? { httpsProxy } : {}),
    };
    try {
      dispatcher = new EnvHttpProxyAgent(options);
    } catch (error) {
      throw new KubeLoginError('usage', `use the proxy ${httpsProxy || httpProxy || ''}`.trimEnd(), describe(error), {
        fix: 'set HTTPS_PROXY (or HTTP_PROXY) to an http:// or https:// proxy URL, e.g. http://proxy.example.com:3128',
        cause: error,
      });
    }
  } finally {
    process.emitWarning = emitWarning;
  }
  return (url, init) => fetch(url, { ...init, dispatcher } as RequestInit);
}
