// kubectl's kubeconfig location rules: --kubeconfig, else KUBECONFIG (list), else ~/.kube/config.
import { describe, expect, it } from 'vitest';
import { defaultKubeconfigPath, defaultWriteTarget, locateKubeconfigs } from '../../../src/kube/kubeconfig-paths.js';

describe('locateKubeconfigs', () => {
  it('uses --kubeconfig alone, even when KUBECONFIG is set', () => {
    const location = locateKubeconfigs({ explicitPath: 'my/config', env: { KUBECONFIG: '/a:/b', HOME: '/home/u' }, cwd: '/work', platform: 'linux' });
    expect(location).toEqual({ paths: ['/work/my/config'], source: 'flag' });
  });

  it('splits KUBECONFIG on ":" on POSIX, skipping empty entries and duplicates', () => {
    const location = locateKubeconfigs({ env: { KUBECONFIG: ':/a::/b:/a:rel', HOME: '/home/u' }, cwd: '/work', platform: 'linux' });
    expect(location).toEqual({ paths: ['/a', '/b', '/work/rel'], source: 'env' });
  });

  it('splits KUBECONFIG on ";" on Windows', () => {
    const location = locateKubeconfigs({ env: { KUBECONFIG: 'C:\\k\\a;;C:\\k\\b;C:\\k\\a', USERPROFILE: 'C:\\Users\\u' }, cwd: 'C:\\work', platform: 'win32' });
    expect(location).toEqual({ paths: ['C:\\k\\a', 'C:\\k\\b'], source: 'env' });
  });

  it('falls back to ~/.kube/config when KUBECONFIG is unset, empty or only separators', () => {
    for (const KUBECONFIG of [undefined, '', ':::']) {
      const env: NodeJS.ProcessEnv = { HOME: '/home/u' };
      if (KUBECONFIG !== undefined) env['KUBECONFIG'] = KUBECONFIG;
      expect(locateKubeconfigs({ env, platform: 'linux' })).toEqual({ paths: ['/home/u/.kube/config'], source: 'default' });
    }
  });

  it('finds the Windows home like client-go: HOME, then USERPROFILE', () => {
    expect(defaultKubeconfigPath({ USERPROFILE: 'C:\\Users\\u' }, 'win32')).toBe('C:\\Users\\u\\.kube\\config');
  });
});

describe('defaultWriteTarget (client-go GetDefaultFilename)', () => {
  const env = { paths: ['/a', '/b', '/c'], source: 'env' as const };
  it('is the first listed file that exists', () => {
    expect(defaultWriteTarget(env, (p) => p === '/b' || p === '/c')).toBe('/b');
    expect(defaultWriteTarget(env, () => true)).toBe('/a');
  });
  it('is the last listed file when none exists', () => {
    expect(defaultWriteTarget(env, () => false)).toBe('/c');
  });
  it('is the only file for --kubeconfig and the default path', () => {
    expect(defaultWriteTarget({ paths: ['/x'], source: 'flag' }, () => false)).toBe('/x');
  });
});
