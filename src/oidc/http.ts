// The HTTP client for provider requests: system roots plus the user's CAs, and the proxy variables.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import { KubeLoginError, describe } from '../errors.js';
import { undiciProxyRoute } from '../platform/proxy-route.js';

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
  // Bun (the executable) has its own `undici` module, whose agent neither checks the proxy URL nor
  // reaches Bun's fetch: the same check, then Bun's fetch with the same TLS options and proxy rules.
  if (isBun()) {
    for (const proxy of [proxyVariable(process.env, 'https_proxy', 'HTTPS_PROXY'), proxyVariable(process.env, 'http_proxy', 'HTTP_PROXY')]) {
      if (proxy) checkProxyUrl(proxy);
    }
    return createBunFetch(tlsOptions);
  }
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

/** Throws the usage error undici's agent gives for a proxy URL that is not http(s)://host[:port]. */
function checkProxyUrl(proxy: string): void {
  let problem: string | undefined;
  try {
    const { protocol } = new URL(proxy);
    if (protocol !== 'http:' && protocol !== 'https:') problem = `the proxy protocol ${protocol} is not supported`;
  } catch {
    problem = 'it is not a URL';
  }
  if (problem !== undefined) {
    throw new KubeLoginError('usage', `use the proxy ${proxy}`, problem, {
      fix: 'set HTTPS_PROXY (or HTTP_PROXY) to an http:// or https:// proxy URL, e.g. http://proxy.example.com:3128',
    });
  }
}

/** True in the compiled executable, whose fetch is Bun's and ignores undici's dispatcher. */
function isBun(): boolean {
  return (process.versions as NodeJS.ProcessVersions & { bun?: string }).bun !== undefined;
}

/** How long a pooled connection may sit idle before the executable's fetch stops reusing it. */
const IDLE_CONNECTION_MS = 2_000;

/** The TLS options of Bun's fetch (`tls`), the same as the undici connect options above. */
interface BunTlsOptions {
  ca?: string[] | string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

const NO_PROXY_NAMES = ['no_proxy', 'NO_PROXY'] as const;

/**
 * The executable's fetch: Bun's, with the CAs as its `tls` option and the proxy chosen by undici's
 * rules (platform/proxy-route.ts), so that a request goes where it goes under Node and where doctor
 * says. Bun's fetch also applies HTTP(S)_PROXY and NO_PROXY from process.env by itself, reading
 * them when fetch() is called, and NO_PROXY overrides even its explicit `proxy` option (measured,
 * Bun 1.4). So for the duration of the synchronous fetch() call NO_PROXY says `*` for a direct
 * request and nothing for a proxied one, and is restored before any other code runs.
 */
function createBunFetch(tls: BunTlsOptions, proxyFor: (url: URL) => string | undefined = (url) => undiciProxyRoute(url, process.env).proxy): Fetch {
  // A pooled connection left idle may be closed by the server just as it is reused (Node's default
  // keepAliveTimeout is 5 s, the device-code poll interval, RFC 8628 §3.5). undici drops such sockets
  // by the Keep-Alive timeout hint; Bun's fetch does not, so after an idle gap a request takes a new one.
  const lastUse = new Map<string, number>();
  return (url, init) => {
    const origin = new URL(url).origin;
    const previous = lastUse.get(origin);
    const fresh = previous !== undefined && Date.now() - previous > IDLE_CONNECTION_MS;
    lastUse.set(origin, Date.now());
    const route = proxyFor(new URL(url));
    const proxy = route === undefined || route === '' ? undefined : /^[a-z][a-z0-9+.-]*:\/\//i.test(route) ? route : `http://${route}`;
    const saved = NO_PROXY_NAMES.map((name) => process.env[name]);
    for (const name of NO_PROXY_NAMES) delete process.env[name];
    if (proxy === undefined) process.env['NO_PROXY'] = '*';
    try {
      const response = fetch(url, { ...init, tls, ...(proxy === undefined ? {} : { proxy }), ...(fresh ? { keepalive: false } : {}) } as RequestInit);
      return response.finally(() => lastUse.set(origin, Date.now()));
    } finally {
      NO_PROXY_NAMES.forEach((name, index) => {
        const value = saved[index];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      });
    }
  };
}

/** How kubectl reaches one API server: only the cluster's CA (as client-go does), its server name, its proxy. */
export interface ClusterTransport {
  ca?: string;
  servername?: string;
  insecureSkipTlsVerify: boolean;
  /** The proxy URL (the cluster's proxy-url, or Go's proxy rules worked out by the caller); undefined for none. */
  proxy?: string;
}

/** A fetch for one API server, and how to release its connections. */
export interface ClusterFetch {
  fetch: Fetch;
  close(): Promise<void>;
}

/** A fetch that reaches an API server as kubectl would, under Node (an undici agent) and Bun (fetch options). */
export function createClusterFetch(transport: ClusterTransport): ClusterFetch {
  const tls = {
    ...(transport.ca ? { ca: transport.ca } : {}),
    ...(transport.servername ? { servername: transport.servername } : {}),
    ...(transport.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
  };
  // Bun's fetch takes the same `ca`, `servername` and `rejectUnauthorized` in its `tls` option (checked with Bun 1.4).
  if (isBun()) return { fetch: createBunFetch(tls, () => transport.proxy), close: async () => undefined };
  const dispatcher = transport.proxy ? new ProxyAgent({ uri: transport.proxy, requestTls: tls }) : new Agent({ connect: tls });
  return {
    fetch: (url, init) => fetch(url, { ...init, dispatcher } as RequestInit),
    close: () => dispatcher.close().catch(() => undefined),
  };
}
