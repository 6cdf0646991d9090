// Which proxy a request goes through. kube-login's HTTP client (undici's EnvHttpProxyAgent, see
// src/oidc/http.ts) and kubectl (Go's net/http ProxyFromEnvironment) read the same variables with
// different rules, and the differences are where proxy trouble hides:
//   - undici: lower-case variables win; NO_PROXY entries match a host exactly unless they start with
//     `.` or `*`; no CIDR ranges; loopback is proxied unless NO_PROXY lists it; http(s) proxies only.
//   - Go: upper-case variables win; `example.com` also matches its subdomains; CIDR ranges work;
//     localhost and loopback addresses are never proxied; a scheme-less proxy means http://.
import { BlockList, isIP } from 'node:net';
import { DEFAULT_PORTS, type ProxyRoute, undiciProxyRoute } from '../../platform/proxy-route.js';
import { type DoctorCheck, fail, pass, warn } from './check.js';

export { type ProxyRoute, undiciProxyRoute };

/** The first variable with a non-empty value (Go's getEnvAny). */
function firstNonEmpty(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** True when `host` (an IP) is inside the CIDR `range`. */
function inCidr(host: string, range: string): boolean {
  const [base, bits] = range.split('/');
  const family = isIP(base ?? '');
  if (!base || family === 0 || isIP(host) !== family || !/^\d+$/.test(bits ?? '')) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  try {
    list.addSubnet(base, Number(bits), type);
  } catch {
    return false;
  }
  return list.check(host, type);
}

// Go's httpproxy: the name localhost, or an IP literal that is loopback (not a name starting with 127.).
const isLoopbackHost = (host: string): boolean => host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === '[::1]';

/** The route Go's ProxyFromEnvironment (golang.org/x/net/http/httpproxy), which kubectl uses, takes for `url`. */
export function goProxyRoute(url: URL, env: NodeJS.ProcessEnv): ProxyRoute {
  const chosen = url.protocol === 'https:' ? firstNonEmpty(env, ['HTTPS_PROXY', 'https_proxy']) : firstNonEmpty(env, ['HTTP_PROXY', 'http_proxy']);
  if (!chosen) return { proxy: undefined };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || String(DEFAULT_PORTS[url.protocol] ?? '');
  if (isLoopbackHost(host)) return { proxy: undefined, source: chosen.name, bypass: 'Go never proxies localhost or loopback addresses' };
  const noProxy = firstNonEmpty(env, ['NO_PROXY', 'no_proxy']);
  for (const raw of (noProxy?.value ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const why = { proxy: undefined, source: chosen.name, bypass: `${noProxy?.name ?? 'NO_PROXY'} entry ${JSON.stringify(entry)}` };
    if (entry === '*') return why;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return why;
      continue;
    }
    const parsed = /^(.*?)(?::(\d+))?$/.exec(entry);
    let entryHost = (parsed?.[1] ?? entry).replace(/^\[|\]$/g, '');
    const entryPort = parsed?.[2];
    if (entryPort && entryPort !== port) continue;
    if (isIP(entryHost)) {
      if (entryHost === host) return why;
      continue;
    }
    if (entryHost.startsWith('*.')) entryHost = entryHost.slice(1);
    const matchHost = !entryHost.startsWith('.');
    const suffix = matchHost ? `.${entryHost}` : entryHost;
    if (host.endsWith(suffix) || (matchHost && host === entryHost)) return why;
  }
  return { proxy: chosen.value.includes('://') ? chosen.value : `http://${chosen.value}`, source: chosen.name };
}

/** Describes a route for a check line. */
export function describeRoute(route: ProxyRoute): string {
  if (route.proxy !== undefined) return `through the proxy ${route.proxy} (from ${route.source})`;
  if (route.bypass !== undefined) return `directly (${route.bypass}${route.source ? ` exempts it from ${route.source}` : ''})`;
  return 'directly (no proxy variable is set)';
}

/** The proxy check: the route to the issuer, and the settings that do not mean what they seem to. */
export function checkProxy(issuerUrl: string, env: NodeJS.ProcessEnv): DoctorCheck {
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    return warn('proxy', `the issuer URL ${JSON.stringify(issuerUrl)} is not a URL, so no proxy route can be worked out`);
  }
  const route = undiciProxyRoute(url, env);
  const target = `${url.protocol}//${url.host}`;
  const notes: string[] = [];
  if (route.proxy !== undefined) {
    // src/oidc/http.ts adds http:// to a proxy without a scheme, as curl and Go do.
    const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(route.proxy);
    const effective = hasScheme ? route.proxy : `http://${route.proxy}`;
    let proxy: URL | undefined;
    try {
      proxy = new URL(effective);
    } catch {
      proxy = undefined;
    }
    if (!proxy || (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')) {
      return fail(
        'proxy',
        `${route.source}=${route.proxy} is not an http:// or https:// proxy URL: kube-login's HTTP client supports only those (no SOCKS)`,
        `set ${route.source} to an http:// proxy, e.g. http://proxy.example.com:3128, or put the issuer's host in NO_PROXY`,
      );
    }
    if (!hasScheme) notes.push(`${route.source} has no scheme: kube-login (like kubectl and curl) reads it as ${effective}`);
  }
  // Where Go would skip the proxy and undici does not: subdomain entries and CIDR ranges.
  const go = goProxyRoute(url, env);
  if (route.proxy !== undefined && go.proxy === undefined && go.bypass !== undefined && !go.bypass.startsWith('Go never')) {
    return warn(
      'proxy',
      `requests to the issuer ${target} go ${describeRoute(route)}, although ${go.bypass} exempts it for Go programs such as kubectl: kube-login's HTTP client matches NO_PROXY host names exactly (no subdomains without a leading dot, no CIDR ranges)`,
      `add the issuer's host to NO_PROXY as ${JSON.stringify(url.hostname)} (or ${JSON.stringify(`.${url.hostname.split('.').slice(1).join('.')}`)} for a whole domain)`,
    );
  }
  if (route.proxy !== undefined && isLoopbackHost(url.hostname)) {
    notes.push(`the issuer is on loopback: kube-login proxies it unless NO_PROXY lists ${url.hostname} (Go programs such as kubectl never proxy loopback)`);
  }
  return pass('proxy', `requests to the issuer ${target} go ${describeRoute(route)}`, notes);
}
