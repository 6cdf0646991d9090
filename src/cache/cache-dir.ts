// The cache directory: `~/.kube/cache/kube-login` unless --token-cache-dir says otherwise.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { expandHome } from '../platform/expand-home.js';

/** The default cache directory, under the user's home as kubectl's own caches are. */
export function defaultCacheDir(home: string = homedir()): string {
  return join(home, '.kube', 'cache', 'kube-login');
}

/** Resolves a --token-cache-dir value (undefined or empty means the default). */
export function resolveCacheDir(value: string | undefined, home: string = homedir()): string {
  return value === undefined || value === '' ? defaultCacheDir(home) : expandHome(value, home);
}
