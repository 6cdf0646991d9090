// How ID token claims become a Kubernetes username and groups: the part of the mapping RBAC needs too.
import { KubeLoginError } from '../errors.js';
import { type UsernamePrefix, resolveUsernamePrefix } from './username-prefix.js';

/** The mapping options shared by `apiserver-config` and `rbac`, as typed on the command line. */
export interface ClaimMappingOptions {
  readonly usernameClaim?: string;
  readonly usernamePrefix?: string;
  readonly groupsClaim?: string;
  readonly groupsPrefix?: string;
}

/** The username claim and its effective prefix. */
export type UsernameRule = { readonly claim: string } & UsernamePrefix;

/** The groups claim and its prefix ("" for none). */
export interface GroupsRule {
  readonly claim: string;
  readonly prefix: string;
}

/** The resolved username/groups mapping: every prefix explicit, as the AuthenticationConfiguration needs it. */
export interface ClaimMappingRules {
  readonly username: UsernameRule;
  readonly groups: GroupsRule | undefined;
}

/** kube-apiserver's `--oidc-username-claim` default (WithOIDC()). */
export const DEFAULT_USERNAME_CLAIM = 'sub';

/** The prefix Kubernetes reserves for its own users and groups (RBAC docs: "reserved for Kubernetes system use"). */
export const SYSTEM_PREFIX = 'system:';

/** Resolves both rules (see resolveUsernameRule and resolveGroupsRule). */
export function resolveClaimMappingRules(options: ClaimMappingOptions, issuerUrl: string | undefined): ClaimMappingRules {
  const groups = resolveGroupsRule(options);
  return { username: resolveUsernameRule(options, issuerUrl), groups };
}

/** The username rule; refuses a `system:` prefix. `issuerUrl` is needed only for the `<issuer>#` default. */
export function resolveUsernameRule(options: ClaimMappingOptions, issuerUrl: string | undefined): UsernameRule {
  refuseSystemPrefix('--username-prefix', options.usernamePrefix);
  const claim = nonEmpty(options.usernameClaim) ?? DEFAULT_USERNAME_CLAIM;
  return { claim, ...resolveUsernamePrefix(claim, options.usernamePrefix, issuerUrl) };
}

/** The groups rule, or undefined without --groups-claim; refuses a `system:` prefix or a prefix without a claim. */
export function resolveGroupsRule(options: ClaimMappingOptions): GroupsRule | undefined {
  refuseSystemPrefix('--groups-prefix', options.groupsPrefix);
  const claim = nonEmpty(options.groupsClaim);
  if (claim === undefined && nonEmpty(options.groupsPrefix) !== undefined) {
    throw new KubeLoginError('usage', 'read --groups-prefix', 'a groups prefix was given without --groups-claim', {
      fix: 'pass --groups-claim NAME (the claim that holds the groups), or drop --groups-prefix',
    });
  }
  return claim === undefined ? undefined : { claim, prefix: options.groupsPrefix ?? '' };
}

function refuseSystemPrefix(flag: string, value: string | undefined): void {
  if (value !== undefined && value.startsWith(SYSTEM_PREFIX)) {
    throw new KubeLoginError('usage', `use ${JSON.stringify(value)} as ${flag}`, `the ${SYSTEM_PREFIX} prefix is reserved for Kubernetes system users and groups, so provider identities must never get it`, {
      fix: `choose a prefix of your own, for example ${flag} oidc:`,
    });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
