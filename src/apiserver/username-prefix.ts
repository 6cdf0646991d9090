// The username prefix rule of the `--oidc-*` flags (SPECS.md B.1, `ToAuthenticationConfig`).
import { KubeLoginError } from '../errors.js';

/** Where the effective username prefix came from: it decides how each format writes it. */
export type UsernamePrefixSource =
  | 'explicit' // --username-prefix VALUE
  | 'disabled' // --username-prefix - (the flag's "no prefix" value)
  | 'email-default' // no prefix given and the claim is `email`: the flags add none
  | 'issuer-default'; // no prefix given and the claim is not `email`: the flags add `<issuer>#`

/** The prefix kube-apiserver will put in front of every username, and why. */
export interface UsernamePrefix {
  readonly prefix: string;
  readonly source: UsernamePrefixSource;
}

/**
 * Applies kube-apiserver's rule exactly: `""` with a claim other than `email` means `<issuer-url>#`,
 * `""` with `email` means none, `-` means none, anything else is used verbatim.
 */
export function resolveUsernamePrefix(claim: string, flagValue: string | undefined, issuerUrl: string | undefined): UsernamePrefix {
  if (flagValue === '-') return { prefix: '', source: 'disabled' };
  if (flagValue !== undefined && flagValue !== '') return { prefix: flagValue, source: 'explicit' };
  if (claim === 'email') return { prefix: '', source: 'email-default' };
  if (issuerUrl === undefined) {
    throw new KubeLoginError('usage', 'work out the username prefix', `with --username-claim ${claim} and no --username-prefix, kube-apiserver prefixes usernames with "<issuer-url>#", and no issuer was given`, {
      fix: 'pass --oidc-issuer-url (or --from-token), or set --username-prefix explicitly (- for none)',
    });
  }
  return { prefix: `${issuerUrl}#`, source: 'issuer-default' };
}

/** The value to pass as `--oidc-username-prefix` so the flags say exactly what the apiserver will do. */
export function usernamePrefixFlagValue(prefix: UsernamePrefix): string {
  return prefix.prefix === '' ? '-' : prefix.prefix;
}
