// Proves the test support layer works with real components: oidc-provider, the login drivers,
// the stand-in API server, kubectl, and the process runner.
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import * as oidc from 'openid-client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSubjectReviewAs, startApiServer, type TestApiServer } from '../support/apiserver.js';
import { createTestCerts } from '../support/certs.js';
import { writeExecKubeconfig, runKubectl } from '../support/kubeconfig.js';
import { readLeakRecords } from '../support/leak-record.js';
import { loginDriverEnv, readDriverLog, type LoginDriverSettings } from '../support/login-driver-control.js';
import { chromiumLoginScript, loginDriverScript } from '../support/paths.js';
import { startProvider, type TestProvider } from '../support/provider.js';
import { runProcess, type ProcessResult } from '../support/run-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTempHome } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';

/** openid-client for the public client; an https provider's private CA is trusted via customFetch. */
async function discoverPublicClient(provider: TestProvider): Promise<oidc.Configuration> {
  const dispatcher = provider.caPem ? new Agent({ connect: { ca: [...rootCertificates, provider.caPem] } }) : undefined;
  const trustingFetch: oidc.CustomFetch = (url, options) => fetch(url, { ...options, dispatcher } as RequestInit);
  return oidc.discovery(new URL(provider.issuer), provider.publicClientId, undefined, oidc.None(), {
    execute: provider.caPem ? [] : [oidc.allowInsecureRequests],
    [oidc.customFetch]: trustingFetch,
  });
}

/** A tiny relying party: PKCE + state + nonce, a loopback listener, and one browser-command run. */
async function loginThroughDriver(
  provider: TestProvider,
  script: string,
  settings: LoginDriverSettings = {},
): Promise<{ driver: ProcessResult; tokens?: oidc.TokenEndpointResponse; config: oidc.Configuration }> {
  const config = await discoverPublicClient(provider);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  let callback: URL | undefined;
  const listener = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${(listener.address() as AddressInfo).port}`);
    if (url.searchParams.get('state') !== state) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Login failed: state mismatch');
      return;
    }
    callback = url;
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Login succeeded</h1><p>You can close this tab.</p>');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
  const port = (listener.address() as AddressInfo).port;
  try {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `http://localhost:${port}/`,
      scope: 'openid profile email groups offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const driver = await runProcess(process.execPath, [script, url.href], {
      env: loginDriverEnv(settings),
      timeoutMs: 60_000,
    });
    if (!callback) return { driver, config };
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    return { driver, tokens, config };
  } finally {
    listener.closeAllConnections();
    listener.close();
  }
}

describe('test support layer', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  const work = makeTempDir('kube-login-selftest-');

  beforeAll(async () => {
    provider = await startProvider();
    apiserver = await startApiServer({ issuer: provider.issuer });
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });

  it('makes a CA with CA:TRUE and a server cert for 127.0.0.1 and localhost', async () => {
    const certs = await createTestCerts();
    const ca = new X509Certificate(certs.caPem);
    const server = new X509Certificate(certs.certPem);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
  });

  it('serves discovery with PKCE, device flow, revocation and the groups scope', async () => {
    const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(provider.issuer);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'groups', 'offline_access']));
    expect(metadata).toHaveProperty('device_authorization_endpoint');
    expect(metadata).toHaveProperty('revocation_endpoint');
    expect(metadata).toHaveProperty('introspection_endpoint');
    expect(provider.counts().discovery).toBeGreaterThan(0);
  });

  it('logs in over HTTP with login-driver.mjs; the stand-in API server accepts the ID token', async () => {
    const log = join(work, 'driver.log');
    const { driver, tokens } = await loginThroughDriver(provider, loginDriverScript, { log });
    expect(driver.code, driver.stdout).toBe(0);
    expect(readDriverLog(log)).toEqual({ launches: 1, tamperStatuses: [], results: ['ok'] });
    const idToken = tokens?.id_token ?? '';
    expect(idToken.split('.')).toHaveLength(3);
    expect(driver.stdout).not.toContain(idToken);
    expect(provider.issuedTokens()).toContain(idToken);
    expect(readLeakRecords().tokens).toContain(idToken);

    const review = await selfSubjectReviewAs(apiserver, idToken);
    expect(review.status).toBe(201);
    expect(review.body.status).toEqual({
      userInfo: {
        username: `${provider.issuer}#demo-user`,
        groups: ['developers', 'viewers', 'system:authenticated'],
        extra: {},
      },
    });
    expect(apiserver.requests().at(-1)).toMatchObject({ path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', authorized: true });
  });

  it('rejects garbage and tampered tokens with a 401 Status naming the reason', async () => {
    const garbage = await selfSubjectReviewAs(apiserver, 'not-a-jwt');
    expect(garbage.status).toBe(401);
    expect(garbage.body).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    expect(String(garbage.body.message)).toContain('not a compact JWT');

    const { tokens } = await loginThroughDriver(provider, loginDriverScript);
    const [header, payload, signature] = (tokens?.id_token ?? '').split('.');
    const flipped = `${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    const tampered = await selfSubjectReviewAs(apiserver, `${header}.${payload}.${flipped}`);
    expect(tampered.status).toBe(401);
    expect(String(tampered.body.message)).toContain('failed to verify signature');
    expect(apiserver.rejections()).toHaveLength(2);
  });

  it('rejects an expired ID token (no exp leeway)', async () => {
    const shortLived = await startProvider({ idTokenTtlSeconds: 1 });
    const strict = await startApiServer({ issuer: shortLived.issuer });
    try {
      const { tokens } = await loginThroughDriver(shortLived, loginDriverScript);
      const idToken = tokens?.id_token ?? '';
      const exp = Number(JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()).exp);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (exp + 1) * 1000 - Date.now() + 50)));
      const review = await selfSubjectReviewAs(strict, idToken);
      expect(review.status).toBe(401);
      expect(String(review.body.message)).toMatch(/^oidc: token is expired/);
    } finally {
      await strict.stop();
      await shortLived.stop();
    }
  });

  it('forges the state first in tamper mode, and refuses a wrong password', async () => {
    const log = join(work, 'tamper.log');
    const tampered = await loginThroughDriver(provider, loginDriverScript, { log, tamperState: true });
    expect(tampered.driver.code).toBe(0);
    expect(tampered.tokens?.id_token).toBeTruthy();
    expect(readDriverLog(log)).toEqual({ launches: 1, tamperStatuses: [400], results: ['ok'] });

    const wrong = await loginThroughDriver(provider, loginDriverScript, { password: 'wrong-password' });
    expect(wrong.driver.code).toBe(1);
    expect(wrong.driver.stdout).toContain('answered HTTP 401');
    expect(wrong.tokens).toBeUndefined();
  });

  it('counts refreshes, rotates refresh tokens, and kills them on demand', async () => {
    const { tokens, config } = await loginThroughDriver(provider, loginDriverScript);
    const before = provider.counts();
    const refreshed = await oidc.refreshTokenGrant(config, tokens?.refresh_token ?? '');
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens?.refresh_token);
    expect(await provider.killRefreshTokens()).toBeGreaterThan(0);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    const after = provider.counts();
    expect(after.refreshToken - before.refreshToken).toBe(2);
    expect(after.failedRefresh - before.failedRefresh).toBe(1);
  });

  it('completes the device flow when given verification_uri_complete', async () => {
    const config = await discoverPublicClient(provider);
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email groups offline_access' });
    const driver = await runProcess(process.execPath, [loginDriverScript, device.verification_uri_complete ?? ''], {
      timeoutMs: 60_000,
    });
    expect(driver.code, driver.stdout).toBe(0);
    expect(driver.stdout).toContain('device sign-in confirmed');
    // One poll right away instead of waiting the default 5 s interval.
    const tokens = await oidc.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:device_code', {
      device_code: device.device_code,
    });
    expect(tokens.claims()?.sub).toBe('demo-user');
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('gives the confidential client a JWT access token via client_credentials that the API server accepts', async () => {
    const { id, secret } = provider.confidentialClient;
    const config = await oidc.discovery(new URL(provider.issuer), id, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const response = await oidc.clientCredentialsGrant(config);
    expect(response.id_token).toBeUndefined();
    const review = await selfSubjectReviewAs(apiserver, response.access_token);
    expect(review.status).toBe(201);
    expect(review.body.status).toMatchObject({ userInfo: { username: `${provider.issuer}#kube-login-ci`, groups: ['system:authenticated'] } });
  });

  it('applies explicit prefixes and claim rules from an AuthenticationConfiguration file', async () => {
    const { tokens } = await loginThroughDriver(provider, loginDriverScript);
    const configFor = (requiredValue: string): string => {
      const file = join(work, `auth-${requiredValue.replace(/\W/g, '')}.yaml`);
      writeFileSync(file, stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AuthenticationConfiguration',
        jwt: [{
          issuer: { url: provider.issuer, audiences: ['kube-login'] },
          claimValidationRules: [{ claim: 'name', requiredValue }],
          claimMappings: { username: { claim: 'email', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' } },
        }],
      }));
      return file;
    };
    const passing = await startApiServer({ authenticationConfigFile: configFor('Demo User') });
    const failing = await startApiServer({ authenticationConfigFile: configFor('Somebody Else') });
    try {
      const ok = await selfSubjectReviewAs(passing, tokens?.id_token ?? '');
      expect(ok.body.status).toMatchObject({
        userInfo: { username: 'oidc:demo@example.com', groups: ['oidc:developers', 'oidc:viewers', 'system:authenticated'] },
      });
      const rejected = await selfSubjectReviewAs(failing, tokens?.id_token ?? '');
      expect(rejected.status).toBe(401);
      expect(rejected.body.message).toBe('oidc: required claim name value does not match. Got = Demo User, want = Somebody Else');
    } finally {
      await passing.stop();
      await failing.stop();
    }
  });

  it('runs the real kubectl through an exec kubeconfig against the stand-in API server', async () => {
    const { tokens } = await loginThroughDriver(provider, loginDriverScript);
    // A throwaway exec plugin that prints the token it is given; kube-login takes its place in real tests.
    const plugin = join(work, 'static-plugin.mjs');
    writeFileSync(plugin, [
      'const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);',
      'process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: process.env.STATIC_TOKEN } }));',
    ].join('\n'));
    const kubeconfig = writeExecKubeconfig({
      dir: work,
      server: apiserver.url,
      caFile: apiserver.caFile,
      command: process.execPath,
      args: [plugin],
      env: { STATIC_TOKEN: tokens?.id_token ?? '' },
    });
    const result = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig, env: { HOME: makeTempHome() } });
    expect(result.code, result.stderr).toBe(0);
    const review = JSON.parse(result.stdout) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(review.status.userInfo.username).toBe(`${provider.issuer}#demo-user`);
    expect(review.status.userInfo.groups).toEqual(['developers', 'viewers', 'system:authenticated']);
  });

  it('kills a hung process group at the timeout', async () => {
    const result = await runProcess('sh', ['-c', 'sleep 30 & sleep 30'], { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('logs in through the real login page in headless Chromium', async (context) => {
    if (!existsSync(CHROMIUM)) {
      console.warn(`SKIPPED chromium-login self-test: ${CHROMIUM} is missing (apt-get install -y chromium)`);
      context.skip();
    }
    const log = join(work, 'chromium.log');
    const { driver, tokens } = await loginThroughDriver(provider, chromiumLoginScript, { log });
    expect(driver.code, driver.stdout).toBe(0);
    expect(driver.stdout).toMatch(/non-loopback request\(s\) blocked/);
    expect(tokens?.id_token).toBeTruthy();
    expect(readDriverLog(log)).toEqual({ launches: 1, tamperStatuses: [], results: ['ok'] });
  });

  it('logs in against an HTTPS provider with a private CA, over HTTP and in Chromium', async (context) => {
    const secure = await startProvider({ https: true });
    try {
      expect(secure.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const untrusted = await loginThroughDriver(secure, loginDriverScript);
      expect(untrusted.driver.code).toBe(1);
      expect(untrusted.driver.stdout).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');

      const overHttp = await loginThroughDriver(secure, loginDriverScript, { caFile: secure.caFile });
      expect(overHttp.driver.code, overHttp.driver.stdout).toBe(0);
      expect(overHttp.tokens?.id_token).toBeTruthy();

      if (!existsSync(CHROMIUM)) {
        console.warn(`SKIPPED chromium-login HTTPS self-test: ${CHROMIUM} is missing (apt-get install -y chromium)`);
        context.skip();
      }
      const inChromium = await loginThroughDriver(secure, chromiumLoginScript, { caFile: secure.caFile });
      expect(inChromium.driver.code, inChromium.driver.stdout).toBe(0);
      expect(inChromium.tokens?.id_token).toBeTruthy();
    } finally {
      await secure.stop();
    }
  });
});
