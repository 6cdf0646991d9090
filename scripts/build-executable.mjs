// Compiles kube-login into one executable with Bun (run by Bun: `bun scripts/build-executable.mjs`).
//   --target=NAME    linux-amd64 (default: this machine), linux-arm64, darwin-amd64, darwin-arm64, windows-amd64
//   --addon=FILE     the target's @napi-rs/keyring addon (.node); default: the one installed in node_modules
//   --outfile=FILE   default: .build/<target>/kube-login[.exe]
// Why each option (docs/benchmarks.md has the figures):
// - `bytecode`: a cache hit parses no JavaScript at start-up (with minify alone a hit costs ~37 ms);
// - `autoloadDotenv`/`autoloadBunfig` off: by default a Bun executable reads `.env` and `bunfig.toml`
//   from the current folder, and kubectl starts plugins in the user's folder: a repository's `.env`
//   must never change kube-login's environment or preload code into it;
// - the `@napi-rs/keyring` import resolves to a shim that requires the target's addon file by its
//   path, so Bun embeds exactly that addon (a plain build embeds only the host's, found by the
//   package's platform switch);
// - `KUBE_LOGIN_BUILD_VERSION` is inlined: the bundle cannot read package.json at run time.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTarget, targetNamed } from './executable-targets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds one executable; throws an Error whose message says what failed. */
export async function buildExecutable({ target, addon, outfile, version }) {
  if (!existsSync(addon)) throw new Error(`the keychain addon ${addon} (${target.addonPackage}) is missing`);
  const work = mkdtempSync(join(tmpdir(), 'kube-login-exe-'));
  try {
    const shim = join(work, 'keyring-addon.cjs');
    writeFileSync(shim, `module.exports = require(${JSON.stringify(resolve(addon))});\n`);
    mkdirSync(dirname(outfile), { recursive: true });
    rmSync(outfile, { force: true });
    const result = await Bun.build({
      entrypoints: [join(root, 'src', 'executable.ts')],
      compile: { target: target.bunTarget, outfile, autoloadDotenv: false, autoloadBunfig: false },
      bytecode: true,
      minify: true,
      define: { KUBE_LOGIN_BUILD_VERSION: JSON.stringify(version) },
      plugins: [
        {
          name: 'keyring-addon',
          setup(build) {
            build.onResolve({ filter: /^@napi-rs\/keyring$/ }, () => ({ path: shim }));
          },
        },
      ],
      logLevel: 'warning',
    });
    if (!result.success) throw new Error(result.logs.map((log) => String(log)).join('\n') || 'bun build failed');
    if (!existsSync(outfile)) throw new Error(`bun build wrote no ${outfile}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The installed addon of the host's package, e.g. node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node. */
export function installedAddon(target) {
  return join(root, 'node_modules', ...target.addonPackage.split('/'), target.addonFile);
}

if (import.meta.main) {
  const option = (name) => process.argv.slice(2).find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  try {
    if (typeof Bun === 'undefined') throw new Error('run me with Bun: npx bun scripts/build-executable.mjs');
    const targetName = option('target');
    const target = targetName ? targetNamed(targetName) : hostTarget();
    if (!target) throw new Error(`this machine (${process.platform}-${process.arch}) is not a release target; pass --target`);
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    const outfile = resolve(option('outfile') ?? join(root, '.build', target.name, target.exe));
    await buildExecutable({ target, addon: option('addon') ?? installedAddon(target), outfile, version });
    process.stderr.write(`built ${outfile} (${target.name}, kube-login ${version}, bun ${Bun.version})\n`);
  } catch (error) {
    process.stderr.write(`build-executable failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
