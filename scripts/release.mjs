// `npm run release`: the single executable for every target, packed for kubectl users, in dist/release/:
//   kube-login_<version>_<os>_<arch>.tar.gz (linux and darwin, amd64 and arm64) and
//   kube-login_<version>_windows_amd64.zip, each holding the executable, LICENSE and README.md;
//   SHA256SUMS over the archives; kube-login.krew.yaml (the krew plugin manifest); kube-login.rb
//   (the Homebrew formula).
// Options: --base-url=URL where the archives will be downloaded from (or KUBE_LOGIN_RELEASE_BASE_URL;
// default DEFAULT_BASE_URL below with the version), --out=DIR (default dist/release), --targets=a,b.
// Each executable embeds its platform's @napi-rs/keyring addon: the host's from node_modules, the
// others fetched from the npm registry with `npm pack` (npm ci installs only the host's). A target
// whose addon cannot be fetched fails with the package's name and gets no archive; the manifest and
// the formula are written only when every target was built, so they never name a missing archive.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tarGz, zip } from './archive.mjs';
import { TARGETS, hostTarget, targetNamed } from './executable-targets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = manifest.version;
const keyringVersion = manifest.dependencies['@napi-rs/keyring'];

/** Where the archives are published unless --base-url or KUBE_LOGIN_RELEASE_BASE_URL says otherwise. */
const DEFAULT_BASE_URL = 'https://github.com/kube-login/kube-login/releases/download/v{version}';
export const BASE_URL_ENV = 'KUBE_LOGIN_RELEASE_BASE_URL';

const option = (name) => process.argv.slice(2).find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const say = (line) => process.stderr.write(`release: ${line}\n`);

/** The archive file name of a target. */
export function archiveName(target) {
  return `kube-login_${version}_${target.os}_${target.arch}.${target.archive}`;
}

/** The target's addon file: installed for the host (same version), else fetched with `npm pack` into `work`. */
function addonFor(target, work) {
  const installed = join(root, 'node_modules', ...target.addonPackage.split('/'));
  if (target === hostTarget() && existsSync(join(installed, target.addonFile))) {
    const installedVersion = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version;
    if (installedVersion === keyringVersion) return join(installed, target.addonFile);
  }
  const spec = `${target.addonPackage}@${keyringVersion}`;
  const folder = join(work, 'addon', target.name);
  mkdirSync(folder, { recursive: true });
  const packed = spawnSync('npm', ['pack', spec, '--pack-destination', folder, '--silent', '--no-audit', '--no-fund'], { encoding: 'utf8', cwd: folder });
  const tgz = readdirSync(folder).find((name) => name.endsWith('.tgz'));
  if (packed.status !== 0 || !tgz) {
    const why = (packed.stderr || packed.error?.message || 'npm pack wrote no package').trim().split('\n').slice(-2).join(' ');
    throw new Error(`could not fetch the keychain addon ${spec} from the npm registry (${why}); no archive is written for ${target.name}`);
  }
  execFileSync('tar', ['-xzf', join(folder, tgz), '-C', folder]);
  const file = join(folder, 'package', target.addonFile);
  if (!existsSync(file)) throw new Error(`the package ${spec} holds no ${target.addonFile}; no archive is written for ${target.name}`);
  return file;
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** kube-login.krew.yaml: krew's v1alpha2 Plugin, one platform per archive (krew.sigs.k8s.io/docs/developer-guide/plugin-manifest). */
export function krewManifest(built, baseUrl) {
  const platforms = built
    .map(({ target, name, sha }) =>
      [
        '  - selector:',
        '      matchLabels:',
        `        os: ${target.os}`,
        `        arch: ${target.arch}`,
        `    uri: ${baseUrl}/${name}`,
        `    sha256: ${sha}`,
        `    bin: ${target.exe}`,
      ].join('\n'),
    )
    .join('\n');
  return `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: kube-login
spec:
  version: v${version}
  homepage: https://github.com/kube-login/kube-login
  shortDescription: OIDC login for kubectl, with a keychain token cache
  description: |
    kube-login logs you in to Kubernetes clusters whose API server trusts an
    OpenID Connect provider. It is an exec credential plugin (it takes the flags
    of kubelogin's get-token), keeps tokens in the OS keychain, refreshes them
    once for many parallel kubectl calls, sets up your kubeconfig and writes the
    API server's OIDC configuration. Run \`kubectl kube-login setup\` to start.
  caveats: |
    kubectl runs the plugin for every command: \`kubectl kube-login setup\`
    writes a kubeconfig user whose exec command is kubectl-kube_login itself.
  platforms:
${platforms}
`;
}

/** kube-login.rb: a Homebrew formula with one URL and checksum per os/arch. */
export function homebrewFormula(built, baseUrl) {
  const entry = (os, arch) => built.find(({ target }) => target.os === os && target.arch === arch);
  const block = (os, arch) => {
    const found = entry(os, arch);
    return found ? `      url "${baseUrl}/${found.name}"\n      sha256 "${found.sha}"` : '';
  };
  const platform = (os, brewOs) =>
    `  ${brewOs} do\n    on_intel do\n${block(os, 'amd64')}\n    end\n    on_arm do\n${block(os, 'arm64')}\n    end\n  end`;
  return `# Homebrew formula for kube-login ${version}, written by scripts/release.mjs.
class KubeLogin < Formula
  desc "OIDC login for kubectl: exec credential plugin with a keychain token cache"
  homepage "https://github.com/kube-login/kube-login"
  version "${version}"
  license "Apache-2.0"

${platform('darwin', 'on_macos')}

${platform('linux', 'on_linux')}

  def install
    bin.install "kube-login"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/kube-login --version")
  end
end
`;
}

async function main() {
  const out = resolve(option('out') ?? join(root, 'dist', 'release'));
  const baseUrl = (option('base-url') ?? process.env[BASE_URL_ENV] ?? DEFAULT_BASE_URL.replace('{version}', version)).replace(/\/+$/, '');
  const targets = option('targets') ? option('targets').split(',').map(targetNamed) : TARGETS;
  const bun = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'bun.exe' : 'bun');
  if (!existsSync(bun)) throw new Error('Bun is not installed: run `npm ci` first (bun is a devDependency)');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'kube-login-release-'));
  const license = readFileSync(join(root, 'LICENSE'));
  const readme = readFileSync(join(root, 'README.md'));
  const built = [];
  const failed = [];
  try {
    for (const target of targets) {
      try {
        const addon = addonFor(target, work);
        const exe = join(work, 'exe', target.name, target.exe);
        const compile = spawnSync(bun, [join(root, 'scripts', 'build-executable.mjs'), `--target=${target.name}`, `--addon=${addon}`, `--outfile=${exe}`], {
          cwd: root,
          encoding: 'utf8',
        });
        if (compile.status !== 0) throw new Error(`could not compile the executable: ${(compile.stderr || '').trim()}`);
        chmodSync(exe, 0o755);
        const files = [
          { name: target.exe, data: readFileSync(exe), mode: 0o755 },
          { name: 'LICENSE', data: license, mode: 0o644 },
          { name: 'README.md', data: readme, mode: 0o644 },
        ];
        const data = target.archive === 'zip' ? zip(files) : tarGz(files);
        const name = archiveName(target);
        writeFileSync(join(out, name), data);
        built.push({ target, name, sha: sha256(data), exeBytes: files[0].data.length, archiveBytes: data.length });
        say(`${name}: executable ${(files[0].data.length / 1e6).toFixed(1)} MB, archive ${(data.length / 1e6).toFixed(1)} MB (addon ${target.addonPackage}@${keyringVersion})`);
      } catch (error) {
        failed.push(target.name);
        say(`could not build ${target.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(join(out, 'SHA256SUMS'), built.map(({ name, sha }) => `${sha}  ${name}\n`).join(''));
  if (failed.length > 0) {
    say(`failed: ${failed.join(', ')}; kube-login.krew.yaml and kube-login.rb are not written (they would name missing archives)`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(join(out, 'kube-login.krew.yaml'), krewManifest(built, baseUrl));
  writeFileSync(join(out, 'kube-login.rb'), homebrewFormula(built, baseUrl));
  say(`wrote ${built.length} archives, SHA256SUMS, kube-login.krew.yaml and kube-login.rb to ${out} (base URL ${baseUrl})`);
}

main().catch((error) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
