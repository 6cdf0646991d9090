// `npm run release` from this checkout: five archives, SHA256SUMS, the krew manifest and the Homebrew
// formula, checked for what can be checked on this machine: each executable's file type and embedded
// keychain addon, the archive layout, and that every checksum matches. The linux-amd64 archive is then
// used as a newcomer would, with no Node.js on PATH: --version, `kubectl kube-login` through krew's
// name, and a get-token login. (The suites run against the linux-amd64 executable too: scripts/test.mjs.)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TARGETS } from '../../scripts/executable-targets.mjs';
import { credential, machine } from '../integration/get-token/harness.js';
import { loginDriverEnv } from '../support/login-driver-control.js';
import { loginDriverScript, repoRoot } from '../support/paths.js';
import { type TestProvider, startProvider } from '../support/provider.js';
import { runProcess } from '../support/run-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> }).version;
const keyringVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['@napi-rs/keyring'] as string;
const BASE_URL = 'https://downloads.example.com/kube-login/v' + version;

const FILE_TYPES: Record<string, RegExp> = {
  'linux-amd64': /^ELF 64-bit LSB executable, x86-64/,
  'linux-arm64': /^ELF 64-bit LSB executable, ARM aarch64/,
  'darwin-amd64': /^Mach-O 64-bit x86_64 executable/,
  'darwin-arm64': /^Mach-O 64-bit arm64 executable/,
  'windows-amd64': /^PE32\+ executable \(console\) x86-64/,
};

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('npm run release', () => {
  const out = makeTempDir('kube-login-release-');
  const extracted = makeTempDir('kube-login-extracted-');
  let release: { code: number | null; stderr: string };

  beforeAll(async () => {
    release = await runProcess(process.execPath, [join(repoRoot, 'scripts', 'release.mjs'), `--out=${out}`, `--base-url=${BASE_URL}/`], { timeoutMs: 570_000, cwd: repoRoot });
    for (const target of TARGETS) {
      const name = `kube-login_${version}_${target.os}_${target.arch}.${target.archive}`;
      const dir = join(extracted, target.name);
      mkdirSync(dir);
      if (!existsSync(join(out, name))) continue;
      if (target.archive === 'zip') execFileSync('unzip', ['-q', join(out, name), '-d', dir]);
      else execFileSync('tar', ['-xzf', join(out, name), '-C', dir]);
    }
  }, 600_000);

  it('writes five archives, SHA256SUMS, the krew manifest and the formula', () => {
    expect(release.code, release.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ['SHA256SUMS', 'kube-login.krew.yaml', 'kube-login.rb', ...TARGETS.map((t) => `kube-login_${version}_${t.os}_${t.arch}.${t.archive}`)].sort(),
    );
  });

  it('holds the executable (mode 0755), LICENSE and README.md in each archive', () => {
    for (const target of TARGETS) {
      const name = `kube-login_${version}_${target.os}_${target.arch}.${target.archive}`;
      const listing =
        target.archive === 'zip'
          ? execFileSync('unzip', ['-Z', join(out, name)], { encoding: 'utf8' })
          : execFileSync('tar', ['-tzvf', join(out, name)], { encoding: 'utf8' });
      const members = listing.split('\n').filter((line) => /^-/.test(line));
      expect(members.map((line) => line.split(/\s+/).at(-1)), name).toEqual([target.exe, 'LICENSE', 'README.md']);
      expect(members[0], name).toMatch(/^-rwxr-xr-x/);
      expect(readFileSync(join(extracted, target.name, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
    }
  });

  it('builds each executable for its platform, with that platform\'s keychain addon embedded', () => {
    const addons = makeTempDir('kube-login-addons-');
    for (const target of TARGETS) {
      const exe = join(extracted, target.name, target.exe);
      expect(execFileSync('file', ['-b', exe], { encoding: 'utf8' }), target.name).toMatch(FILE_TYPES[target.name] as RegExp);
      // The addon as the registry ships it: its bytes are inside the executable, whole.
      const folder = join(addons, target.name);
      mkdirSync(folder);
      execFileSync('npm', ['pack', `${target.addonPackage}@${keyringVersion}`, '--pack-destination', folder, '--silent'], { cwd: folder });
      const tgz = readdirSync(folder).find((file) => file.endsWith('.tgz')) as string;
      execFileSync('tar', ['-xzf', join(folder, tgz), '-C', folder]);
      const addon = readFileSync(join(folder, 'package', target.addonFile));
      expect(readFileSync(exe).indexOf(addon), `${target.addonFile} in ${target.name}`).toBeGreaterThan(0);
      for (const other of TARGETS.filter((t) => t.addonFile !== target.addonFile)) {
        expect(readFileSync(exe).includes(Buffer.from(other.addonFile)), `${other.addonFile} in ${target.name}`).toBe(false);
      }
    }
  }, 120_000);

  it('lists every archive with its checksum in SHA256SUMS, the krew manifest and the formula', () => {
    const sums = new Map(
      readFileSync(join(out, 'SHA256SUMS'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [hash, name] = line.split(/ {2}/);
          return [name as string, hash as string];
        }),
    );
    expect(sums.size).toBe(TARGETS.length);
    for (const [name, hash] of sums) expect(sha256(readFileSync(join(out, name))), name).toBe(hash);
    // `sha256sum -c` agrees (the check the README tells users to run).
    const checked = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' }).trim().split('\n');
    expect(checked.filter((line) => line.endsWith(': OK'))).toHaveLength(TARGETS.length);

    const krew = parse(readFileSync(join(out, 'kube-login.krew.yaml'), 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: { version: string; platforms: { selector: { matchLabels: { os: string; arch: string } }; uri: string; sha256: string; bin: string }[] };
    };
    expect(krew).toMatchObject({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin', metadata: { name: 'kube-login' }, spec: { version: `v${version}` } });
    expect(krew.spec.platforms).toHaveLength(TARGETS.length);
    for (const target of TARGETS) {
      const name = `kube-login_${version}_${target.os}_${target.arch}.${target.archive}`;
      const platform = krew.spec.platforms.find((p) => p.selector.matchLabels.os === target.os && p.selector.matchLabels.arch === target.arch);
      expect(platform, target.name).toEqual({ selector: { matchLabels: { os: target.os, arch: target.arch } }, uri: `${BASE_URL}/${name}`, sha256: sums.get(name), bin: target.exe });
    }

    const formula = readFileSync(join(out, 'kube-login.rb'), 'utf8');
    const pairs = [...formula.matchAll(/url "([^"]+)"\n\s+sha256 "([0-9a-f]{64})"/g)].map((match) => [match[1], match[2]]);
    expect(pairs).toHaveLength(4);
    for (const [url, hash] of pairs) expect(hash, url).toBe(sums.get((url as string).slice(BASE_URL.length + 1)));
    expect(formula).toContain('bin.install "kube-login"');
    expect(formula).toMatch(/test do\n\s+assert_match version.to_s, shell_output\("#\{bin\}\/kube-login --version"\)/);
  });

  it('fails a target whose keychain addon cannot be fetched, naming the package, and writes no archive for it', async () => {
    const failedOut = makeTempDir('kube-login-release-failed-');
    // An unreachable registry and an empty npm cache: the fetch of the linux-arm64 addon must fail.
    const result = await runProcess(process.execPath, [join(repoRoot, 'scripts', 'release.mjs'), `--out=${failedOut}`, '--targets=linux-arm64'], {
      timeoutMs: 120_000,
      cwd: repoRoot,
      env: { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: makeTempDir('kube-login-npm-cache-'), npm_config_fetch_retries: '0', npm_config_offline: undefined },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`release: could not build linux-arm64: could not fetch the keychain addon @napi-rs/keyring-linux-arm64-gnu@${keyringVersion} from the npm registry`);
    expect(result.stderr).toContain('no archive is written for linux-arm64');
    expect(readdirSync(failedOut).sort()).toEqual(['SHA256SUMS']);
    expect(readFileSync(join(failedOut, 'SHA256SUMS'), 'utf8')).toBe('');
  }, 150_000);

  describe('the linux-amd64 archive, on a PATH without Node.js', () => {
    let provider: TestProvider;
    const bin = makeTempDir('kube-login-newcomer-bin-');
    beforeAll(async () => {
      provider = await startProvider();
      // krew links the executable as kubectl-kube_login; kubectl itself is on the PATH, node is not.
      symlinkSync(join(extracted, 'linux-amd64', 'kube-login'), join(bin, 'kubectl-kube_login'));
      symlinkSync(execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim(), join(bin, 'kubectl'));
    });
    afterAll(async () => {
      await provider?.stop();
    });
    // Only what kubectl needs to find the plugin: /bin and /usr/bin hold node on this machine.
    const env = (home: string) => ({ HOME: home, PATH: bin });

    it('runs --version directly and as `kubectl kube-login`', async () => {
      const home = makeTempDir('kube-login-newcomer-');
      expect(execFileSync('/bin/sh', ['-c', 'command -v node || echo none'], { env: env(home), encoding: 'utf8' }).trim()).toBe('none');
      const direct = await runProcess(join(extracted, 'linux-amd64', 'kube-login'), ['--version'], { env: env(home), timeoutMs: 30_000, cwd: home });
      expect(direct.stdout).toBe(`${version} (bun ${direct.stdout.match(/bun (\S+)/)?.[1]} executable, linux/amd64)\n`);
      const plugin = await runProcess(join(bin, 'kubectl'), ['kube-login', '--version'], { env: env(home), timeoutMs: 30_000, cwd: home });
      expect(plugin.code, plugin.stderr).toBe(0);
      expect(plugin.stdout).toBe(direct.stdout);
    });

    it('logs in with get-token and answers the next call from the cache', async () => {
      const m = machine(provider);
      // The login driver stands in for the person's browser; it is the only Node.js program here.
      const browser = `--browser-command=${process.execPath} ${loginDriverScript}`;
      const flags = m.flags.map((flag) => (flag.startsWith('--browser-command=') ? browser : flag));
      const run = () =>
        runProcess(join(bin, 'kubectl-kube_login'), ['get-token', ...flags], {
          env: { ...env(m.home), ...loginDriverEnv({ log: m.driverLog }) },
          timeoutMs: 60_000,
          cwd: m.home,
        });
      const login = await run();
      expect(login.code, login.stderr).toBe(0);
      expect(credential(login).status.token.split('.')).toHaveLength(3);
      const hit = await run();
      expect(hit.code, hit.stderr).toBe(0);
      expect(credential(hit).status.token).toBe(credential(login).status.token);
      expect(m.driver().launches).toBe(1);
    });
  });
});
