// Warnings for bindings that grant more than intended (least privilege, SPECS.md E).
import type { BindingSpec } from './rbac-binding.js';
import { type Notice, note, warning } from './notice.js';

/** What a system group means, for the warning text. */
const SYSTEM_GROUP_MEANING: Readonly<Record<string, string>> = {
  'system:authenticated': 'every authenticated user, of every authenticator',
  'system:unauthenticated': 'every anonymous request',
  'system:masters': 'a group that bypasses RBAC entirely',
  'system:serviceaccounts': 'every service account',
};

/** Warnings for cluster-admin, wildcards and `system:` subjects; a note for cluster-wide bindings. */
export function bindingNotices(spec: BindingSpec): Notice[] {
  const notices: Notice[] = [];
  const role = spec.roleRef.name;
  if (role === 'cluster-admin') {
    const users = spec.subjects.filter((subject) => subject.kind === 'User');
    notices.push(warning(
      `this binds cluster-admin (every verb on every resource${spec.clusterWide ? ' in every namespace' : ' in the namespace, including its RBAC'})`,
      'keep cluster-admin for one break-glass group; give everyone else namespaced Roles or the view/edit ClusterRoles in a RoleBinding',
    ));
    if (users.length > 0) {
      notices.push(warning(`cluster-admin is bound to individual users (${users.map((user) => user.name).join(', ')})`, 'bind it to a break-glass group instead, so access is granted and revoked at the provider'));
    }
  }
  if (role.includes('*')) {
    notices.push(warning(`the role name ${JSON.stringify(role)} contains "*": RBAC has no wildcard role references, the name is taken literally`, 'name one role'));
  }
  for (const subject of spec.subjects) {
    if (subject.name.includes('*')) {
      notices.push(warning(`the ${subject.kind.toLowerCase()} ${JSON.stringify(subject.name)} contains "*": RBAC subjects have no wildcards, the name is matched literally`, 'list each user or group'));
    }
    if (subject.name.startsWith('system:')) {
      const meaning = SYSTEM_GROUP_MEANING[subject.name];
      notices.push(warning(
        `the ${subject.kind.toLowerCase()} ${JSON.stringify(subject.name)} is a Kubernetes system identity${meaning ? ` (${meaning})` : ''}, not one of your provider's`,
        'bind the prefixed provider group instead (for example oidc:developers)',
      ));
    }
  }
  if (spec.clusterWide && role !== 'cluster-admin') {
    notices.push(note(`a ClusterRoleBinding grants ${role} in every namespace; a RoleBinding per namespace (the default without --cluster-wide) is least privilege`));
  }
  return notices;
}
