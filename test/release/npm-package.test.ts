// The npm package as users install it: `npm pack`, then `npm install -g ./kube-login-*.tgz` into a
// temporary prefix. npm 11 warns about every install-time script a package carries (preinstall,
// install, postinstall, prepare); the tarball ships a built dist/ and no scripts/, so it carries none.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';
import { runProcess } from '../support/run-process.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('the npm package', () => {
  it('installs globally without an install-scripts warning, with LICENSE, and runs', async () => {
    const packDir = makeTempDir('kube-login-pack-');
    // dist/ is built by npm test before the suites; --ignore-scripts keeps this test from rebuilding it.
    const pack = await runProcess('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir, '--json'], { cwd: repoRoot, timeoutMs: 120_000 });
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = (packed?.files ?? []).map((file) => file.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/fast-hit.cjs');
    expect(files.some((path) => path.startsWith('scripts/'))).toBe(false);
    const tgz = join(packDir, readdirSync(packDir).find((name) => name.endsWith('.tgz')) as string);

    const prefix = makeTempDir('kube-login-prefix-');
    const install = await runProcess('npm', ['install', '-g', '--prefix', prefix, tgz, '--no-audit', '--no-fund'], { cwd: packDir, timeoutMs: 300_000 });
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toContain('install-scripts');
    const installed = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'kube-login', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(installed.scripts?.[script], script).toBeUndefined();
    expect(readFileSync(join(prefix, 'lib', 'node_modules', 'kube-login', 'LICENSE'), 'utf8')).toContain('Apache License');

    const version = await runProcess(join(prefix, 'bin', 'kube-login'), ['--version'], { cwd: prefix, timeoutMs: 30_000 });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S* \(node /);
  }, 400_000);
});
