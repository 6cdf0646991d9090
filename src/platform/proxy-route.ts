// Which proxy undici 6's EnvHttpProxyAgent takes for a URL. The HTTP client (src/oidc/http.ts)
// follows these rules under Node (undici itself) and in the compiled executable (Bun's fetch, given
// the route explicitly), and doctor reports them (src/usecases/doctor/proxy.ts); undici's own rules:
// lower-case variables win; NO_PROXY entries match a host exactly unless they start with `.` or `*`;
// no CIDR ranges; loopback is proxied unless NO_PROXY lists it.
/** Where requests to one URL go. */
export interface ProxyRoute {
  /** The proxy URL as written, or undefined for a direct connection. */
  proxy: string | undefined;
  /** The variable the proxy came from. */
  source?: string;
  /** Why the request goes direct although a proxy is set: the matching NO_PROXY entry, or a rule. */
  bypass?: string;
}

/** The port a URL without one uses. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The first variable that is defined (`??`: undici treats an empty value as set). */
function firstDefined(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/** undici EnvHttpProxyAgent's host: `url.host` without the port, lower-case, IPv6 brackets kept. */
function undiciHost(url: URL): { host: string; port: number } {
  return { host: url.host.replace(/:\d*$/, '').toLowerCase(), port: Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0 };
}

/** The NO_PROXY value undici reads, and its name. */
function undiciNoProxy(env: NodeJS.ProcessEnv): { name: string; value: string } {
  return firstDefined(env, ['no_proxy', 'NO_PROXY']) ?? { name: 'NO_PROXY', value: '' };
}

/** The route undici 6 EnvHttpProxyAgent takes for `url` (its #getProxyAgentForUrl and #shouldProxy). */
export function undiciProxyRoute(url: URL, env: NodeJS.ProcessEnv): ProxyRoute {
  const http = firstDefined(env, ['http_proxy', 'HTTP_PROXY']);
  const https = firstDefined(env, ['https_proxy', 'HTTPS_PROXY']);
  // An https request without an https proxy falls back to the http proxy agent.
  const chosen = url.protocol === 'https:' && https?.value ? https : http?.value ? http : undefined;
  if (!chosen) return { proxy: undefined };
  const { host, port } = undiciHost(url);
  const noProxy = undiciNoProxy(env);
  const entries = noProxy.value.split(/[,\s]/).filter((entry) => entry !== '');
  if (entries.length === 0) return { proxy: chosen.value, source: chosen.name };
  if (noProxy.value === '*') return { proxy: undefined, source: chosen.name, bypass: `${noProxy.name}=*` };
  for (const entry of entries) {
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const entryHost = (parsed?.[1] ?? entry).toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2] ?? '0', 10) : 0;
    if (entryPort && entryPort !== port) continue;
    const matches = /^[.*]/.test(entryHost) ? host.endsWith(entryHost.replace(/^\*/, '')) : host === entryHost;
    if (matches) return { proxy: undefined, source: chosen.name, bypass: `${noProxy.name} entry ${JSON.stringify(entry)}` };
  }
  return { proxy: chosen.value, source: chosen.name };
}

