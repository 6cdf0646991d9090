// What the API server says about us (SelfSubjectReview, SPECS.md E) against what the token's claims
// imply, naming outright the commonest causes of "Forbidden": RBAC bindings that name the user without
// the prefix kube-apiserver adds (SPECS.md B.1), and a token without a groups claim (so group bindings
// never match).
import type { ClaimMappingRules } from '../../apiserver/claim-mapping-rules.js';
import { mapGroups, mapUsername } from '../../apiserver/user-mapping.js';
import { type DoctorCheck, fail, pass, warn } from './check.js';

/** What POST selfsubjectreviews gave. */
export type ReviewOutcome =
  | { kind: 'user'; username: string; groups: string[]; apiVersion: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'not-served' }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'tls'; reason: string }
  | { kind: 'error'; status: number; message: string };

const quote = (value: unknown): string => JSON.stringify(value);
const AUTHENTICATED = 'system:authenticated';
const USER_CLAIMS = ['email', 'sub', 'preferred_username', 'upn', 'name', 'oid', 'unique_name'];

/** The claim (and the prefix before its value) that a username is made of; the longest value wins. */
export function inferUsernameClaim(username: string, claims: Record<string, unknown>, preferred?: string): { claim: string; value: string; prefix: string } | undefined {
  const names = [...new Set([...(preferred ? [preferred] : []), ...USER_CLAIMS, ...Object.keys(claims)])];
  let best: { claim: string; value: string; prefix: string } | undefined;
  for (const claim of names) {
    const value = claims[claim];
    if (typeof value !== 'string' || value === '' || !username.endsWith(value)) continue;
    // The claim the user says the API server uses wins; otherwise the longest value explains the most.
    if (claim === preferred) return { claim, value, prefix: username.slice(0, username.length - value.length) };
    if (!best || value.length > best.value.length) best = { claim, value, prefix: username.slice(0, username.length - value.length) };
  }
  return best;
}

/** The groups a claim holds: a string or a list of strings (kube-apiserver's stringOrArray). */
function claimGroups(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/** The common prefix the API server put before every group of the claim, when there is one. */
function groupsPrefix(apiGroups: readonly string[], tokenGroups: readonly string[]): string | undefined {
  const first = tokenGroups[0];
  if (first === undefined) return undefined;
  const match = apiGroups.find((group) => group.endsWith(first));
  if (match === undefined) return undefined;
  const prefix = match.slice(0, match.length - first.length);
  return tokenGroups.every((group) => apiGroups.includes(prefix + group)) ? prefix : undefined;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((item) => b.includes(item));

/** The checks of a SelfSubjectReview: the cluster answered, the username, the groups. */
export function checkReview(
  outcome: ReviewOutcome,
  server: string,
  route: string,
  claims: Record<string, unknown> | undefined,
  expected: { issuerUrl: string; clientId: string; rules: ClaimMappingRules | undefined },
): DoctorCheck[] {
  switch (outcome.kind) {
    case 'unreachable':
      return [warn('cluster', `the cluster at ${server} is not reachable from here (${outcome.reason}; connected ${route}), so what the API server makes of the token was not checked`, 'run doctor where kubectl reaches the cluster')];
    case 'tls':
      return [fail('cluster', `TLS to the API server ${server} failed: ${outcome.reason}`, "check the cluster's certificate-authority (or certificate-authority-data) in the kubeconfig")];
    case 'not-served':
      return [warn('cluster', `the API server ${server} does not serve SelfSubjectReview (Kubernetes 1.28+; beta in 1.27), so the username and groups it gives the token were not checked`, 'compare the token claims above with the API server\'s --oidc-username-claim and --oidc-groups-claim')];
    case 'unauthorized': {
      const detail = outcome.message && outcome.message !== 'Unauthorized' ? ` ("${outcome.message}")` : '';
      return [
        fail(
          'cluster',
          `the API server ${server} rejects the token (401 Unauthorized)${detail}: it does not accept ID tokens of this issuer and client`,
          `configure the API server with --oidc-issuer-url=${expected.issuerUrl} and --oidc-client-id=${expected.clientId} (exactly; \`kube-login apiserver-config\` writes them), make sure it trusts the provider's CA and can reach its JWKS, and check its log for the oidc error`,
        ),
      ];
    }
    case 'forbidden':
      return [warn('cluster', `the API server ${server} knows the token but refuses SelfSubjectReview (403: ${outcome.message})`, 'grant the user the system:basic-user ClusterRole (Kubernetes grants it to every authenticated user by default)')];
    case 'error':
      return [warn('cluster', `the API server ${server} answered SelfSubjectReview with HTTP ${outcome.status}: ${outcome.message}`, 'run `kubectl auth whoami -v=6` for details')];
    case 'user':
      break;
  }
  const checks: DoctorCheck[] = [pass('cluster', `the API server ${server} accepts the token (SelfSubjectReview ${outcome.apiVersion}; connected ${route})`)];
  if (!claims) return checks;
  checks.push(checkUsername(outcome.username, claims, expected.issuerUrl, expected.rules));
  checks.push(checkGroups(outcome.groups, claims, expected.rules));
  return checks;
}

/** The username the API server gives against the claims (and against --username-claim/--username-prefix when given). */
export function checkUsername(username: string, claims: Record<string, unknown>, issuerUrl: string, rules: ClaimMappingRules | undefined): DoctorCheck {
  const inferred = inferUsernameClaim(username, claims, rules?.username.claim);
  const rbac = `RBAC bindings must name User ${quote(username)} exactly`;
  if (rules) {
    const mapped = mapUsername(rules, claims);
    const wanted = rules.username.prefix === '' ? 'no prefix' : `the prefix ${quote(rules.username.prefix)}`;
    if (mapped.ok && mapped.value === username) {
      return pass('username', `the API server calls you ${quote(username)}, as the mapping says (the ${rules.username.claim} claim with ${wanted})`, [rbac]);
    }
    if (!mapped.ok) return fail('username', `with the ${rules.username.claim} claim, kube-apiserver would reject this token: ${mapped.reason}; yet the API server calls you ${quote(username)}`, 'pass the --username-claim the API server really uses');
    if (inferred && inferred.claim === rules.username.claim) {
      return fail(
        'username',
        `username prefix mismatch: the API server calls you ${quote(username)} (the prefix ${quote(inferred.prefix)} + the ${inferred.claim} claim), but the mapping gives ${quote(mapped.value)} (${wanted}); RBAC bindings written for ${quote(mapped.value)} never match, so kubectl gets Forbidden`,
        `bind User ${quote(username)} (kube-login rbac --username-claim ${inferred.claim} --username-prefix ${inferred.prefix === '' ? '-' : inferred.prefix} …), or set the API server's --oidc-username-prefix to ${quote(rules.username.prefix === '' ? '-' : rules.username.prefix)}`,
      );
    }
    if (inferred) {
      return fail(
        'username',
        `username claim mismatch: the API server takes your username from the ${inferred.claim} claim (${quote(username)}), not from ${rules.username.claim}, so the mapping's ${quote(mapped.value)} never matches`,
        `bind User ${quote(username)}, or set the API server's --oidc-username-claim to ${rules.username.claim}`,
      );
    }
    return fail('username', `the API server calls you ${quote(username)}, which is made of no claim of this token; the mapping gives ${quote(mapped.value)}`, 'check which authenticator the API server uses for this token (another webhook or proxy may be in front)');
  }
  if (!inferred) {
    return warn('username', `the API server calls you ${quote(username)}, which is made of no claim of this token`, 'check which authenticator the API server uses for this token', [rbac]);
  }
  const made = `the ${inferred.claim} claim ${quote(inferred.value)}${inferred.prefix === '' ? ' with no prefix' : ` with the prefix ${quote(inferred.prefix)}`}`;
  if (inferred.prefix === `${issuerUrl}#`) {
    return warn(
      'username',
      `the API server calls you ${quote(username)}: ${made}, kube-apiserver's default prefix when --oidc-username-prefix is not set and the claim is not email; a binding for ${quote(inferred.value)} does not match (a username-prefix mismatch, the commonest cause of Forbidden)`,
      `bind User ${quote(username)}, or give the API server --oidc-username-prefix (oidc: is usual; - for none) and bind that`,
    );
  }
  const notes = inferred.prefix === '' ? [rbac] : [`${rbac}, with its prefix: a binding for ${quote(inferred.value)} is a username-prefix mismatch, the commonest cause of Forbidden`];
  return pass('username', `the API server calls you ${quote(username)}: ${made}`, notes);
}

/** The groups the API server gives against the token's groups claim (and --groups-claim/--groups-prefix when given). */
export function checkGroups(reviewGroups: readonly string[], claims: Record<string, unknown>, rules: ClaimMappingRules | undefined): DoctorCheck {
  const apiGroups = reviewGroups.filter((group) => group !== AUTHENTICATED);
  const claim = rules?.groups?.claim ?? 'groups';
  const present = Object.hasOwn(claims, claim);
  const tokenGroups = present ? claimGroups(claims[claim]) : undefined;
  const list = apiGroups.length > 0 ? apiGroups.map(quote).join(', ') : 'none besides system:authenticated';
  const missingClaim = `missing groups claim: the token has no ${quote(claim)} claim, so the API server gives you no groups (${list}) and RoleBindings to groups never match you, a common cause of Forbidden`;
  const missingFix = `request the scope that releases the claim (usually --oidc-extra-scope=groups in the exec args) or add a ${claim} claim to the ID token at the provider; then run \`kube-login logout\` with these flags and log in again`;
  if (rules?.groups) {
    if (!present) return fail('groups', missingClaim, missingFix);
    const mapped = mapGroups(rules, claims);
    if (!mapped.ok) return fail('groups', `kube-apiserver cannot read the ${claim} claim: ${mapped.reason}`, 'make the claim a string or a list of strings at the provider');
    if (sameSet(mapped.value, apiGroups)) return pass('groups', `the API server gives you the groups ${list}, as the mapping says`, ['RoleBindings must name these groups exactly, with their prefix']);
    if (apiGroups.length === 0) {
      return fail('groups', `the API server maps none of the token's groups (${mapped.value.map(quote).join(', ')}): it has no --oidc-groups-claim=${claim}`, `set the API server's --oidc-groups-claim to ${claim} (and --oidc-groups-prefix to ${quote(rules.groups.prefix)})`);
    }
    const prefix = tokenGroups ? groupsPrefix(apiGroups, tokenGroups) : undefined;
    if (prefix !== undefined) {
      return fail(
        'groups',
        `groups prefix mismatch: the API server gives you ${list} (the prefix ${quote(prefix)}), but the mapping gives ${mapped.value.map(quote).join(', ')}; RoleBindings written for those never match`,
        `bind the groups with the prefix ${quote(prefix)}, or set the API server's --oidc-groups-prefix to ${quote(rules.groups.prefix)}`,
      );
    }
    return fail('groups', `the API server gives you ${list}, not the mapping's ${mapped.value.map(quote).join(', ')}`, "compare the API server's --oidc-groups-claim and --oidc-groups-prefix with --groups-claim and --groups-prefix");
  }
  if (!present) {
    if (apiGroups.length > 0) return pass('groups', `the API server gives you the groups ${list} (not from a groups claim in the token)`);
    return warn('groups', missingClaim, missingFix);
  }
  if (!tokenGroups) return warn('groups', `the token's ${claim} claim is ${quote(claims[claim])}, neither a string nor a list of strings: kube-apiserver rejects such a token`, 'make the claim a list of strings at the provider');
  if (apiGroups.length === 0) {
    return warn(
      'groups',
      `the API server maps none of the token's groups (${tokenGroups.map(quote).join(', ')}): it has no --oidc-groups-claim, so RoleBindings to these groups never match you`,
      `set the API server's --oidc-groups-claim=${claim} (and --oidc-groups-prefix, e.g. oidc:)`,
    );
  }
  const prefix = groupsPrefix(apiGroups, tokenGroups);
  if (prefix === undefined) return pass('groups', `the API server gives you the groups ${list}`, ['RoleBindings must name these groups exactly']);
  const made = prefix === '' ? 'the groups claim with no prefix' : `the groups claim with the prefix ${quote(prefix)}`;
  return pass('groups', `the API server gives you the groups ${list}: ${made}`, [prefix === '' ? 'RoleBindings must name these groups exactly' : `RoleBindings must name these groups with the prefix ${quote(prefix)}`]);
}
