// --token-cache-storage against real situations, in fresh processes: no D-Bus session at all, a bus
// with no Secret Service, a locked collection, and a working gnome-keyring.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FALLBACK_NOTICE_MARKER } from '../../../src/cache/select-store.js';
import { childEnv } from '../../support/run-process.js';
import { type KeyringSession, missingKeyringTool, startKeyringSession, warnKeyringSkipped } from '../../support/keyring-session.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { startFixture } from './lock-process.js';
import { DRIVER_KEY, randomToken } from './fixtures/tokens.js';

const DRIVER = 'test/integration/cache/fixtures/store-driver.ts';
const TOKENS = { idToken: `eyJ.${randomToken(400)}.sig`, refreshToken: randomToken(64), idTokenIssuedAt: 1, idTokenExpiresAt: 2 };

/** An environment with no way to reach a D-Bus session bus (no address, no $XDG_RUNTIME_DIR/bus). */
function noBusEnv(): NodeJS.ProcessEnv {
  return childEnv({ DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: undefined, DISPLAY: undefined, TOKENS_JSON: JSON.stringify(TOKENS) });
}

async function select(storage: string, dir: string, env: NodeJS.ProcessEnv) {
  const run = startFixture(DRIVER, ['select', storage, dir], env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('--token-cache-storage without a D-Bus session', () => {
  it('auto keeps tokens on disk and says why once, across runs', async () => {
    const dir = join(makeTempDir('kube-login-select-'), 'cache');
    const first = await select('auto', dir, noBusEnv());
    expect(first).toMatchObject({ code: 0, stdout: 'kind=disk\nread=same\n' });
    expect(first.stderr).toBe(
      `kube-login: tokens are kept in a file in ${dir} (mode 0600), not in the OS keychain, because there is no D-Bus session bus to reach the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set); ` +
        'pass --token-cache-storage disk to choose this and silence this notice, which is shown once per cache directory\n',
    );
    expect(existsSync(join(dir, FALLBACK_NOTICE_MARKER))).toBe(true);
    const second = await select('auto', dir, noBusEnv());
    expect(second).toEqual({ code: 0, stdout: 'kind=disk\nread=same\n', stderr: '' });
    expect(readFileSync(join(dir, `${DRIVER_KEY.id}.json`), 'utf8')).toContain('"storage": "disk"');
  }, 30_000);

  it('keyring fails with one line and the fix, and no stack', async () => {
    const dir = makeTempDir('kube-login-select-');
    const result = await select('keyring', dir, noBusEnv());
    expect(result.code).toBe(8);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'kube-login: could not use the OS keychain: there is no D-Bus session bus to reach the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set) ' +
        '(Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead)\n' +
        '  fix: run kube-login in a desktop session, or start one with `dbus-run-session` and an unlocked gnome-keyring, or pass --token-cache-storage disk to keep tokens in a 0600 file instead\n',
    );
    expect(existsSync(join(dir, FALLBACK_NOTICE_MARKER))).toBe(false);
  }, 30_000);
});

const missing = missingKeyringTool();
if (missing) warnKeyringSkipped('--token-cache-storage tests against gnome-keyring');

describe.skipIf(missing !== undefined)('--token-cache-storage with a D-Bus session', () => {
  const sessions: KeyringSession[] = [];
  const session = async (state: 'unlocked' | 'locked' | 'none') => {
    const started = await startKeyringSession({ state });
    sessions.push(started);
    return { ...started.env, TOKENS_JSON: JSON.stringify(TOKENS) };
  };
  afterAll(async () => {
    for (const started of sessions) await started.stop();
  });

  it('auto uses a working gnome-keyring, silently', async () => {
    const env = await session('unlocked');
    const dir = makeTempDir('kube-login-select-');
    expect(await select('auto', dir, env)).toEqual({ code: 0, stdout: 'kind=keyring\nread=same\n', stderr: '' });
    expect(readFileSync(join(dir, `${DRIVER_KEY.id}.json`), 'utf8')).not.toContain(TOKENS.refreshToken);
  }, 30_000);

  it('keyring fails clearly and auto falls back when no Secret Service answers on the bus', async () => {
    const env = await session('none');
    const dir = makeTempDir('kube-login-select-');
    const keyring = await select('keyring', dir, env);
    expect(keyring.code).toBe(8);
    expect(keyring.stderr).toMatch(/^kube-login: could not use the OS keychain: no Secret Service \(gnome-keyring, KWallet, KeePassXC\) answers on the D-Bus session bus \(.*\)\n  fix: start one, for example `gnome-keyring-daemon --start --components=secrets`, or pass --token-cache-storage disk.*\n$/);
    const auto = await select('auto', dir, env);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toBe('kind=disk\nread=same\n');
    expect(auto.stderr).toMatch(/^kube-login: tokens are kept in a file .* because no Secret Service .* answers on the D-Bus session bus/);
  }, 30_000);

  it('keyring fails clearly and auto falls back when the collection is locked', async () => {
    const env = await session('locked');
    const dir = makeTempDir('kube-login-select-');
    const keyring = await select('keyring', dir, env);
    expect(keyring.code).toBe(8);
    expect(keyring.stderr).toMatch(/^kube-login: could not use the OS keychain: the keychain is locked .*\n  fix: unlock your login keyring .*\n$/);
    const auto = await select('auto', dir, env);
    expect(auto.stdout).toBe('kind=disk\nread=same\n');
    expect(auto.stderr).toMatch(/^kube-login: tokens are kept in a file .* because the keychain is locked/);
    expect((await select('auto', dir, env)).stderr).toBe('');
  }, 30_000);
});
