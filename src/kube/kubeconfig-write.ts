// Writes planned kubeconfig changes: every target checked first, then each file replaced atomically.
import { type AtomicWriteResult, checkWritable, writeFileAtomic } from './backup-and-replace.js';
import { checkKubeconfigLinkForRoot } from './kubeconfig-link-check.js';
import type { KubeconfigChange } from './kubeconfig-plan.js';

/** What was written for one file. */
export interface WrittenKubeconfig extends AtomicWriteResult {
  /** The path as listed (--kubeconfig or KUBECONFIG), before following symlinks. */
  readonly listedPath: string;
}

/**
 * Writes the changes. All targets are checked for writability before the first write, so a
 * read-only second file does not leave the first one half-updated. Each file keeps its mode, gets a
 * timestamped backup, and is refused if it changed on disk since it was read.
 */
export async function writeKubeconfigChanges(
  changes: readonly KubeconfigChange[],
  options: { readonly now: Date },
): Promise<WrittenKubeconfig[]> {
  for (const change of changes) {
    await checkKubeconfigLinkForRoot(change.path);
    await checkWritable(change.path, 'kubeconfig');
  }
  const written: WrittenKubeconfig[] = [];
  for (const change of changes) {
    const result = await writeFileAtomic(change.path, change.after, {
      now: options.now,
      newFileMode: 0o600,
      backup: true,
      expectedText: change.before,
      what: 'kubeconfig',
    });
    written.push({ ...result, listedPath: change.path });
  }
  return written;
}
