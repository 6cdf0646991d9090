// Which exec stanzas are kube-login's, and how a context becomes a login configuration (pure logic).
import { describe, expect, it } from 'vitest';
import { runsKubeLogin } from '../../../src/kube/exec-stanza.js';
import { kubeconfigFileFromText } from '../../../src/kube/kubeconfig-load.js';
import { contextLogin, everyContext } from '../../../src/kube/login-context.js';
import { KubeLoginError } from '../../../src/errors.js';

describe('runsKubeLogin', () => {
  it.each([
    ['kube-login', ['get-token', '--oidc-issuer-url=https://a'], 'kube-login'],
    ['/usr/local/bin/kube-login', ['get-token'], 'kube-login'],
    ['kubectl-kube_login', ['get-token'], 'kube-login'],
    ['/usr/bin/node', ['/opt/kube-login/bin/kube-login.js', 'get-token'], 'kube-login'],
    ['kubelogin', ['get-token', '--oidc-issuer-url=https://a'], 'kubelogin'],
    ['kubectl-oidc_login.exe', ['get-token'], 'kubelogin'],
    ['kubectl', ['oidc-login', 'get-token'], 'kubelogin'],
  ])('%s %j runs %s', (command, args, kind) => {
    expect(runsKubeLogin(command, args).kind).toBe(kind);
  });

  it.each([
    ['aws', ['eks', 'get-token', '--cluster-name', 'x']],
    ['gke-gcloud-auth-plugin', []],
    ['kube-login', ['setup']],
    ['/usr/bin/node', ['other.js', 'get-token']],
  ])('%s %j is somebody else\'s', (command, args) => {
    expect(runsKubeLogin(command, args).kind).toBe('other');
  });
});

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
contexts:
- {name: dev, context: {cluster: c, user: dev}}
- {name: bad, context: {cluster: c, user: bad}}
- {name: cert, context: {cluster: c, user: cert}}
users:
- name: dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kube-login
      args: [get-token, --oidc-issuer-url=https://idp.example.com, --oidc-client-id=k, --oidc-extra-scope=email]
      env: [{name: KUBECACHEDIR, value: /var/cache/k}]
- name: bad
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: kube-login, args: [get-token, --frobnicate]}
- name: cert
  user: {client-certificate-data: AAAA}
`;

const set = () => ({ location: { paths: ['/home/u/.kube/config'], source: 'default' as const }, files: [kubeconfigFileFromText('/home/u/.kube/config', KUBECONFIG)] });

describe('contextLogin', () => {
  it('reads the current context with its exec env applied as kubectl applies it', () => {
    const login = contextLogin(set(), undefined, { HOME: '/home/u' }, '/home/u');
    expect(login).toMatchObject({ context: 'dev', user: 'dev', program: 'kube-login', env: { KUBECACHEDIR: '/var/cache/k' } });
    expect(login.input).toMatchObject({ issuerUrl: 'https://idp.example.com', clientId: 'k', scopes: ['email'], cacheDir: '/var/cache/k/kube-login' });
  });

  it('names the context and points to doctor when its args do not parse', () => {
    const error = (() => {
      try {
        contextLogin(set(), 'bad', {}, '/home/u');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })() as KubeLoginError;
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(error.code).toBe('kubeconfig');
    expect(error.message).toBe('could not use the context "bad": the exec args of user bad are not get-token flags kube-login understands');
    expect(error.fix).toBe('run `kube-login doctor --context bad` to see what is wrong with its exec stanza');
  });

  it('lists every context without failing on any', () => {
    expect(everyContext(set(), {}, '/home/u').map((reading) => [reading.context, reading.kind])).toEqual([
      ['dev', 'login'],
      ['bad', 'unusable'],
      ['cert', 'not-kube-login'],
    ]);
  });
});
