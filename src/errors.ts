// The one error type of kube-login, modelled on jose's: a closed set of codes, an action, a cause.

/** Every failure kube-login can report; exit codes are assigned in src/cli/exit-codes.ts only. */
export type ErrorCode =
  | 'usage' // bad flags or arguments
  | 'exec-info' // malformed KUBERNETES_EXEC_INFO from kubectl
  | 'provider-unreachable' // DNS, connection refused, timeout talking to the identity provider
  | 'tls' // the provider's certificate could not be verified
  | 'provider-rejected' // the provider answered with an OAuth error or an unusable response
  | 'token-invalid' // an ID token failed validation (signature, iss, aud, exp, nonce, sub)
  | 'login-timeout' // nobody completed the login in time
  | 'login-cancelled' // Ctrl-C or a signal during a login
  | 'login-denied' // the user or the provider refused the authorization
  | 'login-required' // a login is needed but not allowed here (--no-login, no terminal)
  | 'port-in-use' // no --listen-address could be bound
  | 'browser' // the browser command failed
  | 'cache' // the token cache could not be read or written
  | 'keychain' // the OS keychain failed
  | 'lock-timeout' // another kube-login held the cache lock too long
  | 'kubeconfig' // a kubeconfig could not be read, understood or written
  | 'check-failed' // a configuration check (setup, doctor, apiserver-config) found a problem
  | 'internal'; // a bug: report it

/** Options of a KubeLoginError: the fix to print and the lower-layer error kept as `cause`. */
export interface KubeLoginErrorOptions {
  fix?: string;
  cause?: unknown;
  /** The OAuth `error` code (RFC 6749 section 5.2) when the provider sent one, e.g. `invalid_grant`. */
  oauthError?: string;
}

/** The error type: `kube-login: could not <action>: <reason>` plus an optional fix line. */
export class KubeLoginError extends Error {
  override readonly name = 'KubeLoginError';
  readonly code: ErrorCode;
  readonly action: string;
  readonly reason: string;
  readonly fix: string | undefined;
  readonly oauthError: string | undefined;

  constructor(code: ErrorCode, action: string, reason: string, options: KubeLoginErrorOptions = {}) {
    super(`could not ${action}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.action = action;
    this.reason = reason;
    this.fix = options.fix;
    this.oauthError = options.oauthError;
  }
}

/** True for a KubeLoginError, optionally of one of the given codes. */
export function isKubeLoginError(value: unknown, ...codes: ErrorCode[]): value is KubeLoginError {
  return value instanceof KubeLoginError && (codes.length === 0 || codes.includes(value.code));
}

/** The message of any thrown value, without its stack. */
export function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
