// The pure pieces of the security hardening (issue 9): loopback URLs, discovery endpoint schemes,
// openable verification URIs, terminal text, the listener's Host allow-list, and the client secret sources.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_SECRET_ENV, clientSecretOf, toGetTokenInput } from '../../../src/config/get-token-input.js';
import { cacheKey } from '../../../src/cache/key.js';
import { cacheKeyInputOf } from '../../../src/config/get-token-input.js';
import { KubeLoginError } from '../../../src/errors.js';
import { checkDiscoveryEndpoints, isLoopbackUrl, isOpenableUrl } from '../../../src/oidc/endpoint-security.js';
import { allowedHosts } from '../../../src/oidc/loopback-server.js';
import { identityOf } from '../../../src/oidc/jwt-claims.js';
import { terminalLine, terminalText } from '../../../src/platform/terminal-text.js';
import { arrayLogger } from '../spine/helpers.js';

describe('isLoopbackUrl', () => {
  it.each([
    'http://127.0.0.1:8080/',
    'http://127.1.2.3/',
    'http://127.1/', // the URL parser writes it as 127.0.0.1
    'http://0x7f.0.0.1/',
    'http://localhost:5556/dex',
    'http://LOCALHOST/',
    'http://[::1]:9000/',
    'http://[0:0:0:0:0:0:0:1]/',
  ])('%s is loopback', (url) => {
    expect(isLoopbackUrl(new URL(url))).toBe(true);
  });

  it.each([
    'http://127.attacker.example/',
    'http://127.0.0.1.attacker.example/',
    'http://localhost.attacker.example/',
    'http://attacker.example/127.0.0.1',
    'http://128.0.0.1/',
    'http://10.0.0.1/',
    'http://[::2]/',
    'http://[::ffff:127.0.0.1]/',
    'http://localhost./',
  ])('%s is not loopback', (url) => {
    expect(isLoopbackUrl(new URL(url))).toBe(false);
  });
});

describe('checkDiscoveryEndpoints', () => {
  const https = new URL('https://idp.example.com');
  const loopback = new URL('http://127.0.0.1:5556');
  const good = { authorization_endpoint: 'https://idp.example.com/auth', token_endpoint: 'https://idp.example.com/token', jwks_uri: 'https://idp.example.com/keys' };

  it('accepts https endpoints, and http loopback ones for an http loopback issuer', () => {
    expect(() => checkDiscoveryEndpoints(https, good)).not.toThrow();
    expect(() => checkDiscoveryEndpoints(loopback, { token_endpoint: 'http://127.0.0.1:5556/token', jwks_uri: 'http://localhost:5556/keys', userinfo_endpoint: 'https://idp.example.com/me' })).not.toThrow();
  });

  it.each(['token_endpoint', 'authorization_endpoint', 'device_authorization_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'jwks_uri', 'userinfo_endpoint'])(
    'refuses a plain http %s on another host, naming it',
    (field) => {
      let error: unknown;
      try {
        checkDiscoveryEndpoints(loopback, { ...good, [field]: 'http://token.example.test/x' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(KubeLoginError);
      expect((error as KubeLoginError).code).toBe('provider-rejected');
      expect((error as KubeLoginError).message).toContain(`names the ${field} "http://token.example.test/x", which is plain http to another host`);
      expect((error as KubeLoginError).fix).toContain('https');
    },
  );

  it('refuses http loopback endpoints of an https issuer, http on a 127.* name, and non-URLs', () => {
    expect(() => checkDiscoveryEndpoints(https, { ...good, token_endpoint: 'http://127.0.0.1:8000/token' })).toThrow(/plain http on this machine, while the issuer uses https/);
    expect(() => checkDiscoveryEndpoints(loopback, { ...good, token_endpoint: 'http://127.attacker.example/token' })).toThrow(/plain http to another host/);
    expect(() => checkDiscoveryEndpoints(https, { ...good, jwks_uri: 'file:///etc/passwd' })).toThrow(/a file URL, not https/);
    expect(() => checkDiscoveryEndpoints(https, { ...good, jwks_uri: 42 })).toThrow(/not a URL/);
  });
});

describe('isOpenableUrl', () => {
  it('opens only https and loopback http', () => {
    expect(isOpenableUrl('https://idp.example.com/device?user_code=ABCD-EFGH')).toBe(true);
    expect(isOpenableUrl('http://127.0.0.1:5556/device')).toBe(true);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<script>', 'http://idp.example.com/device', 'ms-settings:', 'vscode://x', '/device', '']) {
      expect(isOpenableUrl(bad), bad).toBe(false);
    }
  });
});

describe('terminal text', () => {
  const nasty = 'a\x1b]0;pwned\x07b\x1b[2Jc\x9bd\x7fe\rf\u202eg';
  it('escapes ESC, BEL, C1, DEL, CR and bidi overrides, keeping newline and tab in our own text', () => {
    const text = terminalText(`line one\n\t${nasty}`);
    expect(text).toBe('line one\n\ta\\x1b]0;pwned\\x07b\\x1b[2Jc\\x9bd\\x7fe\\x0df\\u202eg');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
  it('escapes newlines too in a value placed on one of our lines', () => {
    expect(terminalLine('admin\n  fix: curl evil | sh')).toBe('admin\\x0a  fix: curl evil | sh');
    expect(terminalLine('jane@example.com')).toBe('jane@example.com');
    expect(terminalLine('Zoë 山田')).toBe('Zoë 山田');
  });
  it('identityOf gives one clean line', () => {
    expect(identityOf({ email: 'x\x1b[2J@example.com\nkube-login: logged in as root' })).toBe('x\\x1b[2J@example.com\\x0akube-login: logged in as root');
  });
  it('the logger writes no control character but newline, after masking secrets', () => {
    const log = arrayLogger();
    log.logger.redactor.add('secret-\x1b-value');
    log.logger.info(`kube-login: the provider said \x1b]0;pwned\x07 and secret-\x1b-value\nsecond line`);
    expect(log.text()).toBe('kube-login: the provider said \\x1b]0;pwned\\x07 and [redacted]\nsecond line\n');
  });
});

describe('the loopback listener Host allow-list (RFC 8252 section 8.3)', () => {
  it('is the loopback names, the redirect host and the bound address, with the bound port', () => {
    const hosts = allowedHosts(49152, 'localhost', '127.0.0.1');
    expect([...hosts].sort()).toEqual(['127.0.0.1:49152', '[::1]:49152', 'localhost:49152']);
    expect(allowedHosts(8000, 'my-host.test', '::1')).toEqual(new Set(['localhost:8000', '127.0.0.1:8000', '[::1]:8000', 'my-host.test:8000']));
    expect(allowedHosts(80, 'localhost', '127.0.0.1').has('localhost')).toBe(true);
    expect(hosts.has('attacker.example:49152')).toBe(false);
    expect(hosts.has('localhost:8000')).toBe(false);
  });
});

describe('the client secret sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-login-secret-'));
  const raw = (strings: Record<string, string>) => ({ strings: { 'oidc-issuer-url': 'https://idp.example.com', 'oidc-client-id': 'k', ...strings }, lists: {}, booleans: {} });
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };

  it('takes the flag, then the file (one trailing newline dropped), then the environment', () => {
    const path = file('s1', 'from-file\n');
    const env = { [CLIENT_SECRET_ENV]: 'from-env' };
    expect(clientSecretOf(raw({ 'oidc-client-secret': 'from-flag', 'oidc-client-secret-file': path }), env, '/home/a')).toBe('from-flag');
    expect(clientSecretOf(raw({ 'oidc-client-secret-file': path }), env, '/home/a')).toBe('from-file');
    expect(clientSecretOf(raw({}), env, '/home/a')).toBe('from-env');
    expect(clientSecretOf(raw({}), { [CLIENT_SECRET_ENV]: '' }, '/home/a')).toBeUndefined();
    expect(clientSecretOf(raw({ 'oidc-client-secret-file': file('s2', 'two\n\n') }), {}, '/home/a')).toBe('two\n');
    expect(clientSecretOf(raw({ 'oidc-client-secret-file': file('s3', 'crlf\r\n') }), {}, '/home/a')).toBe('crlf');
    expect(toGetTokenInput(raw({ 'oidc-client-secret-file': path }), {}, '/home/a').clientSecret).toBe('from-file');
  });

  it('a missing, unreadable or empty file is a usage error naming the file', () => {
    const empty = file('empty', '\n');
    const unreadable = file('unreadable', 'x');
    chmodSync(unreadable, 0o000);
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing'), /ENOENT/],
      [empty, /the file is empty/],
      [dir, /EISDIR/],
    ];
    if (process.getuid?.() !== 0) cases.push([unreadable, /EACCES/]);
    for (const [path, reason] of cases) {
      let error: unknown;
      try {
        toGetTokenInput(raw({ 'oidc-client-secret-file': path }), {}, '/home/a');
      } catch (caught) {
        error = caught;
      }
      expect(error, path).toBeInstanceOf(KubeLoginError);
      expect((error as KubeLoginError).code).toBe('usage');
      expect((error as KubeLoginError).message).toMatch(new RegExp(`^could not read the client secret file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(--oidc-client-secret-file\\): `));
      expect((error as KubeLoginError).message).toMatch(reason);
    }
  });

  it('the secret is not part of the cache key: the same tokens whichever way it is given', () => {
    const path = file('s4', 'one-secret\n');
    const keys = [
      toGetTokenInput(raw({ 'oidc-client-secret': 'one-secret' }), {}, '/h'),
      toGetTokenInput(raw({ 'oidc-client-secret-file': path }), {}, '/h'),
      toGetTokenInput(raw({}), { [CLIENT_SECRET_ENV]: 'other-secret' }, '/h'),
    ].map((input) => cacheKey(cacheKeyInputOf(input)).id);
    expect(new Set(keys).size).toBe(1);
  });
});
