// Refuses a cache directory that other users could write to: a lock there could be faked or removed.
import { stat } from 'node:fs/promises';
import { KubeLoginError, describe } from '../errors.js';

/**
 * Checks that `dir` is a directory owned by this user with no group or other permissions (0700),
 * as kube-login creates it. POSIX only: on Windows the profile folder's ACL protects it.
 */
export async function verifyPrivateDir(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    throw new KubeLoginError('cache', `use the token cache directory ${dir}`, describe(error), {
      fix: 'check the path, or pass --token-cache-dir',
      cause: error,
    });
  }
  if (!info.isDirectory()) {
    throw new KubeLoginError('cache', `use the token cache directory ${dir}`, 'it is not a directory', { fix: 'pass --token-cache-dir with a directory of your own' });
  }
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  const uid = process.getuid();
  if (info.uid !== uid) {
    throw new KubeLoginError('cache', `use the token cache directory ${dir}`, `it belongs to uid ${info.uid}, not to you (uid ${uid}); a lock there is not private`, {
      fix: 'pass --token-cache-dir with a directory of your own (kube-login creates it with mode 0700)',
    });
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KubeLoginError('cache', `use the token cache directory ${dir}`, `its mode is 0${mode.toString(8)}, so other users can reach it; kube-login keeps tokens and locks only in a private (0700) directory`, {
      fix: `run \`chmod 700 ${dir}\`, or pass another --token-cache-dir`,
    });
  }
}
