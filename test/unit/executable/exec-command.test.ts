// The exec command a kubeconfig should hold: setup writes kube-login itself (never `kubectl kube-login`,
// which starts a second kubectl on every call), and doctor warns about a stanza that goes through kubectl.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformName, versionLine } from '../../../src/platform/build-info.js';
import { selfExecCommand } from '../../../src/platform/self-command.js';
import { checkExecThroughKubectl } from '../../../src/usecases/doctor/exec-stanza.js';
import { makeTempDir } from '../../support/temp-dir.js';

function executableIn(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('the exec command setup writes', () => {
  it('is kube-login under Node (the npm package puts it on PATH)', () => {
    expect(selfExecCommand({ compiled: false, execPath: '/usr/bin/node', path: '/usr/bin', platform: 'linux' })).toBe('kube-login');
  });

  it('is the executable\'s absolute path when no name on PATH is this file', () => {
    const root = makeTempDir('kube-login-self-');
    const exe = executableIn(join(root, 'opt'), 'kube-login');
    executableIn(join(root, 'other'), 'kube-login');
    expect(selfExecCommand({ compiled: true, execPath: exe, path: join(root, 'other'), platform: 'linux' })).toBe(exe);
  });

  it('is kubectl-kube_login when krew\'s link on PATH points at this file, and kube-login when that name does', () => {
    const root = makeTempDir('kube-login-self-');
    const exe = executableIn(join(root, 'store', 'v1'), 'kube-login');
    mkdirSync(join(root, 'krew-bin'));
    symlinkSync(exe, join(root, 'krew-bin', 'kubectl-kube_login'));
    const facts = { compiled: true, execPath: exe, path: `/nonexistent:${join(root, 'krew-bin')}`, platform: 'linux' as const };
    expect(selfExecCommand(facts)).toBe('kubectl-kube_login');
    mkdirSync(join(root, 'bin'));
    symlinkSync(exe, join(root, 'bin', 'kube-login'));
    expect(selfExecCommand({ ...facts, path: `${join(root, 'bin')}:${join(root, 'krew-bin')}` })).toBe('kube-login');
  });
});

describe('doctor on a stanza that runs the plugin through kubectl', () => {
  it('warns and names the faster stanza, for kube-login and for oidc-login', () => {
    const check = checkExecThroughKubectl('oidc', 'kubectl', ['kube-login', 'get-token', '--oidc-issuer-url=https://idp']);
    expect(check?.mark).toBe('warn');
    expect(check?.text).toBe('the exec stanza of user oidc runs `kubectl kube-login get-token`: every kubectl command then starts a second kubectl just to find the plugin');
    expect(check?.fix).toContain('set the command to kube-login (or kubectl-kube_login');
    expect(checkExecThroughKubectl('oidc', '/usr/local/bin/kubectl', ['oidc-login', 'get-token'])?.text).toContain('`kubectl oidc-login get-token`');
  });

  it('says nothing about a stanza that runs kube-login directly', () => {
    expect(checkExecThroughKubectl('oidc', 'kube-login', ['get-token'])).toBeUndefined();
    expect(checkExecThroughKubectl('oidc', 'kubectl-kube_login', ['get-token'])).toBeUndefined();
    expect(checkExecThroughKubectl('oidc', 'kubectl', ['get-token'])).toBeUndefined();
  });
});

describe('kube-login --version', () => {
  it('names the version, the runtime and the platform in Go\'s spelling', () => {
    expect(platformName('linux', 'x64')).toBe('linux/amd64');
    expect(platformName('win32', 'x64')).toBe('windows/amd64');
    expect(platformName('darwin', 'arm64')).toBe('darwin/arm64');
    expect(versionLine()).toMatch(new RegExp(`^\\d+\\.\\d+\\.\\d+\\S* \\(node ${process.versions.node.replace(/\./g, '\\.')}, ${platformName()}\\)$`));
  });
});
