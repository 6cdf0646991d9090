// Upserts: where each entry goes with several files, what changes inside an entry, and what stays.
import { describe, expect, it } from 'vitest';
import {
  type KubeconfigSet,
  currentContext,
  kubeconfigFileFromText,
  listEntries,
  missingKubeconfigFile,
  planKubeconfigChanges,
  setCurrentContext,
  upsertCluster,
  upsertContext,
  upsertExecUser,
} from '../../../src/kube/kubeconfig.js';

const EXEC = { command: 'kube-login', args: ['get-token', '--oidc-issuer-url=https://idp.example.com'], installHint: 'npm i -g kube-login' };

function set(files: Record<string, string | undefined>, source: 'env' | 'flag' = 'env'): KubeconfigSet {
  const list = Object.entries(files).map(([path, text]) => (text === undefined ? missingKubeconfigFile(path) : kubeconfigFileFromText(path, text)));
  return { location: { paths: list.map((f) => f.path), source }, files: list };
}

function after(s: KubeconfigSet, path: string): string {
  const change = planKubeconfigChanges(s).find((c) => c.path === path);
  if (!change) throw new Error(`${path} unchanged`);
  return change.after;
}

const KIND = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0t
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

describe('with several KUBECONFIG files', () => {
  it('modifies the file where the entry already lives', () => {
    const s = set({ '/a': 'users:\n- name: other\n  user: {token: t}\n', '/b': 'users:\n- name: oidc\n  user:\n    token: old\n' });
    expect(upsertExecUser(s, 'oidc', EXEC)).toMatchObject({ path: '/b', action: 'updated', removed: ['user.token'] });
    expect(planKubeconfigChanges(s).map((c) => c.path)).toEqual(['/b']);
  });

  it('uses the first file that defines a name (first file wins), as kubectl does', () => {
    const s = set({ '/a': 'clusters:\n- name: c\n  cluster: {server: https://a}\n', '/b': 'clusters:\n- name: c\n  cluster: {server: https://b}\n' });
    expect(upsertCluster(s, 'c', { server: 'https://new' }).path).toBe('/a');
    expect(listEntries(s, 'clusters')).toEqual([{ name: 'c', body: { server: 'https://new' }, path: '/a' }]);
  });

  it('adds a new entry to the first file', () => {
    const s = set({ '/a': KIND, '/b': 'users: []\n' });
    expect(upsertExecUser(s, 'oidc', EXEC)).toMatchObject({ path: '/a', action: 'added' });
    expect(upsertContext(s, 'oidc@kind', { cluster: 'kind-kind', user: 'oidc' }).path).toBe('/a');
  });

  it('adds a new entry to the first file that exists, else the last listed (client-go GetDefaultFilename)', () => {
    const s = set({ '/missing': undefined, '/b': 'kind: Config\n', '/c': 'kind: Config\n' });
    expect(upsertExecUser(s, 'oidc', EXEC).path).toBe('/b');
    const none = set({ '/x': undefined, '/y': undefined });
    expect(upsertExecUser(none, 'oidc', EXEC).path).toBe('/y');
  });

  it('sets current-context in the first file that sets it, else in the first file', () => {
    const s = set({ '/a': 'kind: Config\n', '/b': 'current-context: old\n' });
    expect(setCurrentContext(s, 'new')).toMatchObject({ path: '/b', action: 'updated' });
    expect(currentContext(s)).toEqual({ name: 'new', path: '/b' });
    const t = set({ '/a': 'kind: Config\n', '/b': 'current-context: ""\n' });
    expect(setCurrentContext(t, 'new')).toMatchObject({ path: '/a', action: 'added' });
  });
});

describe('inside an entry', () => {
  it('writes the v1 exec stanza with interactiveMode and installHint', () => {
    const s = set({ '/a': KIND }, 'flag');
    upsertExecUser(s, 'oidc', { ...EXEC, env: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }] });
    expect(listEntries(s, 'users').find((e) => e.name === 'oidc')!.body).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kube-login',
        args: ['get-token', '--oidc-issuer-url=https://idp.example.com'],
        env: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }],
        interactiveMode: 'IfAvailable',
        installHint: 'npm i -g kube-login',
      },
    });
  });

  it('keeps unknown and compatible fields of an existing user, and drops auth methods that conflict with exec', () => {
    const s = set({ '/a': 'users:\n- name: u\n  user:\n    # keep me\n    client-certificate-data: Q0VSVA==\n    auth-provider: {name: oidc}\n    x-custom: 1\n    exec:\n      provideClusterInfo: true\n      apiVersion: client.authentication.k8s.io/v1beta1\n' }, 'flag');
    expect(upsertExecUser(s, 'u', EXEC).removed).toEqual(['user.auth-provider']);
    const text = after(s, '/a');
    expect(text).toContain('# keep me');
    expect(listEntries(s, 'users')[0]!.body).toMatchObject({ 'client-certificate-data': 'Q0VSVA==', 'x-custom': 1, exec: { provideClusterInfo: true, apiVersion: 'client.authentication.k8s.io/v1' } });
  });

  it('reports unchanged when the entry already holds the values, and writes nothing', () => {
    const s = set({ '/a': KIND }, 'flag');
    upsertExecUser(s, 'oidc', EXEC);
    const written = after(s, '/a');
    const again = set({ '/a': written }, 'flag');
    expect(upsertExecUser(again, 'oidc', EXEC).action).toBe('unchanged');
    expect(upsertCluster(again, 'kind-kind', { server: 'https://127.0.0.1:6443' }).action).toBe('unchanged');
    expect(planKubeconfigChanges(again)).toEqual([]);
  });

  it('sets one CA field and removes the other and insecure-skip-tls-verify (client-go rejects both together)', () => {
    const s = set({ '/a': 'clusters:\n- name: c\n  cluster:\n    server: https://old\n    insecure-skip-tls-verify: true\n    certificate-authority: /ca.pem\n' }, 'flag');
    expect(upsertCluster(s, 'c', { server: 'https://new', certificateAuthorityData: 'Q0E=' }).removed).toEqual([
      'cluster.certificate-authority',
      'cluster.insecure-skip-tls-verify',
    ]);
    expect(listEntries(s, 'clusters')[0]!.body).toEqual({ server: 'https://new', 'certificate-authority-data': 'Q0E=' });
  });

  it('keeps a namespace when none is given, and sets it when one is', () => {
    const s = set({ '/a': 'contexts:\n- name: x\n  context: {cluster: c, user: u, namespace: team}\n' }, 'flag');
    upsertContext(s, 'x', { cluster: 'c2', user: 'u' });
    expect(listEntries(s, 'contexts')[0]!.body).toEqual({ cluster: 'c2', user: 'u', namespace: 'team' });
    upsertContext(s, 'x', { cluster: 'c2', user: 'u', namespace: 'other' });
    expect(listEntries(s, 'contexts')[0]!.body).toMatchObject({ namespace: 'other' });
  });

  it('quotes new strings that YAML 1.1 (kubectl) would read as something else', () => {
    const s = set({ '/a': 'kind: Config\n' }, 'flag');
    upsertContext(s, 'ctx', { cluster: 'c', user: 'u', namespace: 'on' });
    expect(after(s, '/a')).toContain('namespace: "on"');
  });
});

describe('layout of what is added', () => {
  it("adds to a kubectl-written file in kubectl's layout, changing no other line", () => {
    const s = set({ '/a': KIND }, 'flag');
    upsertExecUser(s, 'oidc', EXEC);
    upsertContext(s, 'oidc@kind-kind', { cluster: 'kind-kind', user: 'oidc' });
    expect(after(s, '/a')).toBe(`apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0t
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
- name: oidc@kind-kind
  context:
    cluster: kind-kind
    user: oidc
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: oidc
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kube-login
      args:
      - get-token
      - --oidc-issuer-url=https://idp.example.com
      interactiveMode: IfAvailable
      installHint: npm i -g kube-login
`);
  });

  it('keeps odd spacing, quoting and comments of untouched lines byte for byte', () => {
    const text = "# my clusters\nclusters:\n  - name: 'prod'     # production\n    cluster:\n      server:   https://prod:6443\n\n\nusers:   []\n";
    const s = set({ '/a': text }, 'flag');
    upsertExecUser(s, 'oidc', EXEC);
    const out = after(s, '/a');
    expect(out.startsWith("# my clusters\nclusters:\n  - name: 'prod'     # production\n    cluster:\n      server:   https://prod:6443\n")).toBe(true);
    expect(out).toContain('users:\n  - name: oidc\n');
  });

  it('creates a new file with the kubectl header', () => {
    const s = set({ '/new': undefined }, 'flag');
    upsertExecUser(s, 'oidc', EXEC);
    expect(after(s, '/new')).toMatch(/^apiVersion: v1\nkind: Config\nusers:\n- name: oidc\n/);
  });

  it('keeps CRLF line endings and the byte-order mark', () => {
    const s = set({ '/a': '\uFEFFkind: Config\r\nusers:\r\n- name: a\r\n  user: {}\r\n' }, 'flag');
    upsertExecUser(s, 'oidc', EXEC);
    const out = after(s, '/a');
    expect(out.startsWith('\uFEFFkind: Config\r\nusers:\r\n- name: a\r\n')).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });
});
