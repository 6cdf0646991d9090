// The get-token flags, declared once: commander registers them and the cache-hit fast path parses them.
// Names follow int128/kubelogin's get-token so that its kubeconfigs work by changing only the command.

/**
 * How a flag takes its value, mirroring kubelogin's pflag types: `list` repeats and splits on
 * commas (StringSlice), `array` repeats without splitting (StringArray), `map` repeats and takes
 * `key=value` pairs (StringToString: one `=` keeps the value whole, more split on commas).
 */
export type FlagKind = 'string' | 'list' | 'array' | 'map' | 'boolean';

/** One get-token flag. */
export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly short?: string;
  readonly valueName?: string;
  readonly description: string;
  /** Whether the value is a secret that must never be echoed (it is still accepted, as kubelogin does). */
  readonly secret?: boolean;
}

/** Every get-token flag, in help order. */
export const GET_TOKEN_FLAGS: readonly FlagSpec[] = [
  { name: 'oidc-issuer-url', kind: 'string', valueName: 'url', description: 'issuer URL of the provider (required)' },
  { name: 'oidc-client-id', kind: 'string', valueName: 'id', description: 'client ID registered at the provider (required)' },
  { name: 'oidc-client-secret', kind: 'string', valueName: 'secret', description: 'client secret, for confidential clients (other local users see it in ps: prefer the file flag or KUBE_LOGIN_OIDC_CLIENT_SECRET)', secret: true },
  { name: 'oidc-client-secret-file', kind: 'string', valueName: 'file', description: 'file holding the client secret (one trailing newline is ignored); else KUBE_LOGIN_OIDC_CLIENT_SECRET is read' },
  { name: 'oidc-extra-scope', kind: 'list', valueName: 'scope', description: 'scope to request besides openid (repeatable or comma-separated)' },
  { name: 'oidc-auth-request-extra-params', kind: 'map', valueName: 'key=value', description: 'extra authorization request parameter (repeatable)' },
  { name: 'oidc-redirect-url-hostname', kind: 'string', valueName: 'host', description: 'hostname of the loopback redirect URI (default: localhost)' },
  { name: 'oidc-use-access-token', kind: 'boolean', description: 'send the access token to the cluster instead of the ID token' },
  { name: 'grant-type', kind: 'string', valueName: 'type', description: 'auto | authcode | authcode-keyboard | device-code | password | client-credentials' },
  { name: 'listen-address', kind: 'list', valueName: 'host:port', description: 'loopback address for the redirect, tried in order (default: 127.0.0.1:8000, 127.0.0.1:18000)' },
  { name: 'browser-command', kind: 'string', valueName: 'cmd', description: 'command that opens the URL (given as its last argument)' },
  { name: 'skip-open-browser', kind: 'boolean', description: 'only print the URL; do not open a browser' },
  { name: 'authentication-timeout-sec', kind: 'string', valueName: 'seconds', description: 'how long to wait for the login (default: 180)' },
  { name: 'username', kind: 'string', valueName: 'name', description: 'username for the password grant' },
  { name: 'password', kind: 'string', valueName: 'password', description: 'password for the password grant (prompted when omitted)', secret: true },
  { name: 'no-login', kind: 'boolean', description: 'never start a login; fail when no valid or refreshable token is cached' },
  { name: 'token-cache-dir', kind: 'string', valueName: 'dir', description: 'token cache directory (default: ~/.kube/cache/kube-login)' },
  { name: 'token-cache-storage', kind: 'string', valueName: 'kind', description: 'auto | keyring | disk | none (default: auto)' },
  { name: 'certificate-authority', kind: 'array', valueName: 'file', description: 'PEM file of a CA to trust for the provider, added to the system roots (repeatable)' },
  { name: 'certificate-authority-data', kind: 'array', valueName: 'base64', description: 'base64 PEM of a CA to trust for the provider (repeatable)' },
  { name: 'insecure-skip-tls-verify', kind: 'boolean', description: 'do not verify the provider certificate (insecure)' },
  { name: 'force-refresh', kind: 'boolean', description: 'refresh or log in even if the cached token is valid' },
  { name: 'verbose', short: 'v', kind: 'boolean', description: 'print debug output and stack traces' },
];

/** kubelogin flags that kube-login deliberately does not take, with what to do instead. */
export const UNSUPPORTED_KUBELOGIN_FLAGS: Readonly<Record<string, string>> = {
  'oidc-use-pkce': 'kube-login always uses PKCE S256 (RFC 7636); remove the flag',
  'oidc-pkce-method': 'kube-login always uses PKCE S256 (RFC 7636); remove the flag',
  'oidc-redirect-url': 'use --listen-address and --oidc-redirect-url-hostname',
  'listen-port': 'use --listen-address 127.0.0.1:PORT',
  'local-server-cert': 'kube-login serves the loopback redirect over plain http, as RFC 8252 section 8.3 allows; remove the flag',
  'local-server-key': 'kube-login serves the loopback redirect over plain http, as RFC 8252 section 8.3 allows; remove the flag',
  'open-url-after-authentication': 'kube-login shows its own success page; remove the flag',
  'tls-renegotiation': 'TLS renegotiation is not supported by Node.js; remove the flag',
  'force-keyring': 'use --token-cache-storage keyring',
  'no-keyring': 'use --token-cache-storage disk',
  'token-exchange-resource': 'the token-exchange grant is not supported',
  'oidc-redirect-url-authcode-keyboard': 'the authcode-keyboard grant redirects to the loopback URI of --oidc-redirect-url-hostname and the first --listen-address (http://localhost:8000/ by default); remove the flag',
};

/** Raw get-token flag values as given on the command line, before validation. */
export interface RawGetTokenFlags {
  strings: Partial<Record<string, string>>;
  lists: Partial<Record<string, string[]>>;
  booleans: Partial<Record<string, boolean>>;
}

/** Splits a list flag value on commas, as pflag's StringSlice does; empty items are dropped. */
export function splitListValue(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Splits a map flag value as pflag's StringToString does: one `=` keeps it whole (quotes trimmed). */
export function splitMapValue(value: string): string[] {
  const equals = value.split('=').length - 1;
  if (equals <= 1) return [value.replace(/^"+|"+$/g, '')];
  return splitListValue(value);
}

/** The values one occurrence of a flag contributes, by the flag's kind. */
export function flagValues(kind: Exclude<FlagKind, 'boolean' | 'string'>, value: string): string[] {
  if (kind === 'list') return splitListValue(value);
  if (kind === 'map') return splitMapValue(value);
  return [value];
}
