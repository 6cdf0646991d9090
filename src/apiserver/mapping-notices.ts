// What a person should know about a mapping before using it: implied prefixes and risky choices.
import type { ClaimMappingRules, GroupsRule, UsernameRule } from './claim-mapping-rules.js';
import { type Notice, note, warning } from './notice.js';

/** Notes and warnings about the username and groups mapping, shared by apiserver-config and rbac. */
export function mappingNotices(rules: ClaimMappingRules): Notice[] {
  return [...usernameNotices(rules.username), ...groupsNotices(rules.groups)];
}

/** The implied `<issuer>#` prefix, the email_verified rule, and unprefixed usernames. */
export function usernameNotices(username: UsernameRule): Notice[] {
  const notices: Notice[] = [];
  if (username.source === 'issuer-default') {
    // SPECS.md B.1: with the flags, "" and a claim other than email means the `<issuer>#` prefix.
    notices.push(note(
      `no --username-prefix with --username-claim ${username.claim}: kube-apiserver's flags prefix every username with ${JSON.stringify(username.prefix)}; kube-login writes that prefix explicitly`,
      'pass --username-prefix oidc: (or - for none) to choose another',
    ));
  }
  if (username.claim === 'email') {
    notices.push(note('with the email claim, kube-apiserver rejects tokens whose email_verified claim is present and not true ("oidc: email not verified")'));
  }
  if (username.prefix === '' && username.claim !== 'email') {
    notices.push(warning(
      `usernames are the raw ${username.claim} claim with no prefix: they can collide with users of other authenticators (certificates, tokens)`,
      'set --username-prefix oidc:',
    ));
  }
  return notices;
}

/** Unprefixed groups can name Kubernetes system groups. */
export function groupsNotices(groups: GroupsRule | undefined): Notice[] {
  if (!groups || groups.prefix !== '') return [];
  // A provider group named system:masters would otherwise be cluster-admin.
  return [warning(
    `groups from the ${groups.claim} claim are used verbatim: a provider group named "system:masters" would grant cluster-admin`,
    'set --groups-prefix oidc: so provider groups can never match Kubernetes system groups',
  )];
}
