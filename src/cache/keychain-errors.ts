// Turns what an OS keychain throws into one KubeLoginError('keychain') line with a fix.
// @napi-rs/keyring gives every failure `code: 'GenericFailure'`, so only the message tells them apart
// (the messages matched here were observed on Debian 12, and come from keyring-rs on macOS/Windows).
import { KubeLoginError, describe } from '../errors.js';
import { CHUNK_CHARS } from './keychain-chunks.js';

const DISK_FIX = 'or pass --token-cache-storage disk to keep tokens in a 0600 file instead';

interface Known {
  test: RegExp;
  reason: (env: NodeJS.ProcessEnv) => string;
  fix: string;
}

const KNOWN: readonly Known[] = [
  {
    // The module has no prebuilt binary for this platform, or the install is broken.
    test: /Cannot find (module|native binding)|Failed to load native binding|NODE_MODULE_VERSION|ERR_DLOPEN_FAILED/i,
    reason: () => `the keychain module @napi-rs/keyring cannot be loaded on ${process.platform}-${process.arch}`,
    fix: `reinstall kube-login, ${DISK_FIX}`,
  },
  {
    test: /DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to (socket|address)|Connection refused|dbus-daemon/i,
    reason: (env) =>
      env['DBUS_SESSION_BUS_ADDRESS']
        ? 'the D-Bus session bus named by DBUS_SESSION_BUS_ADDRESS does not answer'
        : 'there is no D-Bus session bus to reach the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set)',
    fix: `run kube-login in a desktop session, or start one with \`dbus-run-session\` and an unlocked gnome-keyring, ${DISK_FIX}`,
  },
  {
    test: /ServiceUnknown|not provided by any \.service files|NameHasNoOwner|org\.freedesktop\.secrets/i,
    reason: () => 'no Secret Service (gnome-keyring, KWallet, KeePassXC) answers on the D-Bus session bus',
    fix: `start one, for example \`gnome-keyring-daemon --start --components=secrets\`, ${DISK_FIX}`,
  },
  {
    test: /IsLocked|is locked|unlock prompt|no result found|prompt was dismissed|interaction is not allowed|-25308/i,
    reason: () => 'the keychain is locked (or has no default collection), and it could not be unlocked without a prompt',
    fix: `unlock your login keyring (log in to the desktop, or run \`gnome-keyring-daemon --unlock\`), ${DISK_FIX}`,
  },
  {
    test: /AccessDenied|access denied|access was denied|not permitted|permission denied|-25293|errSecAuthFailed|user canceled|-128\b|ERROR_ACCESS_DENIED/i,
    reason: () => 'the keychain denied access (AccessDenied)',
    fix: `allow kube-login (node) to use the keychain when it asks, ${DISK_FIX}`,
  },
  {
    test: /too ?long|longer than platform limit|too large|exceeds|CRED_MAX|ERROR_BAD_LENGTH|1783/i,
    reason: () => 'an item is too large for this keychain',
    fix: `pass --token-cache-storage disk, and report this: kube-login splits tokens into items of ${CHUNK_CHARS} characters`,
  },
  {
    test: /ambiguous/i,
    reason: () => 'several keychain items match one kube-login entry (another tool wrote items with the same name)',
    fix: 'run `kube-login clean` to remove every kube-login item, then log in again',
  },
];

/**
 * True when an item vanished between the Secret Service's search and the read or delete of it: a
 * concurrent write deleted an old generation. Observed: `No such interface
 * "org.freedesktop.Secret.Item" on object at path …/collection/login/104`. It means "absent".
 */
export function isVanishedItem(error: unknown): boolean {
  return /No such interface .?org\.freedesktop\.Secret\.Item|UnknownObject|No such object/i.test(describe(error));
}

/** The first line of a lower-layer message, without noise, short enough for one line. */
export function shortMessage(error: unknown): string {
  const line = (describe(error).split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** What a keychain failure means: a reason in our words, the fix, and the lower layer's own first line. */
export interface KeychainFailure {
  reason: string;
  fix: string;
  detail: string;
}

/** Explains a raw keychain error (the message is all there is to go on). */
export function explainKeychainFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): KeychainFailure {
  const detail = shortMessage(error);
  const known = KNOWN.find((candidate) => candidate.test.test(describe(error)));
  if (!known) return { reason: `the OS keychain failed: ${detail}`, fix: 'pass --token-cache-storage disk to keep tokens in a 0600 file instead', detail };
  return { reason: known.reason(env), fix: known.fix, detail };
}

/** The KubeLoginError for a keychain failure while doing `action` ("read the token from the OS keychain", …). */
export function keychainError(action: string, error: unknown, env: NodeJS.ProcessEnv = process.env): KubeLoginError {
  if (error instanceof KubeLoginError) return error;
  const { reason, fix, detail } = explainKeychainFailure(error, env);
  const full = reason.endsWith(detail) ? reason : `${reason} (${detail})`;
  return new KubeLoginError('keychain', action, full, { fix, cause: error });
}
