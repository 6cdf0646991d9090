// What setup shows about the test login's ID token: the claims that matter, and the user and groups
// exactly as kube-apiserver will map them (the same code as `apiserver-config --check-token`).
import type { ClaimMappingRules } from '../../apiserver/claim-mapping-rules.js';
import { mapGroups, mapUsername } from '../../apiserver/user-mapping.js';

/** The user as kube-apiserver's OIDC authenticator would produce it, or why it would reject the token. */
export interface MappedUser {
  readonly username: string | undefined;
  /** Groups from the token, prefixed; without `system:authenticated`. */
  readonly groups: readonly string[];
  /** kube-apiserver's own message when it would reject the token. */
  readonly rejection: string | undefined;
  readonly warnings: readonly string[];
}

/** The claim lines: iss, sub, aud, email, email_verified, the groups claim and the expiry. */
export function claimLines(claims: Readonly<Record<string, unknown>>, groupsClaim: string, nowMs: number): string[] {
  const rows: Array<[string, string]> = [];
  for (const name of ['iss', 'sub', 'aud', 'email', 'email_verified', groupsClaim]) {
    rows.push([name, Object.hasOwn(claims, name) ? JSON.stringify(claims[name]) : '(not in the token)']);
  }
  const exp = claims['exp'];
  if (typeof exp === 'number') {
    const minutes = Math.round((exp * 1000 - nowMs) / 60_000);
    rows.push(['exp', `${new Date(exp * 1000).toISOString()} (${minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`})`]);
  } else {
    rows.push(['exp', '(not in the token: kube-apiserver rejects a token without exp)']);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
}

/** Maps the claims with the rules; missing or unusable claims become warnings with the fix. */
export function mapTokenUser(rules: ClaimMappingRules, claims: Record<string, unknown>): MappedUser {
  const warnings: string[] = [];
  const username = mapUsername(rules, claims);
  if (!username.ok) {
    warnings.push(`kube-apiserver would reject this token: ${username.reason}\n  fix: ${usernameFix(rules, claims)}`);
  }
  const groups = mapGroups(rules, claims);
  if (!groups.ok) warnings.push(`kube-apiserver would reject this token: ${groups.reason}\n  fix: use a --groups-claim that holds a string or a list of strings`);
  if (rules.groups && !Object.hasOwn(claims, rules.groups.claim)) {
    warnings.push(`the token has no ${JSON.stringify(rules.groups.claim)} claim, so kube-apiserver maps no groups\n  fix: request the scope that carries it (often --oidc-extra-scope groups) or add the claim to the ID token at the provider`);
  }
  if (!rules.groups && Array.isArray(claims['groups'])) {
    warnings.push('the token has a "groups" claim that is not mapped\n  fix: pass --groups-claim groups (and --groups-prefix oidc:) to give RBAC the groups');
  }
  return {
    username: username.ok ? username.value : undefined,
    groups: groups.ok ? groups.value : [],
    rejection: username.ok ? (groups.ok ? undefined : groups.reason) : username.reason,
    warnings,
  };
}

function usernameFix(rules: ClaimMappingRules, claims: Record<string, unknown>): string {
  if (rules.username.claim === 'email' && Object.hasOwn(claims, 'email')) {
    return 'verify the email address at the provider, or use another --username-claim (for example sub)';
  }
  const available = Object.entries(claims)
    .filter(([, value]) => typeof value === 'string')
    .map(([name]) => name)
    .sort();
  return `use a --username-claim the token has (string claims: ${available.join(', ')}), or add ${JSON.stringify(rules.username.claim)} to the ID token at the provider`;
}

/** `kubectl auth whoami` shows groups with Go's %v: `[a b system:authenticated]`. */
export function whoamiGroups(groups: readonly string[]): string {
  return `[${[...groups, 'system:authenticated'].join(' ')}]`;
}
