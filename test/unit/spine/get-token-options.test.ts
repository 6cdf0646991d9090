// get-token flags: the strict fast-path parser (anything unusual → undefined, so the full CLI takes
// over and reports it) and the validation into GetTokenInput (errors name the flag).
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN_ADDRESSES, type GetTokenInput, toGetTokenInput } from '../../../src/config/get-token-input.js';
import { parseGetTokenArgv } from '../../../src/config/parse-argv.js';
import { KubeLoginError } from '../../../src/errors.js';

const HOME = '/home/alice';
const ISSUER = 'https://idp.example.com';
const REQUIRED = ['--oidc-issuer-url', ISSUER, '--oidc-client-id', 'kubernetes'];

/** Parses argv as the fast path does and validates it; fails the test if the parser gives up. */
function inputOf(args: string[], env: NodeJS.ProcessEnv = {}): GetTokenInput {
  const raw = parseGetTokenArgv(args);
  if (!raw) throw new Error(`parseGetTokenArgv gave up on ${JSON.stringify(args)}`);
  return toGetTokenInput(raw, env, HOME);
}

function usageErrorOf(args: string[], env: NodeJS.ProcessEnv = {}): KubeLoginError {
  try {
    inputOf(args, env);
  } catch (error) {
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('usage');
    return error as KubeLoginError;
  }
  throw new Error(`no usage error for ${JSON.stringify(args)}`);
}

describe('parseGetTokenArgv', () => {
  it('reads `--flag value` and `--flag=value` alike', () => {
    const spaced = parseGetTokenArgv(['--oidc-issuer-url', ISSUER, '--oidc-client-id', 'kubernetes']);
    const joined = parseGetTokenArgv([`--oidc-issuer-url=${ISSUER}`, '--oidc-client-id=kubernetes']);
    expect(spaced).toEqual(joined);
    expect(spaced?.strings['oidc-issuer-url']).toBe(ISSUER);
    expect(spaced?.strings['oidc-client-id']).toBe('kubernetes');
  });

  it('splits `--flag=value` at the first `=` only', () => {
    expect(parseGetTokenArgv(['--oidc-auth-request-extra-params=audience=a=b'])?.lists['oidc-auth-request-extra-params']).toEqual(['audience=a=b']);
  });

  it('collects a repeated list flag, split on commas like pflag StringSlice', () => {
    const repeated = parseGetTokenArgv(['--oidc-extra-scope', 'email', '--oidc-extra-scope=groups']);
    const commas = parseGetTokenArgv(['--oidc-extra-scope=email,groups']);
    const mixed = parseGetTokenArgv(['--oidc-extra-scope', 'email,groups', '--oidc-extra-scope', 'offline_access']);
    expect(repeated?.lists['oidc-extra-scope']).toEqual(['email', 'groups']);
    expect(commas?.lists['oidc-extra-scope']).toEqual(['email', 'groups']);
    expect(mixed?.lists['oidc-extra-scope']).toEqual(['email', 'groups', 'offline_access']);
  });

  it('reads the listen addresses in order', () => {
    expect(parseGetTokenArgv(['--listen-address', '127.0.0.1:9000,127.0.0.1:9001', '--listen-address=127.0.0.1:0'])?.lists['listen-address']).toEqual([
      '127.0.0.1:9000',
      '127.0.0.1:9001',
      '127.0.0.1:0',
    ]);
  });

  it('reads booleans with and without an explicit value', () => {
    const raw = parseGetTokenArgv(['--force-refresh', '--skip-open-browser=true', '--insecure-skip-tls-verify=false', '--oidc-use-access-token']);
    expect(raw?.booleans).toEqual({ 'force-refresh': true, 'skip-open-browser': true, 'insecure-skip-tls-verify': false, 'oidc-use-access-token': true });
  });

  it('reads -v and --verbose', () => {
    expect(parseGetTokenArgv(['-v'])?.booleans['verbose']).toBe(true);
    expect(parseGetTokenArgv(['--verbose'])?.booleans['verbose']).toBe(true);
  });

  it('does not swallow the next argument after a boolean', () => {
    expect(parseGetTokenArgv(['--force-refresh', '--oidc-client-id', 'kubernetes'])).toEqual({
      strings: { 'oidc-client-id': 'kubernetes' },
      lists: {},
      booleans: { 'force-refresh': true },
    });
  });

  it.each<[string, string[]]>([
    ['an unknown long flag', [...REQUIRED, '--no-such-flag', 'x']],
    ['a kubelogin flag kube-login does not take', [...REQUIRED, '--oidc-use-pkce']],
    ['an unknown short flag', [...REQUIRED, '-x']],
    ['combined short flags', [...REQUIRED, '-vv']],
    ['a missing value at the end', ['--oidc-client-id', 'kubernetes', '--oidc-issuer-url']],
    ['a missing inline list value at the end', [...REQUIRED, '--oidc-extra-scope']],
    ['a positional argument', [...REQUIRED, 'extra']],
    ['a `--` separator', [...REQUIRED, '--']],
    ['a boolean with a non-boolean value', [...REQUIRED, '--force-refresh=yes']],
    ['a single-dash long flag', ['-oidc-issuer-url', ISSUER]],
    ['kubelogin -v with a level', [...REQUIRED, '-v', '1']],
  ])('gives up (undefined) on %s', (_name, args) => {
    expect(parseGetTokenArgv(args)).toBeUndefined();
  });

  it('accepts an empty command line (validation then reports the missing flags)', () => {
    expect(parseGetTokenArgv([])).toEqual({ strings: {}, lists: {}, booleans: {} });
  });
});

describe('kubelogin (pflag) compatibility of list flags', () => {
  // int128/kubelogin declares --oidc-auth-request-extra-params with pflag StringToStringVar. Its Set()
  // does not split a value containing exactly one `=` on commas (pflag string_to_string.go, `case 1`),
  // so a kubeconfig passing e.g. an OIDC `claims` request parameter works there.
  it('keeps commas inside the value of a single key=value extra parameter', () => {
    const claims = '{"id_token":{"groups":null,"email":null}}';
    expect(inputOf([...REQUIRED, `--oidc-auth-request-extra-params=claims=${claims}`]).extraParams).toEqual({ claims });
  });

  it('splits several pairs given in one extra-params value, as pflag does', () => {
    expect(inputOf([...REQUIRED, '--oidc-auth-request-extra-params=prompt=login,login_hint=alice']).extraParams).toEqual({
      prompt: 'login',
      login_hint: 'alice',
    });
  });

  // kubelogin declares --certificate-authority with pflag StringArrayVar (pkg/cmd/tls.go): repeatable, never split.
  it('does not split a --certificate-authority path on commas', () => {
    expect(inputOf([...REQUIRED, '--certificate-authority=/etc/ssl/corp,2024.pem']).tls.certificateAuthorityFiles).toEqual(['/etc/ssl/corp,2024.pem']);
  });

  // kubelogin declares --certificate-authority-data with StringArrayVar too: every repeated value is a CA.
  it('keeps every repeated --certificate-authority-data, not only the last', () => {
    const first = Buffer.from('-----BEGIN CERTIFICATE-----\nfirst\n-----END CERTIFICATE-----\n').toString('base64');
    const second = Buffer.from('-----BEGIN CERTIFICATE-----\nsecond\n-----END CERTIFICATE-----\n').toString('base64');
    const tls = inputOf([...REQUIRED, '--certificate-authority-data', first, '--certificate-authority-data', second]).tls;
    expect(JSON.stringify(tls)).toContain(first);
    expect(JSON.stringify(tls)).toContain(second);
  });
});

describe('toGetTokenInput validation', () => {
  it('names --oidc-issuer-url when it is missing', () => {
    expect(usageErrorOf(['--oidc-client-id', 'kubernetes']).message).toContain('--oidc-issuer-url');
  });

  it('names --oidc-client-id when it is missing', () => {
    expect(usageErrorOf(['--oidc-issuer-url', ISSUER]).message).toContain('--oidc-client-id');
  });

  it.each(['not a url', 'idp.example.com', 'ftp://idp.example.com'])('refuses the issuer %j and names the flag', (issuer) => {
    const error = usageErrorOf(['--oidc-issuer-url', issuer, '--oidc-client-id', 'kubernetes']);
    expect(error.message).toContain('--oidc-issuer-url');
    expect(error.message).toContain(issuer);
  });

  it.each(['abc', '0', '-5', '1.5', ''])('refuses --authentication-timeout-sec %j', (value) => {
    const error = usageErrorOf([...REQUIRED, `--authentication-timeout-sec=${value}`]);
    expect(error.message).toContain('--authentication-timeout-sec');
  });

  it('takes a whole number of seconds as the timeout', () => {
    expect(inputOf([...REQUIRED, '--authentication-timeout-sec', '30']).authenticationTimeoutSeconds).toBe(30);
  });

  it.each(['0.0.0.0:8000', '192.168.1.10:8000', 'example.com:8000', 'localhost.example.com:8000', '127.0.0.1.nip.io:8000', '[::]:8000'])(
    'refuses the non-loopback --listen-address %s (RFC 8252 section 7.3)',
    (address) => {
      const error = usageErrorOf([...REQUIRED, '--listen-address', address]);
      expect(error.message).toContain('--listen-address');
      expect(error.message).toContain(address);
      expect(error.message).toMatch(/loopback/);
    },
  );

  it.each(['127.0.0.1', '127.0.0.1:99999', ':8000', '127.0.0.1:port'])('refuses the malformed --listen-address %j', (address) => {
    expect(usageErrorOf([...REQUIRED, '--listen-address', address]).message).toContain('--listen-address');
  });

  it('accepts loopback addresses, including port 0 and IPv6, and binds localhost as 127.0.0.1', () => {
    expect(inputOf([...REQUIRED, '--listen-address=127.0.0.1:0,[::1]:8000,localhost:9000,127.0.0.2:9001']).listenAddresses).toEqual([
      { host: '127.0.0.1', port: 0 },
      { host: '::1', port: 8000 },
      { host: '127.0.0.1', port: 9000 },
      { host: '127.0.0.2', port: 9001 },
    ]);
  });

  it.each(['no-equals-sign', '=value'])('refuses the extra parameter %j and names the flag', (value) => {
    const error = usageErrorOf([...REQUIRED, '--oidc-auth-request-extra-params', value]);
    expect(error.message).toContain('--oidc-auth-request-extra-params');
    expect(error.message).toContain(value);
  });

  it('keeps `=` inside an extra parameter value', () => {
    expect(inputOf([...REQUIRED, '--oidc-auth-request-extra-params', 'audience=a=b']).extraParams).toEqual({ audience: 'a=b' });
  });

  it('refuses an unknown --token-cache-storage', () => {
    expect(usageErrorOf([...REQUIRED, '--token-cache-storage', 'cloud']).message).toContain('--token-cache-storage');
  });

  it('refuses an unknown --grant-type', () => {
    expect(usageErrorOf([...REQUIRED, '--grant-type', 'implicit']).message).toContain('--grant-type');
  });
});

describe('toGetTokenInput defaults', () => {
  const input = inputOf(REQUIRED);

  it('listens on 127.0.0.1:8000, then 127.0.0.1:18000', () => {
    expect(input.listenAddresses).toEqual([
      { host: '127.0.0.1', port: 8000 },
      { host: '127.0.0.1', port: 18000 },
    ]);
  });

  it('does not share the default listen addresses with later callers', () => {
    inputOf(REQUIRED).listenAddresses.push({ host: '127.0.0.1', port: 1 });
    expect(inputOf(REQUIRED).listenAddresses).toHaveLength(2);
    expect(DEFAULT_LISTEN_ADDRESSES).toHaveLength(2);
  });

  it('waits 180 s for the login', () => {
    expect(input.authenticationTimeoutSeconds).toBe(180);
  });

  it('uses automatic storage selection', () => {
    expect(input.storage).toBe('auto');
  });

  it('caches under ~/.kube/cache/kube-login of the given home', () => {
    expect(input.cacheDir).toBe(join(HOME, '.kube', 'cache', 'kube-login'));
  });

  it('honours KUBECACHEDIR, and --token-cache-dir wins over it', () => {
    expect(inputOf(REQUIRED, { KUBECACHEDIR: '/var/cache/kube' }).cacheDir).toBe('/var/cache/kube/kube-login');
    expect(inputOf([...REQUIRED, '--token-cache-dir', '/tmp/tokens'], { KUBECACHEDIR: '/var/cache/kube' }).cacheDir).toBe('/tmp/tokens');
  });

  it('uses the authorization code grant, the localhost redirect host, and the ID token', () => {
    expect(input.grantType).toBe('auto');
    expect(input.redirectHostname).toBe('localhost');
    expect(input.useAccessToken).toBe(false);
    expect(input.forceRefresh).toBe(false);
    expect(input.noLogin).toBe(false);
    expect(input.skipOpenBrowser).toBe(false);
    expect(input.tls).toEqual({ certificateAuthorityFiles: [], certificateAuthorityData: [], insecureSkipTlsVerify: false });
  });

  it('requests no extra scope and drops `openid` and duplicates (openid is always sent)', () => {
    expect(input.scopes).toEqual([]);
    expect(inputOf([...REQUIRED, '--oidc-extra-scope=openid,email,email', '--oidc-extra-scope', 'groups']).scopes.sort()).toEqual(['email', 'groups']);
  });
});

describe('~ expansion of path flags (shells do not expand `--flag=~/x`)', () => {
  it('expands ~/ in --token-cache-dir', () => {
    expect(inputOf([...REQUIRED, '--token-cache-dir=~/tokens']).cacheDir).toBe(join(HOME, 'tokens'));
    expect(inputOf([...REQUIRED, '--token-cache-dir', '~']).cacheDir).toBe(HOME);
  });

  it('expands ~/ in each --certificate-authority', () => {
    expect(inputOf([...REQUIRED, '--certificate-authority=~/ca.pem', '--certificate-authority', '/etc/ca.pem']).tls.certificateAuthorityFiles).toEqual([
      join(HOME, 'ca.pem'),
      '/etc/ca.pem',
    ]);
  });

  it('makes a relative path absolute', () => {
    expect(inputOf([...REQUIRED, '--token-cache-dir', 'tokens']).cacheDir).toBe(resolve('tokens'));
  });

  it('does not expand ~user or a ~ in the middle of a path', () => {
    expect(inputOf([...REQUIRED, '--token-cache-dir', '/srv/~/tokens']).cacheDir).toBe('/srv/~/tokens');
  });
});

describe('flag values kept as given', () => {
  it('keeps the client secret, browser command and certificate data', () => {
    const input = inputOf([
      ...REQUIRED,
      '--oidc-client-secret',
      's3cret-value',
      '--browser-command',
      '/usr/bin/firefox --new-window',
      '--certificate-authority-data',
      'LS0tLS1CRUdJTg==',
      '--insecure-skip-tls-verify',
    ]);
    expect(input.clientSecret).toBe('s3cret-value');
    expect(input.browserCommand).toBe('/usr/bin/firefox --new-window');
    expect(input.tls).toEqual({ certificateAuthorityFiles: [], certificateAuthorityData: ['LS0tLS1CRUdJTg=='], insecureSkipTlsVerify: true });
  });

});
