// --token-cache-storage resolution, with an in-memory keychain that works or fails on demand.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FALLBACK_NOTICE_MARKER, selectTokenStore } from '../../../src/cache/select-store.js';
import { formatError } from '../../../src/cli/exit-codes.js';
import { KubeLoginError } from '../../../src/errors.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { MemoryKeychain, collectingLogger } from './memory-keychain.js';

const NO_DBUS = 'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead';

function broken(message = NO_DBUS): MemoryKeychain {
  const keychain = new MemoryKeychain();
  keychain.failOn.set = message;
  return keychain;
}

describe('selectTokenStore', () => {
  it('uses the keychain for auto when a round trip works, silently', async () => {
    const dir = makeTempDir('kube-login-select-');
    const { logger, lines } = collectingLogger();
    const keychain = new MemoryKeychain();
    const store = await selectTokenStore({ storage: 'auto', dir, logger, keychain: () => keychain });
    expect(store.kind).toBe('keyring');
    expect(lines).toEqual([]);
    expect(keychain.items.size).toBe(0);
  });

  it('falls back to disk for auto and says so once per cache directory', async () => {
    const dir = makeTempDir('kube-login-select-');
    const { logger, lines } = collectingLogger();
    for (let run = 0; run < 3; run++) {
      const store = await selectTokenStore({ storage: 'auto', dir, logger, keychain: () => broken() });
      expect(store.kind).toBe('disk');
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kube-login: tokens are kept in a file in .* \(mode 0600\), not in the OS keychain, because there is no D-Bus session bus/);
    expect(lines[0]).toContain('--token-cache-storage disk');
    expect(existsSync(join(dir, FALLBACK_NOTICE_MARKER))).toBe(true);
    // Another directory gets its own notice.
    await selectTokenStore({ storage: 'auto', dir: makeTempDir('kube-login-select-'), logger, keychain: () => broken() });
    expect(lines).toHaveLength(2);
  });

  it('prints the notice once when many calls fall back at the same time', async () => {
    const dir = makeTempDir('kube-login-select-');
    const { logger, lines } = collectingLogger();
    await Promise.all(Array.from({ length: 16 }, () => selectTokenStore({ storage: 'auto', dir, logger, keychain: () => broken() })));
    expect(lines).toHaveLength(1);
  });

  it('fails clearly for keyring when the keychain does not work', async () => {
    const dir = makeTempDir('kube-login-select-');
    const { logger, lines } = collectingLogger();
    const error = await selectTokenStore({ storage: 'keyring', dir, logger, keychain: () => broken("Couldn't access platform storage: Secret Service: no result found") }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(formatError(error as KubeLoginError, false)).toMatch(/^kube-login: could not use the OS keychain: the keychain is locked.*\n  fix: unlock your login keyring.*--token-cache-storage disk.*\n$/);
    expect(lines).toEqual([]);
    expect(existsSync(join(dir, FALLBACK_NOTICE_MARKER))).toBe(false);
  });

  it('gives the disk and none stores without touching a keychain', async () => {
    const dir = makeTempDir('kube-login-select-');
    const { logger } = collectingLogger();
    const never = () => {
      throw new Error('the keychain must not be loaded');
    };
    expect((await selectTokenStore({ storage: 'disk', dir, logger, keychain: never })).kind).toBe('disk');
    expect((await selectTokenStore({ storage: 'none', dir, logger, keychain: never })).kind).toBe('none');
  });
});
