// The kube-apiserver `--oidc-*` arguments for a mapping (SPECS.md B.1), as name/value pairs.
import type { OidcMapping } from './oidc-mapping.js';
import { usernamePrefixFlagValue } from './username-prefix.js';

/** One kube-apiserver argument without its leading `--`; names may repeat (`oidc-required-claim`). */
export interface ApiserverArg {
  readonly name: string;
  readonly value: string;
}

/**
 * The `--oidc-*` arguments. Every default is written out (username claim, prefix, algorithms) so the
 * result does not depend on the apiserver's defaulting; `caPath` is where kube-apiserver reads the CA.
 */
export function oidcFlagArgs(mapping: OidcMapping, caPath: string | undefined): ApiserverArg[] {
  const args: ApiserverArg[] = [
    { name: 'oidc-issuer-url', value: mapping.issuerUrl },
    // The flags take exactly one client ID; formats refuse several before calling this.
    { name: 'oidc-client-id', value: mapping.audiences[0] ?? '' },
    { name: 'oidc-username-claim', value: mapping.username.claim },
    { name: 'oidc-username-prefix', value: usernamePrefixFlagValue(mapping.username) },
  ];
  if (mapping.groups) {
    args.push({ name: 'oidc-groups-claim', value: mapping.groups.claim });
    if (mapping.groups.prefix !== '') args.push({ name: 'oidc-groups-prefix', value: mapping.groups.prefix });
  }
  for (const required of mapping.requiredClaims) {
    args.push({ name: 'oidc-required-claim', value: `${required.claim}=${required.value}` });
  }
  args.push({ name: 'oidc-signing-algs', value: mapping.signingAlgs.join(',') });
  if (caPath !== undefined) args.push({ name: 'oidc-ca-file', value: caPath });
  return args;
}

/** `--name=value`. */
export function formatArg(arg: ApiserverArg): string {
  return `--${arg.name}=${arg.value}`;
}
