// RBAC subjects from claim values or from a real ID token, with the prefixes the mapping applies.
import { KubeLoginError } from '../errors.js';
import type { GroupsRule, UsernameRule } from './claim-mapping-rules.js';
import type { Notice } from './notice.js';
import { note, warning } from './notice.js';
import type { RbacSubject } from './rbac-binding.js';
import { mapGroups, mapUsername } from './user-mapping.js';

/** The rules subjects need: the username rule only when users are bound. */
export interface SubjectRules {
  readonly username: UsernameRule | undefined;
  readonly groups: GroupsRule | undefined;
}

/** Subjects plus the raw claim values they came from (for the default binding name). */
export interface DerivedSubjects {
  readonly subjects: RbacSubject[];
  readonly rawNames: string[];
  readonly notices: Notice[];
}

/**
 * `--user VALUE` and `--group VALUE` are claim values as the provider puts them in the token;
 * kube-apiserver prepends the prefixes, so the subjects carry them. A value that already starts with
 * the prefix is most likely given twice, hence the warning.
 */
export function subjectsFromClaimValues(rules: SubjectRules, users: readonly string[], groups: readonly string[]): DerivedSubjects {
  const subjects: RbacSubject[] = [];
  const notices: Notice[] = [];
  for (const user of users) {
    const { username } = rules;
    if (!username) throw new KubeLoginError('internal', `bind the user ${JSON.stringify(user)}`, 'no username rule was resolved');
    const name = username.prefix + user;
    if (username.prefix !== '' && user.startsWith(username.prefix)) {
      notices.push(warning(`--user ${user} already starts with the username prefix ${JSON.stringify(username.prefix)}, so the subject is ${JSON.stringify(name)}`, `pass the raw ${username.claim} claim value: --user ${user.slice(username.prefix.length)}`));
    }
    subjects.push({ kind: 'User', name });
  }
  for (const group of groups) {
    if (!rules.groups) {
      throw new KubeLoginError('usage', `bind the group ${JSON.stringify(group)}`, 'no --groups-claim was given, so kube-apiserver maps no groups from the token', {
        fix: 'pass the same --groups-claim (and --groups-prefix) as the API server configuration',
      });
    }
    const name = rules.groups.prefix + group;
    if (rules.groups.prefix !== '' && group.startsWith(rules.groups.prefix)) {
      notices.push(warning(`--group ${group} already starts with the groups prefix ${JSON.stringify(rules.groups.prefix)}, so the subject is ${JSON.stringify(name)}`, `pass the raw group value: --group ${group.slice(rules.groups.prefix.length)}`));
    }
    subjects.push({ kind: 'Group', name });
  }
  return { subjects, rawNames: [...users, ...groups], notices };
}

/**
 * The user subject from a real ID token's claims, mapped exactly as kube-apiserver would (the same
 * code as --check-token). The token's groups are listed, not bound: binding every group a person
 * belongs to is rarely least privilege, so each group to bind is named with --group.
 */
export function subjectsFromToken(rules: { readonly username: UsernameRule; readonly groups: GroupsRule | undefined }, claims: Record<string, unknown>, groupsToBind: readonly string[]): DerivedSubjects {
  const username = mapUsername(rules, claims);
  if (!username.ok) {
    throw new KubeLoginError('check-failed', 'derive the username from the token', username.reason, {
      fix: `check --username-claim (the token has: ${Object.keys(claims).sort().join(', ')})`,
    });
  }
  const tokenGroups = mapGroups(rules, claims);
  if (!tokenGroups.ok) throw new KubeLoginError('check-failed', 'derive the groups from the token', tokenGroups.reason, { fix: 'check --groups-claim' });
  const fromValues = subjectsFromClaimValues(rules, [], groupsToBind);
  const notices: Notice[] = [...fromValues.notices];
  notices.push(note(`the token maps to the user ${JSON.stringify(username.value)}${rules.groups ? ` with the groups [${tokenGroups.value.join(' ')}]` : ''}`));
  for (const subject of fromValues.subjects) {
    if (!tokenGroups.value.includes(subject.name)) {
      notices.push(warning(`the token's holder is not in the group ${JSON.stringify(subject.name)}`, `the token's groups are [${tokenGroups.value.join(' ')}]`));
    }
  }
  return {
    subjects: [{ kind: 'User', name: username.value }, ...fromValues.subjects],
    rawNames: [typeof claims[rules.username.claim] === 'string' ? String(claims[rules.username.claim]) : username.value, ...groupsToBind],
    notices,
  };
}
