// --no-login for background callers: with nothing refreshable cached it fails before queueing for the
// cache lock (another kube-login may hold it through a minutes-long browser login), and never logs in.
import { describe, expect, it, vi } from 'vitest';
import type { CacheLock, TokenStore } from '../../../src/cache/token-store.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { toGetTokenInput } from '../../../src/config/get-token-input.js';
import { KubeLoginError } from '../../../src/errors.js';
import type { ProviderConnection } from '../../../src/oidc/provider-client.js';
import { type GetTokenDeps, obtainTokens } from '../../../src/usecases/get-token.js';
import { arrayLogger, unsignedJwt } from '../spine/helpers.js';

const NOW = 1_900_000_000;
const input = toGetTokenInput({ strings: { 'oidc-issuer-url': 'https://idp.example.com', 'oidc-client-id': 'k' }, lists: {}, booleans: { 'no-login': true } }, {}, '/home/alice');

function deps(cached: CachedTokens | undefined, refresh = vi.fn()): GetTokenDeps & { acquire: ReturnType<typeof vi.fn>; login: ReturnType<typeof vi.fn> } {
  const store: TokenStore = { kind: 'disk', read: async () => cached, write: async () => undefined, remove: async () => false, list: async () => [] };
  // A lock held elsewhere for good: acquiring it never returns.
  const acquire = vi.fn(() => new Promise<never>(() => undefined));
  const lock: CacheLock = { acquire };
  const login = vi.fn();
  return {
    store,
    lock,
    clock: { now: () => NOW * 1000 },
    logger: arrayLogger().logger,
    connect: async () => ({ refresh }) as unknown as ProviderConnection,
    login,
    loginCommand: 'kube-login get-token --oidc-issuer-url=https://idp.example.com --oidc-client-id=k',
    acquire,
  };
}

const expired = (refreshToken?: string): CachedTokens => ({
  idToken: unsignedJwt({ sub: 'alice', iat: NOW - 7200, exp: NOW - 3600 }),
  idTokenIssuedAt: NOW - 7200,
  idTokenExpiresAt: NOW - 3600,
  ...(refreshToken ? { refreshToken } : {}),
});

describe('--no-login never waits and never logs in', () => {
  it.each([
    ['nothing is cached', undefined],
    ['the cached token expired and there is no refresh token', expired()],
  ])('fails before the lock when %s, naming the command to run in a terminal', async (_name, cached) => {
    const d = deps(cached);
    const error = await obtainTokens(d, input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(error).toMatchObject({ code: 'login-required', fix: `log in once from a terminal (later calls use the cached token): ${d.loginCommand}` });
    expect(d.acquire).not.toHaveBeenCalled();
    expect(d.login).not.toHaveBeenCalled();
  });

  it('queues for the lock when a refresh token is cached: a refresh needs no person', async () => {
    const d = deps(expired('rt-0123456789'));
    void obtainTokens(d, input);
    await vi.waitFor(() => expect(d.acquire).toHaveBeenCalledTimes(1));
    expect(d.login).not.toHaveBeenCalled();
  });
});
