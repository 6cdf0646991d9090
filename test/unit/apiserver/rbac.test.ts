// The rbac use case: subjects prefixed as the mapping maps them, least-privilege warnings, kubectl command.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isKubeLoginError } from '../../../src/errors.js';
import { type RbacInput, rbac } from '../../../src/usecases/rbac.js';
import { FIXED_NOW, fakeRbacDeps } from './fakes.js';
import { UPDATE_GOLDEN, compareGolden } from './golden.js';
import { newTestKey, signToken } from './tokens.js';

const ISSUER = 'https://idp.example.com';

function input(overrides: Partial<RbacInput> = {}): RbacInput {
  return {
    mapping: { issuerUrl: ISSUER, groupsClaim: 'groups', groupsPrefix: 'oidc:' },
    users: [],
    groups: ['developers'],
    role: { kind: 'ClusterRole', name: 'edit' },
    clusterWide: false,
    namespace: 'team-a',
    kubectl: false,
    ...overrides,
  };
}

async function run(value: RbacInput, files: Record<string, string> = {}) {
  const { deps, captured } = fakeRbacDeps({ files });
  const outcome = await rbac(deps, value).then(
    (spec) => ({ ok: true as const, spec }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, captured };
}

describe('rbac', () => {
  it('writes a RoleBinding for a prefixed group by default (golden)', async () => {
    const { captured } = await run(input());
    const result = compareGolden('rbac-rolebinding-group', captured.stdout, UPDATE_GOLDEN);
    expect(result.ok ? 'ok' : result.message).toBe('ok');
    const doc = parse(captured.stdout) as Record<string, unknown>;
    expect(doc).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'oidc-edit-developers', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:developers' }],
    });
  });

  it('prefixes users with the implied <issuer># for the sub claim, as the flags do', async () => {
    const { outcome } = await run(input({ users: ['1234'], groups: [] }));
    expect(outcome.ok && outcome.spec.subjects).toEqual([{ kind: 'User', name: `${ISSUER}#1234` }]);
  });

  it('prints the equivalent kubectl command (golden), quoting what the shell would split', async () => {
    const { captured } = await run(input({ users: ['1234'], kubectl: true, name: 'dev-edit' }));
    const result = compareGolden('rbac-kubectl-rolebinding', captured.stdout, UPDATE_GOLDEN);
    expect(result.ok ? 'ok' : result.message).toBe('ok');
    expect(captured.stdout).toBe(`kubectl create rolebinding dev-edit \\\n  --clusterrole=edit \\\n  '--user=${ISSUER}#1234' \\\n  --group=oidc:developers \\\n  --namespace=team-a\n`);
  });

  it('writes a ClusterRoleBinding with --cluster-wide, with a note', async () => {
    const { captured } = await run(input({ clusterWide: true, namespace: undefined, role: { kind: 'ClusterRole', name: 'view' } }));
    const doc = parse(captured.stdout) as { kind: string; metadata: Record<string, string> };
    expect(doc.kind).toBe('ClusterRoleBinding');
    expect(doc.metadata).toEqual({ name: 'oidc-view-developers' });
    expect(captured.stderr).toContain('a ClusterRoleBinding grants view in every namespace');
  });

  it('binds a namespaced Role with --role', async () => {
    const { captured } = await run(input({ role: { kind: 'Role', name: 'deployer' } }));
    expect((parse(captured.stdout) as { roleRef: unknown }).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' });
  });

  it('warns for cluster-admin, users bound to it, wildcards and system: groups', async () => {
    const { captured } = await run(input({ role: { kind: 'ClusterRole', name: 'cluster-admin' }, clusterWide: true, users: ['jane'], groups: ['*'], mapping: { usernamePrefix: 'oidc:', groupsClaim: 'groups' } }));
    expect(captured.stderr).toContain('kube-login: warning: this binds cluster-admin');
    expect(captured.stderr).toContain('break-glass group');
    expect(captured.stderr).toContain('cluster-admin is bound to individual users (oidc:jane)');
    expect(captured.stderr).toContain('RBAC subjects have no wildcards');
    expect(captured.stderr).toContain('groups from the groups claim are used verbatim');
    const system = await run(input({ mapping: { groupsClaim: 'groups' }, groups: ['system:authenticated'] }));
    expect(system.captured.stderr).toContain('"system:authenticated" is a Kubernetes system identity (every authenticated user, of every authenticator)');
  });

  it('warns when a value already carries the prefix', async () => {
    const { captured } = await run(input({ groups: ['oidc:developers'] }));
    expect(captured.stderr).toContain('--group oidc:developers already starts with the groups prefix "oidc:", so the subject is "oidc:oidc:developers"');
  });

  it('derives the user from a real token with the same mapping code as --check-token', async () => {
    const key = await newTestKey();
    const token = await signToken(key, { iss: ISSUER, sub: 'u-1', email: 'jane@example.com', groups: ['developers', 'ops'], exp: FIXED_NOW / 1000 - 1 });
    const { outcome, captured } = await run(input({ fromToken: '/t', mapping: { groupsClaim: 'groups', groupsPrefix: 'oidc:', usernameClaim: 'email', usernamePrefix: 'oidc:' } }), { '/t': token });
    expect(outcome.ok && outcome.spec.subjects).toEqual([{ kind: 'User', name: 'oidc:jane@example.com' }, { kind: 'Group', name: 'oidc:developers' }]);
    expect(captured.stderr).toContain('the token maps to the user "oidc:jane@example.com" with the groups [oidc:developers oidc:ops]');
    expect(captured.stderr).not.toContain(token);
  });

  it('takes the issuer for the default prefix from the token, and refuses a different --oidc-issuer-url', async () => {
    const key = await newTestKey();
    const token = await signToken(key, { iss: ISSUER, sub: 'u-1' });
    const { outcome, captured } = await run(input({ fromToken: '/t', groups: [], mapping: {} }), { '/t': token });
    expect(outcome.ok && outcome.spec.subjects).toEqual([{ kind: 'User', name: `${ISSUER}#u-1` }]);
    expect(captured.stderr).toContain(`no --oidc-issuer-url: using the token's iss "${ISSUER}"`);
    const other = await run(input({ fromToken: '/t', groups: [], mapping: { issuerUrl: `${ISSUER}/` } }), { '/t': token });
    expect(!other.outcome.ok && isKubeLoginError(other.outcome.error, 'check-failed')).toBe(true);
  });

  it('refuses: no subject, no namespace, a Role cluster-wide, a user without an issuer for the default prefix', async () => {
    const reasons = async (value: RbacInput) => {
      const { outcome, captured } = await run(value);
      expect(captured.stdout).toBe('');
      return !outcome.ok && isKubeLoginError(outcome.error) ? outcome.error.reason : 'no error';
    };
    expect(await reasons(input({ groups: [] }))).toBe('there is no subject to bind');
    expect(await reasons(input({ namespace: undefined }))).toBe('a RoleBinding lives in a namespace, and none was given');
    expect(await reasons(input({ clusterWide: true, role: { kind: 'Role', name: 'x' } }))).toBe('a ClusterRoleBinding can only reference a ClusterRole');
    expect(await reasons(input({ users: ['jane'], mapping: { groupsClaim: 'groups' } }))).toMatch(/no issuer was given$/);
    expect(await reasons(input({ mapping: {} }))).toBe('no --groups-claim was given, so kube-apiserver maps no groups from the token');
    expect(await reasons(input({ mapping: { groupsClaim: 'groups', groupsPrefix: 'system:' } }))).toMatch(/reserved for Kubernetes/);
  });
});
