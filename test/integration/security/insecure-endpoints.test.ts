// Issue 9 item 3: plain http only on loopback. A discovery document served on 127.0.0.1 (a loopback
// issuer, so http is allowed for it) that names a token endpoint on another host over plain http must
// not receive the client secret: nothing is sent, and the error names the endpoint. A device flow
// verification URI that is not https (or loopback http) is never handed to the browser command.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { newSecretRecord } from '../../support/leak-record.js';
import { startDeviceStub } from '../grants/device-stub.js';
import { claimsOf, cleanEnv, credentialOf, freshHome } from '../grants/harness.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `respond`. */
async function recordingServer(respond: (seen: Seen, origin: string) => { status: number; body: unknown }): Promise<{ origin: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      const { status, body } = respond(entry, origin);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, server };
}

describe('a discovery document naming a plain-http token endpoint on another host', () => {
  const secret = 'client-secret-0123456789-never-sent';
  let provider: Awaited<ReturnType<typeof recordingServer>>;
  let proxy: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    newSecretRecord().append(`${secret}\n`);
    provider = await recordingServer((seen, origin) =>
      seen.url === '/.well-known/openid-configuration'
        ? {
            status: 200,
            body: {
              issuer: origin,
              authorization_endpoint: `${origin}/auth`,
              token_endpoint: 'http://token.example.test/token',
              jwks_uri: `${origin}/jwks`,
              response_types_supported: ['code'],
              subject_types_supported: ['public'],
              id_token_signing_alg_values_supported: ['RS256'],
              token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
            },
          }
        : { status: 404, body: { error: 'not_found' } },
    );
    // Requests to token.example.test would go to this proxy (HTTP_PROXY): it records what would have left.
    proxy = await recordingServer(() => ({ status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: 60 } }));
  });
  afterAll(() => {
    provider?.server.close();
    proxy?.server.close();
  });

  it('sends nothing to it, and the error names the endpoint and the fix', async () => {
    const home = freshHome();
    const result = await runCli(
      ['get-token', `--oidc-issuer-url=${provider.origin}`, '--oidc-client-id=robot', `--oidc-client-secret=${secret}`, '--grant-type=client-credentials', '--oidc-use-access-token', '--token-cache-storage=disk'],
      { env: cleanEnv(home, { HTTP_PROXY: proxy.origin, http_proxy: proxy.origin, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' }) },
    );
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^kube-login: could not use the provider http:\/\/127\.0\.0\.1:\d+\/: its discovery document names the token_endpoint "http:\/\/token\.example\.test\/token", which is plain http to another host, so the client secret, codes and tokens would cross the network in clear text; nothing was sent to it\n {2}fix: configure the provider to publish https URLs for every endpoint/m,
    );
    expect(proxy.seen).toEqual([]);
    expect(provider.seen.map((seen) => `${seen.method} ${seen.url}`)).toEqual(['GET /.well-known/openid-configuration']);
    const everything = JSON.stringify([provider.seen, proxy.seen]) + result.stderr;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(`robot:${secret}`).toString('base64'));
  });
});

describe('a device flow verification URI that is not https', () => {
  function browserRecorder(home: string): { flag: string; opened: () => string[] } {
    const script = join(home, 'record-browser.cjs');
    const log = join(home, 'opened.log');
    writeFileSync(script, `require('node:fs').appendFileSync(${JSON.stringify(log)}, process.argv.at(-1) + '\\n');\n`);
    return { flag: `--browser-command=${process.execPath} ${script}`, opened: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
  }
  const flags = (issuer: string, clientId: string, browser: string): string[] => [
    'get-token', `--oidc-issuer-url=${issuer}`, `--oidc-client-id=${clientId}`, '--grant-type=device-code', '--token-cache-storage=disk', browser,
  ];

  it('opens verification_uri instead of a javascript: verification_uri_complete, and never shows the latter as a link', async () => {
    const stub = await startDeviceStub({ interval: 1, script: ['tokens'], verificationUriComplete: 'javascript:alert(document.cookie)//' });
    try {
      const home = freshHome();
      const browser = browserRecorder(home);
      const result = await runCli(flags(stub.issuer, stub.clientId, browser.flag), { env: cleanEnv(home) });
      expect(result.code, result.stderr).toBe(0);
      expect(claimsOf(credentialOf({ ...result, output: result.stderr }).status.token)['sub']).toBe('stub-user');
      expect(browser.opened()).toEqual([`${stub.issuer}/device`]);
      expect(result.stderr).toContain(`kube-login: to log in to ${stub.issuer}, open ${stub.issuer}/device on any device and enter the code ${stub.userCode}`);
      expect(result.stderr).toContain("kube-login: warning: the provider's verification_uri_complete is not an https URL");
      expect(result.stderr).not.toContain('or open javascript:');
    } finally {
      await stub.stop();
    }
  });

  it('refuses a file: verification_uri before polling, and opens nothing', async () => {
    const stub = await startDeviceStub({ interval: 1, script: ['tokens'], verificationUri: 'file:///etc/passwd', verificationUriComplete: null });
    try {
      const home = freshHome();
      const browser = browserRecorder(home);
      const result = await runCli(flags(stub.issuer, stub.clientId, browser.flag), { env: cleanEnv(home) });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('kube-login: could not log in with the device code: the provider\'s verification_uri "file:///etc/passwd" is not an https URL, so kube-login does not open or show it');
      expect(browser.opened()).toEqual([]);
      expect(stub.tokenRequestTimes()).toEqual([]);
    } finally {
      await stub.stop();
    }
  });
});
