// The proxy routes: undici 6 EnvHttpProxyAgent's rules (kube-login's HTTP client, read from its source)
// and Go's ProxyFromEnvironment (kubectl), and the doctor check that names where they differ.
import { describe, expect, it } from 'vitest';
import { checkProxy, goProxyRoute, undiciProxyRoute } from '../../../src/usecases/doctor/proxy.js';

const P = 'http://proxy.corp:3128';
const route = (url: string, env: NodeJS.ProcessEnv) => undiciProxyRoute(new URL(url), env);
const goRoute = (url: string, env: NodeJS.ProcessEnv) => goProxyRoute(new URL(url), env);

describe('the route of kube-login\'s HTTP client (undici EnvHttpProxyAgent)', () => {
  it('takes HTTPS_PROXY for https and falls back to HTTP_PROXY; lower case wins', () => {
    expect(route('https://idp.example.com', { HTTPS_PROXY: P })).toEqual({ proxy: P, source: 'HTTPS_PROXY' });
    expect(route('https://idp.example.com', { HTTP_PROXY: P })).toEqual({ proxy: P, source: 'HTTP_PROXY' });
    expect(route('http://127.0.0.1:8080', { HTTPS_PROXY: P })).toEqual({ proxy: undefined });
    expect(route('https://idp.example.com', { HTTPS_PROXY: 'http://upper:1', https_proxy: P })).toEqual({ proxy: P, source: 'https_proxy' });
    expect(route('https://idp.example.com', {})).toEqual({ proxy: undefined });
  });

  it('proxies loopback unless NO_PROXY names it exactly (localhost does not cover 127.0.0.1)', () => {
    expect(route('http://127.0.0.1:8080', { HTTP_PROXY: P }).proxy).toBe(P);
    expect(route('http://127.0.0.1:8080', { HTTP_PROXY: P, NO_PROXY: 'localhost' }).proxy).toBe(P);
    expect(route('http://127.0.0.1:8080', { HTTP_PROXY: P, NO_PROXY: 'localhost,127.0.0.1' })).toMatchObject({ proxy: undefined, bypass: 'NO_PROXY entry "127.0.0.1"' });
    expect(route('http://127.0.0.1:8080', { HTTP_PROXY: P, NO_PROXY: '127.0.0.1:9999' }).proxy).toBe(P);
    expect(route('http://127.0.0.1:8080', { HTTP_PROXY: P, NO_PROXY: '127.0.0.1:8080' }).proxy).toBeUndefined();
  });

  it('matches NO_PROXY names exactly unless they start with a dot or a star; * alone turns the proxy off', () => {
    expect(route('https://idp.example.com', { HTTPS_PROXY: P, NO_PROXY: 'example.com' }).proxy).toBe(P);
    expect(route('https://idp.example.com', { HTTPS_PROXY: P, NO_PROXY: '.example.com' }).proxy).toBeUndefined();
    expect(route('https://idp.example.com', { HTTPS_PROXY: P, NO_PROXY: '*.example.com' }).proxy).toBeUndefined();
    expect(route('https://idp.example.com', { HTTPS_PROXY: P, NO_PROXY: '*' }).proxy).toBeUndefined();
    expect(route('https://10.1.2.3', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }).proxy).toBe(P);
    expect(route('https://idp.example.com', { HTTPS_PROXY: P, no_proxy: '.example.com', NO_PROXY: '' }).proxy).toBeUndefined();
  });
});

describe('the route of kubectl (Go ProxyFromEnvironment)', () => {
  it('never proxies loopback, matches subdomains and CIDR ranges, and reads upper case first', () => {
    expect(goRoute('https://127.0.0.1:6443', { HTTPS_PROXY: P })).toMatchObject({ proxy: undefined, bypass: 'Go never proxies localhost or loopback addresses' });
    expect(goRoute('https://api.example.com', { HTTPS_PROXY: P, NO_PROXY: 'example.com' }).proxy).toBeUndefined();
    expect(goRoute('https://10.1.2.3:6443', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }).proxy).toBeUndefined();
    expect(goRoute('https://api.example.com', { HTTPS_PROXY: P, https_proxy: 'http://lower:1' })).toEqual({ proxy: P, source: 'HTTPS_PROXY' });
    expect(goRoute('https://api.example.com', { HTTPS_PROXY: 'proxy.corp:3128' }).proxy).toBe('http://proxy.corp:3128');
  });
});

describe('the proxy check', () => {
  it('says which proxy applies to the issuer, and notes that loopback is proxied', () => {
    const check = checkProxy('http://127.0.0.1:5556', { HTTP_PROXY: 'http://127.0.0.1:3128' });
    expect(check).toMatchObject({ mark: 'pass', text: 'requests to the issuer http://127.0.0.1:5556 go through the proxy http://127.0.0.1:3128 (from HTTP_PROXY)' });
    expect(check.notes?.[0]).toContain('kube-login proxies it unless NO_PROXY lists 127.0.0.1');
    expect(checkProxy('https://idp.example.com', { HTTPS_PROXY: P, NO_PROXY: '.example.com' }).text).toBe(
      'requests to the issuer https://idp.example.com go directly (NO_PROXY entry ".example.com" exempts it from HTTPS_PROXY)',
    );
    expect(checkProxy('https://idp.example.com', {}).text).toBe('requests to the issuer https://idp.example.com go directly (no proxy variable is set)');
  });

  it('reads a proxy without a scheme as http:// (as kubectl and curl do), and fails a SOCKS proxy', () => {
    const bare = checkProxy('https://idp.example.com', { HTTPS_PROXY: 'proxy.corp:3128' });
    expect(bare.mark).toBe('pass');
    expect(bare.notes).toContain('HTTPS_PROXY has no scheme: kube-login (like kubectl and curl) reads it as http://proxy.corp:3128');
    const socks = checkProxy('https://idp.example.com', { HTTPS_PROXY: 'socks5://proxy.corp:1080' });
    expect(socks.mark).toBe('fail');
    expect(socks.text).toBe("HTTPS_PROXY=socks5://proxy.corp:1080 is not an http:// or https:// proxy URL: kube-login's HTTP client supports only those (no SOCKS)");
  });

  it('warns when NO_PROXY exempts the issuer for kubectl but not for kube-login', () => {
    const subdomain = checkProxy('https://idp.example.com', { HTTPS_PROXY: P, NO_PROXY: 'example.com' });
    expect(subdomain.mark).toBe('warn');
    expect(subdomain.text).toContain('although NO_PROXY entry "example.com" exempts it for Go programs such as kubectl');
    expect(subdomain.fix).toContain('"idp.example.com"');
    expect(checkProxy('https://10.1.2.3', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }).mark).toBe('warn');
  });
});
