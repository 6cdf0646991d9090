// Fix texts of issue 12 §3 that need a fake to reach: kubelogin's klog verbosity on both parsers and
// the cache-hit path, logout's TLS fix, and doctor's keychain sentence.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../../../src/cache/file-store.js';
import { cacheKey } from '../../../src/cache/key.js';
import { explainKeychainFailure } from '../../../src/cache/keychain-errors.js';
import { normalizeVerbosityArgs, parseGetTokenArgv } from '../../../src/config/parse-argv.js';
import { KubeLoginError } from '../../../src/errors.js';
import { answerFromCache } from '../../../src/fast/hit.js';
import { checkKeychain } from '../../../src/usecases/doctor/keychain.js';
import { logout } from '../../../src/usecases/logout.js';
import { MemorySessionCache, RecordingLock, arrayLogger as lifecycleLogger, keyOf, makeInput, tokenSet } from '../lifecycle/fakes.js';
import { arrayLogger, tempDir, unsignedJwt, utcSeconds } from '../spine/helpers.js';

describe('kubelogin verbosity flags (-v1, -v=1, --v=1, --v 1)', () => {
  it('become --verbose from level 1, and nothing at level 0', () => {
    expect(normalizeVerbosityArgs(['-v1'])).toEqual(['--verbose']);
    expect(normalizeVerbosityArgs(['-v=1'])).toEqual(['--verbose']);
    expect(normalizeVerbosityArgs(['--v=4'])).toEqual(['--verbose']);
    expect(normalizeVerbosityArgs(['--v', '2', '--oidc-client-id=a'])).toEqual(['--verbose', '--oidc-client-id=a']);
    expect(normalizeVerbosityArgs(['-v0', '--v=0'])).toEqual([]);
    expect(normalizeVerbosityArgs(['-v', '--verbose'])).toEqual(['-v', '--verbose']);
  });

  it('leave the value of a flag that takes one, and everything after --, alone', () => {
    expect(normalizeVerbosityArgs(['--password', '-v1', '--username', '--v=1'])).toEqual(['--password', '-v1', '--username', '--v=1']);
    expect(normalizeVerbosityArgs(['--', '-v1'])).toEqual(['--', '-v1']);
  });

  it('are read by the fast path\'s parser as verbose', () => {
    for (const flag of [['-v1'], ['--v=1'], ['--v', '1']]) {
      expect(parseGetTokenArgv(['--oidc-client-id', 'a', ...flag])).toEqual({ strings: { 'oidc-client-id': 'a' }, lists: {}, booleans: { verbose: true } });
    }
  });

  describe('a cache hit', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ dir, cleanup } = await tempDir());
    });
    afterEach(async () => cleanup());

    it('is still answered by the fast path with -v1 or --v=1 in the args', async () => {
      const issuer = 'https://idp.example.com';
      const t = utcSeconds(2030, 1, 1);
      const idToken = unsignedJwt({ iss: issuer, sub: 'alice', aud: 'kubernetes', iat: t, exp: t + 3600 });
      const key = cacheKey({ issuer, clientId: 'kubernetes', scopes: [], extraParams: {} });
      await new FileTokenStore(dir, arrayLogger().logger).write(key, { idToken, idTokenIssuedAt: t, idTokenExpiresAt: t + 3600 });
      const base = ['get-token', `--oidc-issuer-url=${issuer}`, '--oidc-client-id=kubernetes', `--token-cache-dir=${dir}`];
      for (const flag of ['-v1', '--v=1', '-v=1']) {
        const text = answerFromCache([...base, flag], {}, (t + 100) * 1000);
        expect(text, flag).toBeDefined();
        expect(JSON.parse(text as string).status.token).toBe(idToken);
      }
    });
  });
});

describe('logout when the provider\'s certificate does not verify', () => {
  it('suggests --certificate-authority first, then --local-only, and keeps the entry', async () => {
    const cache = new MemorySessionCache([]);
    const key = keyOf(makeInput());
    cache.put(key, tokenSet('a'));
    const tls = new KubeLoginError('tls', "read the provider's discovery document", 'TLS to idp.example.com failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    const deps = { cache, lock: new RecordingLock([]), logger: lifecycleLogger().logger, connect: async () => Promise.reject(tls), openBrowser: async () => undefined };
    const error = await logout(deps, { selection: { kind: 'one', key }, endSession: false, localOnly: false, skipOpenBrowser: false }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'tls' });
    const fix = (error as KubeLoginError).fix ?? '';
    expect(fix).toMatch(/^pass the CA that signed the provider's certificate with --certificate-authority FILE \(as get-token does\), or pass --local-only/);
    expect(cache.entries.size).toBe(1);
  });
});

describe("doctor's keychain warning", () => {
  it('is one sentence with no parentheses inside parentheses', () => {
    const { reason, fix } = explainKeychainFailure(new Error('DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time'), {});
    const check = checkKeychain('auto', { ok: false, reason, fix }, '/home/u/.kube/cache/kube-login');
    expect(check.mark).toBe('warn');
    expect(check.text).toBe(
      'tokens are kept in 0600 files in /home/u/.kube/cache/kube-login, not in the OS keychain, because there is no D-Bus session bus to reach the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set)',
    );
    let depth = 0;
    let deepest = 0;
    for (const char of check.text) {
      depth += char === '(' ? 1 : char === ')' ? -1 : 0;
      deepest = Math.max(deepest, depth);
    }
    expect(deepest).toBeLessThanOrEqual(1);
    expect(check.text).not.toMatch(/\.\s/);
  });
});
