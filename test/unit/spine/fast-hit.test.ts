// The cache-hit fast path: with a fresh entry written by the real file store it answers kubectl
// itself; in every other case it returns undefined and the full CLI takes over.
import { chmod, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileTokenStore } from '../../../src/cache/file-store.js';
import { cacheKey } from '../../../src/cache/key.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { answerFromCache } from '../../../src/fast/hit.js';
import { arrayLogger, tempDir, unsignedJwt, utcSeconds } from './helpers.js';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const ISSUER = 'https://idp.example.com';
const T = utcSeconds(2030, 1, 1); // ID token issued at 2030-01-01T00:00:00Z, valid one hour → margin 60 s
const ID_TOKEN = unsignedJwt({ iss: ISSUER, sub: 'alice', aud: 'kubernetes', iat: T, exp: T + 3600 });
const ACCESS_TOKEN = 'access-token-0123456789';
const tokens: CachedTokens = {
  idToken: ID_TOKEN,
  refreshToken: 'refresh-token-0123456789',
  accessToken: ACCESS_TOKEN,
  idTokenIssuedAt: T,
  idTokenExpiresAt: T + 3600,
  accessTokenIssuedAt: T,
  accessTokenExpiresAt: T + 600, // margin 60 → the access token is fresh until T+540
};
// The key the flags below must map to: `openid` is implicit, scopes sorted, extra params as a map.
const key = cacheKey({ issuer: ISSUER, clientId: 'kubernetes', scopes: ['email', 'groups'], extraParams: { prompt: 'login' } });

let dir: string;
let cleanup: () => Promise<void>;
let args: string[];
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  args = [
    'get-token',
    `--oidc-issuer-url=${ISSUER}`,
    '--oidc-client-id=kubernetes',
    '--oidc-extra-scope=email',
    '--oidc-extra-scope=groups',
    '--oidc-auth-request-extra-params=prompt=login',
    `--token-cache-dir=${dir}`,
  ];
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await cleanup();
});

const store = (cacheDir: string = dir): FileTokenStore => new FileTokenStore(cacheDir, arrayLogger().logger);
const execInfo = (apiVersion: string): NodeJS.ProcessEnv => ({
  KUBERNETES_EXEC_INFO: `{"kind":"ExecCredential","apiVersion":"${apiVersion}","spec":{"interactive":false}}`,
});
const NOW = (T + 100) * 1000;

describe('answerFromCache: hits', () => {
  it('answers a fresh entry with the ExecCredential kubectl asked for', async () => {
    await store().write(key, tokens);
    const text = answerFromCache(args, execInfo(V1), NOW);
    expect(text).toBeDefined();
    expect(text?.endsWith('\n')).toBe(true);
    expect(JSON.parse(text as string)).toStrictEqual({
      apiVersion: V1,
      kind: 'ExecCredential',
      // exp (01:00:00) minus the 60 s margin: kubectl must come back before we would refresh.
      status: { token: ID_TOKEN, expirationTimestamp: '2030-01-01T00:59:00Z' },
    });
  });

  it('answers in v1beta1 when kubectl asks for it', async () => {
    await store().write(key, tokens);
    expect(JSON.parse(answerFromCache(args, execInfo(V1BETA1), NOW) as string).apiVersion).toBe(V1BETA1);
  });

  it('answers in v1 when run by hand (no KUBERNETES_EXEC_INFO)', async () => {
    await store().write(key, tokens);
    expect(JSON.parse(answerFromCache(args, {}, NOW) as string).apiVersion).toBe(V1);
  });

  it('hits the same entry whatever the flag order and list style', async () => {
    await store().write(key, tokens);
    const reordered = [
      'get-token',
      '--oidc-extra-scope',
      'groups,email',
      '--token-cache-dir',
      dir,
      '--oidc-auth-request-extra-params',
      'prompt=login',
      '--oidc-client-id',
      'kubernetes',
      '--oidc-extra-scope=openid',
      '--oidc-issuer-url',
      ISSUER,
    ];
    expect(answerFromCache(reordered, {}, NOW)).toBe(answerFromCache(args, {}, NOW));
    expect(answerFromCache(reordered, {}, NOW)).toBeDefined();
  });

  it('answers with the access token and its own expiry with --oidc-use-access-token', async () => {
    await store().write(key, tokens);
    const parsed = JSON.parse(answerFromCache([...args, '--oidc-use-access-token'], {}, NOW) as string);
    expect(parsed.status).toStrictEqual({ token: ACCESS_TOKEN, expirationTimestamp: '2030-01-01T00:09:00Z' });
  });

  it('finds the entry under KUBECACHEDIR', async () => {
    await store(join(dir, 'kube-login')).write(key, tokens);
    const withoutDir = args.filter((arg) => !arg.startsWith('--token-cache-dir'));
    expect(answerFromCache(withoutDir, { KUBECACHEDIR: dir }, NOW)).toBeDefined();
  });

  it('finds the entry under ~/.kube/cache/kube-login by default', async () => {
    vi.stubEnv('HOME', dir);
    await store(join(dir, '.kube', 'cache', 'kube-login')).write(key, tokens);
    const withoutDir = args.filter((arg) => !arg.startsWith('--token-cache-dir'));
    expect(answerFromCache(withoutDir, { HOME: dir }, NOW)).toBeDefined();
  });

  it('accepts -v', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '-v'], {}, NOW)).toBeDefined();
  });
});

describe('answerFromCache: the full CLI takes over (undefined)', () => {
  it('when no entry exists', () => {
    expect(answerFromCache(args, {}, NOW)).toBeUndefined();
  });

  it('when the entry is for other flags (another scope set)', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '--oidc-extra-scope=offline_access'], {}, NOW)).toBeUndefined();
  });

  it('when the ID token is inside the refresh margin, though not expired', async () => {
    await store().write(key, tokens);
    expect(answerFromCache(args, {}, (T + 3540) * 1000)).toBeUndefined();
    expect(answerFromCache(args, {}, (T + 3599) * 1000)).toBeUndefined();
  });

  it('up to the last millisecond before the margin it still answers', async () => {
    await store().write(key, tokens);
    expect(answerFromCache(args, {}, (T + 3540) * 1000 - 1)).toBeDefined();
  });

  it('when the ID token has expired', async () => {
    await store().write(key, tokens);
    expect(answerFromCache(args, {}, (T + 7200) * 1000)).toBeUndefined();
  });

  it('when the access token is inside its margin with --oidc-use-access-token', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '--oidc-use-access-token'], {}, (T + 540) * 1000)).toBeUndefined();
  });

  it('when --oidc-use-access-token is given but no access token is cached', async () => {
    const { accessToken: _a, accessTokenExpiresAt: _e, ...noAccess } = tokens;
    await store().write(key, noAccess);
    expect(answerFromCache([...args, '--oidc-use-access-token'], {}, NOW)).toBeUndefined();
  });

  it('when the entry is corrupt', async () => {
    await writeFile(join(dir, `${key.id}.json`), '{"version":1,"times":', { mode: 0o600 });
    expect(answerFromCache(args, {}, NOW)).toBeUndefined();
  });

  it('with --force-refresh', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '--force-refresh'], {}, NOW)).toBeUndefined();
  });

  it('with --token-cache-storage none', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '--token-cache-storage', 'none'], {}, NOW)).toBeUndefined();
  });

  it('with an unknown flag', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '--oidc-use-pkce'], {}, NOW)).toBeUndefined();
    expect(answerFromCache([...args, '--bogus=1'], {}, NOW)).toBeUndefined();
  });

  it('with invalid flag values (so the full CLI reports them)', async () => {
    await store().write(key, tokens);
    expect(answerFromCache([...args, '--listen-address', '0.0.0.0:8000'], {}, NOW)).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['v1alpha1', '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{"interactive":false}}'],
    ['a non-boolean interactive', `{"kind":"ExecCredential","apiVersion":"${V1}","spec":{"interactive":"no"}}`],
  ])('with a malformed KUBERNETES_EXEC_INFO (%s), even when the entry is fresh', async (_name, value) => {
    await store().write(key, tokens);
    expect(answerFromCache(args, { KUBERNETES_EXEC_INFO: value }, NOW)).toBeUndefined();
  });

  it('for any subcommand other than get-token', async () => {
    await store().write(key, tokens);
    expect(answerFromCache(['setup', ...args.slice(1)], {}, NOW)).toBeUndefined();
    expect(answerFromCache(['--oidc-issuer-url', ISSUER, ...args.slice(2)], {}, NOW)).toBeUndefined();
    expect(answerFromCache([], {}, NOW)).toBeUndefined();
  });

  it('with --token-cache-storage disk, for an entry whose secrets are kept in the keychain', async () => {
    const { toEntryFile } = await import('../../../src/cache/entry-file.js');
    await writeFile(join(dir, `${key.id}.json`), JSON.stringify(toEntryFile(key.input, tokens, 'keyring', new Date())), { mode: 0o600 });
    expect(answerFromCache([...args, '--token-cache-storage', 'disk'], {}, NOW)).toBeUndefined();
  });

  it.each([
    ['the entry is readable by others', async () => chmod(join(dir, `${key.id}.json`), 0o644)],
    ['others can write to the cache folder', async () => chmod(dir, 0o1777)],
    [
      'the entry is a symbolic link',
      async () => {
        await rename(join(dir, `${key.id}.json`), join(dir, 'elsewhere'));
        await symlink(join(dir, 'elsewhere'), join(dir, `${key.id}.json`));
      },
    ],
  ])('when %s (the full CLI reports it)', async (_name, spoil) => {
    await store().write(key, tokens);
    expect(answerFromCache(args, {}, NOW)).toBeDefined();
    await spoil();
    expect(answerFromCache(args, {}, NOW)).toBeUndefined();
    await chmod(dir, 0o700);
  });
});
