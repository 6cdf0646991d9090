// The exec stanza checks, with client-go's rules: where the command is looked up, apiVersion,
// interactiveMode (required for v1), env entries, and what the args run.
import { describe, expect, it } from 'vitest';
import { checkExecApiVersion, checkExecCommand, checkExecEnv, checkInteractiveMode, commandLocation, execProgram } from '../../../src/usecases/doctor/exec-stanza.js';

describe('the exec stanza', () => {
  it('looks a bare command up on PATH and resolves a relative path against the kubeconfig directory', () => {
    expect(commandLocation('kube-login', '/home/a/.kube/config', '/')).toEqual({ kind: 'path-lookup', name: 'kube-login' });
    expect(commandLocation('bin/kube-login', '/home/a/.kube/config', '/')).toEqual({ kind: 'file', path: '/home/a/.kube/bin/kube-login' });
    expect(commandLocation('../tools/kube-login', '/home/a/.kube/config', '/')).toEqual({ kind: 'file', path: '/home/a/tools/kube-login' });
    expect(commandLocation('/usr/bin/kube-login', '/home/a/.kube/config', '/')).toEqual({ kind: 'file', path: '/usr/bin/kube-login' });
  });

  it('names a command that is not on PATH with kubectl\'s own error', () => {
    const check = checkExecCommand('oidc', 'kube-login', { kind: 'path-lookup', name: 'kube-login' }, undefined, 'npm i -g kube-login');
    expect(check.mark).toBe('fail');
    expect(check.text).toBe('the exec command "kube-login" is not on PATH: kubectl fails with "exec: executable kube-login not found"');
    expect(check.fix).toContain('npm install --global kube-login');
    expect(checkExecCommand('oidc', 'kube-login', { kind: 'path-lookup', name: 'kube-login' }, '/usr/local/bin/kube-login', undefined).text).toBe('the exec command "kube-login" is found on PATH at /usr/local/bin/kube-login');
    expect(checkExecCommand('oidc', 'bin/kube-login', { kind: 'file', path: '/k/bin/kube-login' }, undefined, undefined).text).toContain('kubectl resolves a relative command against the directory of the kubeconfig file');
  });

  it('requires interactiveMode for v1 only, and warns about Always', () => {
    const missing = checkInteractiveMode('oidc', 'client.authentication.k8s.io/v1', undefined, false);
    expect(missing.mark).toBe('fail');
    expect(missing.text).toContain('"interactiveMode must be specified for oidc to use exec authentication plugin"');
    expect(missing.fix).toContain('interactiveMode: IfAvailable');
    expect(checkInteractiveMode('oidc', 'client.authentication.k8s.io/v1beta1', undefined, false).mark).toBe('pass');
    expect(checkInteractiveMode('oidc', 'client.authentication.k8s.io/v1', 'Sometimes', false).mark).toBe('fail');
    expect(checkInteractiveMode('oidc', 'client.authentication.k8s.io/v1', 'Always', false).mark).toBe('warn');
    expect(checkInteractiveMode('oidc', 'client.authentication.k8s.io/v1', 'Never', true).mark).toBe('warn');
    expect(checkInteractiveMode('oidc', 'client.authentication.k8s.io/v1', 'IfAvailable', false).mark).toBe('pass');
  });

  it('accepts only the API versions client-go knows', () => {
    expect(checkExecApiVersion('oidc', 'client.authentication.k8s.io/v1alpha1').mark).toBe('fail');
    expect(checkExecApiVersion('oidc', undefined).text).toContain('apiVersion must be specified for oidc');
    expect(checkExecApiVersion('oidc', 'client.authentication.k8s.io/v1beta1').mark).toBe('pass');
  });

  it('reads env entries and refuses one without a name', () => {
    expect(checkExecEnv('oidc', [{ name: 'HTTPS_PROXY', value: 'http://p:1' }]).vars).toEqual({ HTTPS_PROXY: 'http://p:1' });
    expect(checkExecEnv('oidc', [{ value: 'x' }]).check?.mark).toBe('fail');
    expect(checkExecEnv('oidc', undefined).check).toBeUndefined();
  });

  it('finds get-token in the args, and recognises kubelogin', () => {
    expect(execProgram('kube-login', ['get-token', '--oidc-issuer-url=x'])).toEqual({ kind: 'kube-login', getTokenArgs: ['--oidc-issuer-url=x'] });
    expect(execProgram('/usr/bin/node', ['/opt/kube-login/bin/kube-login.js', 'get-token', '-v'])).toEqual({ kind: 'kube-login', getTokenArgs: ['-v'] });
    expect(execProgram('kubectl', ['oidc-login', 'get-token', '--oidc-client-id=k'])).toEqual({ kind: 'kubelogin', getTokenArgs: ['--oidc-client-id=k'] });
    expect(execProgram('aws', ['eks', 'get-token'])).toMatchObject({ kind: 'kube-login' });
    expect(execProgram('gke-gcloud-auth-plugin', [])).toEqual({ kind: 'other' });
  });
});
