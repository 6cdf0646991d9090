// `setup` run as root must not follow another user's symbolic link: with HOME pointing at a user's
// home, a link the user planted at ~/.kube/config would choose which file root creates or replaces.
import { lstat, readlink, stat } from 'node:fs/promises';
import { KubeLoginError } from '../errors.js';

/**
 * Refuses, for root only, a kubeconfig path that is a symbolic link owned by another user or one
 * whose target does not exist (a write would create it). Other users can only write what they may
 * write anyway. POSIX only: on Windows `process.getuid` does not exist and nothing is checked.
 */
export async function checkKubeconfigLinkForRoot(path: string, uid: number | undefined = process.getuid?.()): Promise<void> {
  if (uid !== 0) return;
  const link = await lstat(path).catch(() => undefined);
  if (!link?.isSymbolicLink()) return;
  const target = await readlink(path).catch(() => '?');
  const dangling = (await stat(path).catch(() => undefined)) === undefined;
  if (link.uid === uid && !dangling) return;
  const what = link.uid !== uid ? `a symbolic link owned by uid ${link.uid}` : 'a symbolic link';
  throw new KubeLoginError(
    'kubeconfig',
    `use the kubeconfig ${path}`,
    `it is ${what} to ${target}${dangling ? ', which does not exist' : ''}, and kube-login runs as root: following it would let the link choose which file root ${dangling ? 'creates' : 'replaces'}`,
    { fix: `run setup as the user who owns the kubeconfig, or, after checking the link, pass its target with --kubeconfig ${target === '?' ? 'FILE' : target}` },
  );
}
