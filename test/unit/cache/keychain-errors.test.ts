// Every keychain failure becomes one line with a reason and a fix, never a crash or a stack.
import { describe, expect, it } from 'vitest';
import { isVanishedItem, keychainError } from '../../../src/cache/keychain-errors.js';
import { formatError } from '../../../src/cli/exit-codes.js';

// Messages as @napi-rs/keyring 2.1.2 throws them on Debian 12 (see TESTBED), and from keyring-rs elsewhere.
const CASES: Array<{ message: string; env?: NodeJS.ProcessEnv; reason: RegExp; fix: RegExp }> = [
  {
    message: 'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
    env: {},
    reason: /no D-Bus session bus .*DBUS_SESSION_BUS_ADDRESS is not set/,
    fix: /dbus-run-session.*--token-cache-storage disk/,
  },
  {
    message: 'Platform failure: DBus error: Failed to connect to socket /tmp/nonexist: No such file or directory',
    env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/nonexist' },
    reason: /D-Bus session bus named by DBUS_SESSION_BUS_ADDRESS does not answer/,
    fix: /--token-cache-storage disk/,
  },
  {
    message: 'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
    reason: /no Secret Service/,
    fix: /gnome-keyring-daemon/,
  },
  { message: "Couldn't access platform storage: Secret Service: no result found", reason: /locked/, fix: /unlock/ },
  { message: "Couldn't access platform storage: Secret Service: unlock prompt was dismissed", reason: /locked/, fix: /unlock/ },
  { message: 'zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object', reason: /locked/, fix: /unlock/ },
  { message: 'Platform secure storage failure: AccessDenied', reason: /denied access/, fix: /allow/ },
  { message: "Attribute 'password' is longer than platform limit of 1280 chars", reason: /too large/, fix: /--token-cache-storage disk/ },
  { message: 'Entry is matched by 2 credentials: ambiguous', reason: /several keychain items/, fix: /kube-login clean/ },
  { message: "Cannot find module '@napi-rs/keyring-linux-x64-gnu'", reason: /cannot be loaded/, fix: /reinstall/ },
  { message: 'something nobody has seen', reason: /the OS keychain failed: something nobody has seen/, fix: /--token-cache-storage disk/ },
];

describe('keychainError', () => {
  for (const { message, env, reason, fix } of CASES) {
    it(`explains "${message.slice(0, 60)}"`, () => {
      const cause = Object.assign(new Error(`${message}\n    at Entry.setPassword (native)`), { code: 'GenericFailure' });
      const error = keychainError('save the token in the OS keychain', cause, env ?? {});
      expect(error.code).toBe('keychain');
      expect(error.reason).toMatch(reason);
      expect(error.fix).toMatch(fix);
      expect(error.cause).toBe(cause);
      const text = formatError(error, false);
      // One line of error, one line of fix, and no stack.
      expect(text.trimEnd().split('\n')).toHaveLength(2);
      expect(text).not.toMatch(/\bat Entry\b/);
      expect(text.startsWith('kube-login: could not save the token in the OS keychain: ')).toBe(true);
    });
  }

  it('shortens a very long lower-layer message', () => {
    const error = keychainError('read', new Error('x'.repeat(1000)), {});
    expect(error.reason.length).toBeLessThan(250);
  });
});

describe('isVanishedItem', () => {
  it('recognizes an item deleted between search and read (a concurrent write), and nothing else', () => {
    expect(isVanishedItem(new Error('Platform failure: DBus error: No such interface “org.freedesktop.Secret.Item” on object at path /org/freedesktop/secrets/collection/login/104'))).toBe(true);
    expect(isVanishedItem(new Error("Couldn't access platform storage: Secret Service: no result found"))).toBe(false);
  });
});
