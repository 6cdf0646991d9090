// One doctor check: a mark (✓ ✗ ! -), one line saying what was found, and the fix for a ✗ or a !.

/** ✓ pass, ✗ fail (doctor exits 11), ! warning, - skipped (an earlier check failed or nothing to check). */
export type Mark = 'pass' | 'fail' | 'warn' | 'skip';

/** What each check is about; stable names for tests and scripts. */
export type CheckId =
  | 'kubeconfig'
  | 'exec-command'
  | 'exec-api-version'
  | 'exec-interactive-mode'
  | 'exec-env'
  | 'exec-args'
  | 'proxy'
  | 'provider'
  | 'clock-skew'
  | 'keychain'
  | 'cached-token'
  | 'token-issuer'
  | 'token-audience'
  | 'token-signature'
  | 'refresh-token'
  | 'refresh'
  | 'access-token-mode'
  | 'listen-address'
  | 'cluster'
  | 'username'
  | 'groups';

/** One check's outcome. */
export interface DoctorCheck {
  readonly id: CheckId;
  readonly mark: Mark;
  readonly text: string;
  /** What to do: shown under a ✗ or a !. */
  readonly fix?: string;
  /** Further lines worth knowing on any mark, e.g. how RBAC must name the user. */
  readonly notes?: readonly string[];
}

type Extra = { fix?: string | undefined; notes?: readonly string[] | undefined };

function make(id: CheckId, mark: Mark, text: string, extra: Extra = {}): DoctorCheck {
  return {
    id,
    mark,
    text,
    ...(extra.fix === undefined ? {} : { fix: extra.fix }),
    ...(extra.notes === undefined || extra.notes.length === 0 ? {} : { notes: extra.notes }),
  };
}

/** A passed check. */
export const pass = (id: CheckId, text: string, notes?: readonly string[]): DoctorCheck => make(id, 'pass', text, { notes });
/** A failed check, with its fix. */
export const fail = (id: CheckId, text: string, fix: string, notes?: readonly string[]): DoctorCheck => make(id, 'fail', text, { fix, notes });
/** A warning, with what to do about it. */
export const warn = (id: CheckId, text: string, fix?: string, notes?: readonly string[]): DoctorCheck => make(id, 'warn', text, { fix, notes });
/** A check that could not run, and why. */
export const skip = (id: CheckId, text: string): DoctorCheck => make(id, 'skip', text);

const MARKS: Readonly<Record<Mark, string>> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

/** The stderr lines of a check: `✓ text`, then `    note` and `    fix: …`. */
export function formatCheck(check: DoctorCheck): string {
  const lines = [`${MARKS[check.mark]} ${check.text}`];
  for (const note of check.notes ?? []) lines.push(`    ${note}`);
  if (check.fix !== undefined && (check.mark === 'fail' || check.mark === 'warn')) lines.push(`    fix: ${check.fix}`);
  return lines.join('\n');
}

/** The closing line: how many checks passed, warned, failed and were skipped. */
export function summarize(checks: readonly DoctorCheck[]): string {
  const count = (mark: Mark): number => checks.filter((check) => check.mark === mark).length;
  const parts = [`${count('pass')} passed`];
  if (count('warn') > 0) parts.push(`${count('warn')} warning${count('warn') === 1 ? '' : 's'}`);
  parts.push(`${count('fail')} failed`);
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  return `kube-login doctor: ${parts.join(', ')}`;
}
