// The one place where errors become exit codes and the text a person reads on stderr.
import { type ErrorCode, KubeLoginError, describe } from '../errors.js';

/** Exit code for each error code; documented in docs/usage.md#exit-codes. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  usage: 2,
  'exec-info': 2,
  'provider-unreachable': 3,
  tls: 3,
  'provider-rejected': 4,
  'token-invalid': 4,
  'login-timeout': 5,
  'login-cancelled': 130,
  'login-denied': 5,
  'login-required': 6,
  'port-in-use': 7,
  browser: 7,
  cache: 8,
  keychain: 8,
  'lock-timeout': 9,
  kubeconfig: 10,
  'check-failed': 11,
  internal: 70,
};

/** Converts anything thrown into a KubeLoginError (unknown errors are bugs: code `internal`). */
export function toKubeLoginError(value: unknown): KubeLoginError {
  if (value instanceof KubeLoginError) return value;
  return new KubeLoginError('internal', 'finish', describe(value), {
    cause: value,
    fix: 'this is a bug in kube-login; run again with -v and report the output',
  });
}

/** The stderr text for an error: one line, the fix, and with verbose output the cause chain and stack. */
export function formatError(error: KubeLoginError, verbose: boolean): string {
  const lines = [`kube-login: ${error.message}`];
  if (error.fix) lines.push(`  fix: ${error.fix}`);
  if (verbose) {
    let cause: unknown = error.cause;
    while (cause !== undefined) {
      lines.push(`  cause: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (error.stack) lines.push(`  at: ${error.stack.split('\n').slice(1).join('\n')}`);
  }
  return lines.join('\n') + '\n';
}

/** The exit code for an error. */
export function exitCodeOf(error: KubeLoginError): number {
  return EXIT_CODES[error.code];
}
