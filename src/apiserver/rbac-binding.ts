// RoleBinding / ClusterRoleBinding objects for OIDC users and groups (rbac.authorization.k8s.io/v1).
import { KubeLoginError } from '../errors.js';

/** A subject as RBAC names it: the final, prefixed username or group (SPECS.md E). */
export interface RbacSubject {
  readonly kind: 'User' | 'Group';
  readonly name: string;
}

/** What to bind: a ClusterRole or a namespaced Role, as kubectl's --clusterrole / --role name them. */
export interface RoleReference {
  readonly kind: 'ClusterRole' | 'Role';
  readonly name: string;
}

/** A binding: namespaced (RoleBinding, the least-privilege default) or cluster-wide. */
export interface BindingSpec {
  readonly clusterWide: boolean;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly roleRef: RoleReference;
  readonly subjects: readonly RbacSubject[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Checks the combination the apiserver would refuse (a Role cannot be bound cluster-wide). */
export function validateBindingSpec(spec: BindingSpec): void {
  if (spec.subjects.length === 0) {
    throw new KubeLoginError('usage', 'write the binding', 'there is no subject to bind', { fix: 'pass --user NAME, --group NAME or --from-token FILE' });
  }
  if (spec.clusterWide && spec.roleRef.kind === 'Role') {
    throw new KubeLoginError('usage', 'write a ClusterRoleBinding', 'a ClusterRoleBinding can only reference a ClusterRole', {
      fix: 'drop --cluster-wide to bind the Role in its namespace, or use --clusterrole',
    });
  }
  if (!spec.clusterWide && spec.namespace === undefined) {
    throw new KubeLoginError('usage', 'write a RoleBinding', 'a RoleBinding lives in a namespace, and none was given', {
      fix: 'pass --namespace NS (or --cluster-wide for a ClusterRoleBinding)',
    });
  }
  if (!isValidObjectName(spec.name)) {
    throw new KubeLoginError('usage', `use ${JSON.stringify(spec.name)} as the binding name`, 'RBAC object names may not be empty, ".", "..", or contain "/" or "%"', {
      fix: 'pass --name with a DNS-style name such as oidc-developers-view',
    });
  }
}

/** The binding as a Kubernetes object. */
export function buildBinding(spec: BindingSpec): Record<string, unknown> {
  validateBindingSpec(spec);
  const metadata: Record<string, string> = { name: spec.name };
  if (!spec.clusterWide && spec.namespace !== undefined) metadata['namespace'] = spec.namespace;
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: spec.clusterWide ? 'ClusterRoleBinding' : 'RoleBinding',
    metadata,
    roleRef: { apiGroup: RBAC_GROUP, kind: spec.roleRef.kind, name: spec.roleRef.name },
    subjects: spec.subjects.map((subject) => ({ apiGroup: RBAC_GROUP, kind: subject.kind, name: subject.name })),
  };
}

/** A default binding name from the role and the first subject: `oidc-<role>-<subject>`, DNS-1123 style. */
export function defaultBindingName(roleName: string, subjects: readonly RbacSubject[], rawNames: readonly string[]): string {
  const slug = (text: string): string =>
    text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/-+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  const first = slug(rawNames[0] ?? subjects[0]?.name ?? '');
  const name = ['oidc', slug(roleName), first].filter((part) => part !== '').join('-');
  return name.slice(0, 253).replace(/[-.]+$/, '');
}

function isValidObjectName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}
