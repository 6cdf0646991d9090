// The planned change of each edited kubeconfig file, and its unified diff for --dry-run.
import { createTwoFilesPatch } from 'diff';
import type { KubeconfigSet } from './kubeconfig-load.js';
import { renderKubeconfig } from './kubeconfig-render.js';

/** One file to write: its original and new text. */
export interface KubeconfigChange {
  readonly path: string;
  /** False when the file is created. */
  readonly exists: boolean;
  /** The original permission bits (new files get 0600). */
  readonly mode: number | undefined;
  readonly before: string;
  readonly after: string;
  /** `patched`: only the changed lines differ from the original; `rendered`: yaml re-rendered the whole file. */
  readonly method: 'patched' | 'rendered';
}

/** The text to write for every file the merge helpers changed (files whose text is unchanged are skipped). */
export function planKubeconfigChanges(set: KubeconfigSet): KubeconfigChange[] {
  const changes: KubeconfigChange[] = [];
  for (const file of set.files) {
    if (!file.changed) continue;
    const rendered = renderKubeconfig(file);
    if (rendered.method === 'unchanged' || rendered.text === file.text) continue;
    changes.push({
      path: file.path,
      exists: file.exists,
      mode: file.mode,
      before: file.text,
      after: rendered.text,
      method: rendered.method,
    });
  }
  return changes;
}

/** Options of renderKubeconfigDiff. */
export interface DiffOptions {
  /** Mask tokens, passwords, keys and client secrets in the diff lines (default true). */
  readonly redact?: boolean;
  readonly context?: number;
}

/** A unified diff (`--- path` / `+++ path`) of the planned changes, secrets masked. */
export function renderKubeconfigDiff(changes: readonly KubeconfigChange[], options: DiffOptions = {}): string {
  const redact = options.redact ?? true;
  return changes
    .map((change) => {
      const patch = createTwoFilesPatch(
        change.exists ? change.path : '/dev/null',
        change.path,
        change.before,
        change.after,
        change.exists ? 'current' : undefined,
        'after kube-login',
        { context: options.context ?? 3 },
      );
      const body = patch.replace(/^(?:Index: .*\n)?=+\n/, '');
      return redact ? redactDiff(body) : body;
    })
    .join('');
}

// Context lines can show neighbouring entries of the user's kubeconfig, and those may hold secrets
// that have nothing to do with us: the diff goes to a terminal or a CI log, so their values are masked.
const SECRET_KEY = /^([-+ ]\s*(?:-\s+)?(?:token|password|client-key-data|client-secret|id-token|refresh-token|access-token|idp-certificate-authority-data)\s*:\s*)(\S.*)$/;
const SECRET_ARG = /(--(?:oidc-client-secret|client-secret)=)(\S+)/g;
const SECRET_ENV_NAME = /^[-+ ]\s*(?:-\s+)?name\s*:\s*\S*(?:SECRET|TOKEN|PASSWORD)\S*\s*$/i;
const ENV_VALUE = /^([-+ ]\s*value\s*:\s*)(\S.*)$/;

/** The diff with secret values replaced by `[redacted]`. */
export function redactDiff(diff: string): string {
  const lines = diff.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    let line = lines[i]!;
    if (line.startsWith('---') || line.startsWith('+++') || line.startsWith('@@')) continue;
    line = line.replace(SECRET_KEY, '$1[redacted]').replace(SECRET_ARG, '$1[redacted]');
    if (SECRET_ENV_NAME.test(line) && i + 1 < lines.length) {
      lines[i + 1] = lines[i + 1]!.replace(ENV_VALUE, '$1[redacted]');
    }
    lines[i] = line;
  }
  return lines.join('\n');
}
