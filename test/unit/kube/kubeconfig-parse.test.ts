// Refusals: every kubeconfig we do not fully understand is rejected, naming the file and line.
import { describe, expect, it } from 'vitest';
import { isKubeLoginError } from '../../../src/errors.js';
import { parseKubeconfig } from '../../../src/kube/kubeconfig-parse.js';

function refusal(text: string): { reason: string; fix: string | undefined } {
  try {
    parseKubeconfig(text, '/home/u/.kube/config');
  } catch (error) {
    if (isKubeLoginError(error, 'kubeconfig')) return { reason: error.reason, fix: error.fix };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseKubeconfig refuses', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a YAML syntax error', 'apiVersion: v1\nkind: Config\nusers: a: b\n', /^\/home\/u\/\.kube\/config:3: Nested mappings are not allowed/],
    ['a top level that is a list', '- a\n- b\n', /config:1: the top level is a list, not a map$/],
    ['a top level that is a string', 'hello\n', /the top level is the string "hello", not a map/],
    ['users that is a map', 'users:\n  a: b\n', /config:2: users is a map, not a list of named entries/],
    ['an entry that is not a map', 'clusters:\n- just-a-string\n', /config:2: clusters\[0\] is the string "just-a-string", not a map/],
    ['an entry without a name', 'contexts:\n- context: {cluster: a}\n', /config:2: contexts\[0\] has no name/],
    ['an empty name', 'users:\n- name: ""\n  user: {}\n', /users\[0\] has a name that is not a non-empty string/],
    ['a name that YAML 1.1 reads as a boolean', 'users:\n- name: yes\n  user: {}\n', /users\[0\] has a name that is not a non-empty string/],
    ['a body that is not a map', 'users:\n- name: a\n  user: token\n', /config:3: users\[0\] \("a"\) has a user that is the string "token", not a map/],
    ['duplicate names', 'users:\n- name: a\n  user: {}\n- name: b\n- name: a\n', /config:5: users has two entries named "a" \(first at line 2\)/],
    ['duplicate keys', 'users: []\nusers: []\n', /config:2: Map keys must be unique/],
    ['two YAML documents', 'kind: Config\n---\nkind: Config\n', /config:2: the file holds 2 YAML documents/],
    ['an alias in users', 'x: &u {token: a}\nusers:\n- name: a\n  user: *u\n', /config:4: users uses the YAML alias \*u/],
    ['an anchor in clusters', 'clusters:\n- name: a\n  cluster: &c {server: https://x}\n', /clusters defines the YAML anchor &c/],
    ['a merge key in contexts', 'contexts:\n- name: a\n  context:\n    <<: {cluster: a}\n', /contexts uses a YAML merge key/],
    ['an unknown tag', 'users:\n- name: a\n  user: !secret {token: a}\n', /config:3: .*!secret/],
    ['a current-context that is a map', 'current-context: {a: b}\n', /current-context is a map, not a string/],
  ];
  for (const [what, text, reason] of cases) {
    it(what, () => {
      const error = refusal(text);
      expect(error.reason).toMatch(reason);
      // Anchors get their own fix: how to write the entry without them.
      expect(error.fix).toContain(/alias|anchor|merge key/.test(what) ? 'write the entries out in full' : 'never writes a kubeconfig it does not fully understand');
    });
  }
});

describe('parseKubeconfig accepts', () => {
  it('an empty file and a comment-only file', () => {
    expect(parseKubeconfig('', 'f').doc.toJS()).toBeNull();
    expect(parseKubeconfig('# nothing yet\n', 'f').doc.toJS()).toBeNull();
  });
  it('null sections, as kubectl writes them', () => {
    const { doc } = parseKubeconfig('apiVersion: v1\nclusters: null\ncontexts:\nusers: ~\ncurrent-context: ""\n', 'f');
    expect(doc.toJS()).toMatchObject({ clusters: null, contexts: null, users: null });
  });
  it('JSON, CRLF line endings and a byte-order mark', () => {
    const json = '\uFEFF{"apiVersion": "v1",\r\n "users": [{"name": "a", "user": {"token": "t"}}]}\r\n';
    const parsed = parseKubeconfig(json, 'f');
    expect(parsed.style).toMatchObject({ crlf: true, bom: true });
    expect(parsed.doc.toJS()).toEqual({ apiVersion: 'v1', users: [{ name: 'a', user: { token: 't' } }] });
  });
  it('anchors and aliases outside the entries we edit', () => {
    expect(() => parseKubeconfig('x-defaults: &d {a: 1}\nx-other: *d\nusers: []\n', 'f')).not.toThrow();
  });
  it('reads values as YAML 1.1, as kubectl does', () => {
    expect(parseKubeconfig('preferences: {colors: yes}\n', 'f').doc.toJS()).toEqual({ preferences: { colors: true } });
  });
});

describe('layout detection', () => {
  it("recognises kubectl's layout", () => {
    const { style } = parseKubeconfig('clusters:\n- cluster:\n    server: https://x\n  name: a\n', 'f');
    expect(style).toMatchObject({ indent: 2, indentSeq: false });
  });
  it('recognises indented lists and 4-space maps', () => {
    expect(parseKubeconfig('users:\n  - name: a\n    user:\n      token: t\n', 'f').style).toMatchObject({ indent: 2, indentSeq: true });
    expect(parseKubeconfig('users:\n    - name: a\n      user:\n          token: t\n', 'f').style).toMatchObject({ indent: 4, indentSeq: true });
    expect(parseKubeconfig('users:\n  - name: a\n    user:\n        token: t\n', 'f').style).toMatchObject({ indent: 4, indentSeq: false });
  });
});

/** Nine levels of ten aliases each: a 12-line file that expands to 10^10 strings. */
function aliasBomb(under: string): string {
  const lines = [`${under}:`, '  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) lines.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return `apiVersion: v1\nkind: Config\n${lines.join('\n')}\nusers: []\n`;
}

const SHARED_ARGS = `apiVersion: v1
kind: Config
users:
- name: alice
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kube-login
      args: &args [get-token, --oidc-issuer-url=https://idp.example.com]
- name: bob
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kube-login
      args: *args
contexts:
- &ctx
  name: c1
  context: {cluster: k, user: alice}
- name: c2
  context:
    <<: {cluster: k}
    user: bob
`;

describe('parseKubeconfig in read mode (doctor, status, login, logout)', () => {
  it('reads anchors, aliases and merge keys as kubectl does', () => {
    const { doc } = parseKubeconfig(SHARED_ARGS, '/home/u/.kube/config', 'read');
    expect(doc.toJS()).toMatchObject({
      users: [
        { name: 'alice', user: { exec: { args: ['get-token', '--oidc-issuer-url=https://idp.example.com'] } } },
        { name: 'bob', user: { exec: { args: ['get-token', '--oidc-issuer-url=https://idp.example.com'] } } },
      ],
      contexts: [
        { name: 'c1', context: { cluster: 'k', user: 'alice' } },
        { name: 'c2', context: { cluster: 'k', user: 'bob' } },
      ],
    });
  });

  it('still refuses it in edit mode (setup), saying how to write it without the anchor', () => {
    expect(refusal(SHARED_ARGS).reason).toMatch(/^\/home\/u\/\.kube\/config:18: contexts defines the YAML anchor &ctx; setup edits these entries/);
    expect(refusal(SHARED_ARGS.replace('- &ctx', '-')).reason).toMatch(/^\/home\/u\/\.kube\/config:22: contexts uses a YAML merge key/);
  });

  it.each(['read', 'edit'] as const)('refuses an alias bomb under preferences in %s mode, naming it, at once', (mode) => {
    let error: unknown;
    try {
      parseKubeconfig(aliasBomb('preferences'), '/home/u/.kube/config', mode);
    } catch (thrown) {
      error = thrown;
    }
    expect(isKubeLoginError(error, 'kubeconfig')).toBe(true);
    expect((error as Error).message).toContain('its YAML aliases expand to more than 100 copies of shared nodes (an "alias bomb")');
  });
});
