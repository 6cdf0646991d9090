// HTTPS_PROXY, HTTP_PROXY and NO_PROXY with a real local proxy: kube-login's requests to the provider
// go through it (and only those: the browser leg is the browser's), NO_PROXY exempts exactly the hosts
// it names, and doctor says which proxy applies to the issuer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startConnectProxy } from '../../support/connect-proxy.js';
import { kubeLogin } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { credential, machine, runWithFlags } from './harness.js';

/** The environment without any proxy variable the test runner may have, plus `vars`. */
const proxyEnv = (vars: Record<string, string>): Record<string, string | undefined> => ({
  HTTPS_PROXY: undefined,
  https_proxy: undefined,
  HTTP_PROXY: undefined,
  http_proxy: undefined,
  NO_PROXY: undefined,
  no_proxy: undefined,
  ...vars,
});

describe('an https provider behind HTTPS_PROXY', () => {
  let provider: TestProvider;
  let proxy: ConnectProxy;
  let hostPort: string;
  beforeAll(async () => {
    provider = await startProvider({ https: true });
    proxy = await startConnectProxy();
    hostPort = new URL(provider.issuer).host;
  });
  afterAll(async () => {
    await proxy?.stop();
    await provider?.stop();
  });

  it('logs in and refreshes through the proxy, which sees CONNECT to the provider and nothing else', async () => {
    const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
    const before = proxy.requests().length;
    const login = await m.run([], { env: proxyEnv({ HTTPS_PROXY: proxy.url }) });
    expect(login.code, login.stderr).toBe(0);
    expect(credential(login).status.token).toBe(m.entry().secrets?.idToken);
    const seen = proxy.requests().slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((request) => request.method === 'CONNECT' && request.target === hostPort)).toBe(true);

    const refreshes = provider.counts().refreshToken;
    const mark = proxy.requests().length;
    const refreshed = await m.run(['--force-refresh'], { env: proxyEnv({ HTTPS_PROXY: proxy.url }) });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(provider.counts().refreshToken).toBe(refreshes + 1);
    const refreshSeen = proxy.requests().slice(mark);
    expect(refreshSeen.length).toBeGreaterThan(0);
    expect(refreshSeen.every((request) => request.method === 'CONNECT' && request.target === hostPort)).toBe(true);
  });

  it('takes a proxy written without a scheme, as kubectl and curl do', async () => {
    const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
    const mark = proxy.requests().length;
    const result = await m.run([], { env: proxyEnv({ HTTPS_PROXY: `127.0.0.1:${proxy.port}` }) });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests().slice(mark).filter((request) => request.target === hostPort).length).toBeGreaterThan(0);
    const bad = await m.run(['--force-refresh'], { env: proxyEnv({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' }) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('kube-login: could not use the proxy socks5://127.0.0.1:1080:');
  });

  it('goes direct when NO_PROXY names the host exactly, and through the proxy when it names only localhost', async () => {
    const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
    expect((await m.run([], { env: proxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }) })).code).toBe(0);
    const mark = proxy.requests().length;
    const direct = await m.run(['--force-refresh'], { env: proxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }) });
    expect(direct.code, direct.stderr).toBe(0);
    expect(proxy.requests().length).toBe(mark);
    // undici matches NO_PROXY entries exactly: localhost does not cover 127.0.0.1 (Go programs never proxy loopback).
    const proxied = await m.run(['--force-refresh'], { env: proxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' }) });
    expect(proxied.code, proxied.stderr).toBe(0);
    expect(proxy.requests().length).toBeGreaterThan(mark);
  });

  it('doctor says which proxy applies to the issuer, and reads the provider through it', async () => {
    const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
    const mark = proxy.requests().length;
    const result = await runWithFlags(m, 'doctor', [], proxyEnv({ HTTPS_PROXY: proxy.url }));
    expect(result.stderr).toContain(`✓ requests to the issuer ${provider.issuer} go through the proxy ${proxy.url} (from HTTPS_PROXY)`);
    expect(result.stderr).toContain('the issuer is on loopback: kube-login proxies it unless NO_PROXY lists 127.0.0.1');
    expect(result.stderr).toMatch(/✓ read the provider's discovery document .* over TLS; its issuer matches/);
    expect(proxy.requestsTo(hostPort).length).toBeGreaterThan(0);
    expect(proxy.requests().length).toBeGreaterThan(mark);
    const direct = await runWithFlags(m, 'doctor', [], proxyEnv({ HTTPS_PROXY: proxy.url, no_proxy: '127.0.0.1' }));
    expect(direct.stderr).toContain(`✓ requests to the issuer ${provider.issuer} go directly (no_proxy entry "127.0.0.1" exempts it from HTTPS_PROXY)`);
  });

  it('a proxy that refuses the tunnel is named by get-token and by doctor', async () => {
    const refusing = await startConnectProxy({ refuseWith: 407 });
    try {
      const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
      const env = proxyEnv({ HTTPS_PROXY: refusing.url });
      const result = await m.run([], { env });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.code).toBe(3);
      expect(refusing.requests().map((request) => request.method)).toContain('CONNECT');
      expect(result.stderr).toContain(`the proxy refused to open a tunnel to ${hostPort} (HTTP 407 Proxy Authentication Required)`);
      expect(result.stderr).toContain('fix: put the proxy credentials in the proxy URL');
      const doctor = await runWithFlags(m, 'doctor', [], env);
      expect(doctor.code).toBe(11);
      expect(doctor.stderr).toMatch(/✗ the provider could not be reached at \S+ \(through the proxy http:\/\/127\.0\.0\.1:\d+\): the proxy refused to open a tunnel/);
    } finally {
      await refusing.stop();
    }
  });
});

describe('an http provider behind HTTP_PROXY', () => {
  let provider: TestProvider;
  let proxy: ConnectProxy;
  beforeAll(async () => {
    provider = await startProvider();
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await proxy?.stop();
    await provider?.stop();
  });

  it('goes through the proxy too; undici 6 tunnels plain http with CONNECT, Bun (the executable) sends absolute-form requests', async () => {
    const m = machine(provider);
    const result = await m.run([], { env: proxyEnv({ HTTP_PROXY: proxy.url }) });
    expect(result.code, result.stderr).toBe(0);
    const host = new URL(provider.issuer).host;
    const seen = proxy.requestsTo(host);
    expect(seen.length).toBeGreaterThan(0);
    const methods = new Set(seen.map((request) => request.method));
    if (kubeLogin.kind === 'node') expect(methods).toEqual(new Set(['CONNECT']));
    else expect(methods.has('CONNECT')).toBe(false);
    // HTTPS_PROXY alone does not apply to an http issuer.
    const mark = proxy.requests().length;
    expect((await m.run(['--force-refresh'], { env: proxyEnv({ HTTPS_PROXY: proxy.url }) })).code).toBe(0);
    expect(proxy.requests().length).toBe(mark);
  });
});
