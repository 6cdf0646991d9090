// Whether the OS keychain works here, judged against --token-cache-storage.
import type { StorageSetting } from '../../config/get-token-input.js';
import { type DoctorCheck, fail, pass, warn } from './check.js';

/** A write-read-delete round trip through the keychain, or why it failed. */
export type KeychainProbe = { ok: true } | { ok: false; reason: string; fix: string | undefined };

/** ✓ when the keychain works or is not wanted (disk, none: not probed); ✗ when `keyring` is asked and it fails; ! when `auto` falls back to a file. */
export function checkKeychain(storage: StorageSetting, probe: KeychainProbe | undefined, cacheDir: string): DoctorCheck {
  if (storage === 'none') return pass('keychain', '--token-cache-storage none: nothing is kept, so every kubectl command logs in or refreshes nothing');
  if (storage === 'disk' || !probe) return pass('keychain', `--token-cache-storage disk: tokens are kept in 0600 files in ${cacheDir}, and the OS keychain is not used`);
  if (probe.ok) {
    return pass('keychain', `the OS keychain works here: tokens are kept in it (--token-cache-storage ${storage})`);
  }
  if (storage === 'keyring') {
    return fail('keychain', `the OS keychain does not work here, and --token-cache-storage keyring requires it: ${probe.reason}`, probe.fix ?? 'pass --token-cache-storage disk');
  }
  // One sentence: the reason may carry its own parentheses, so it is never put inside another pair.
  return warn('keychain', `tokens are kept in 0600 files in ${cacheDir}, not in the OS keychain, because ${probe.reason}`, probe.fix ?? 'pass --token-cache-storage disk to choose files and silence the notice');
}
