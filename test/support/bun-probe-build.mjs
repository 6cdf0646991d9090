// Run by Bun (test/release/executable-hit-loads.test.ts): bundles src/executable.ts exactly as
// scripts/build-executable.mjs does (CommonJS, bytecode, minified) but to a folder instead of an
// executable, with every module of the OIDC, HTTP, YAML, JWT and CLI libraries prefixed by a line that
// records its package in globalThis.__kubeLoginLoaded when the module is evaluated.
//   bun test/support/bun-probe-build.mjs OUTDIR ADDON
const [outdir, addon] = process.argv.slice(2);
const LIBRARIES = ['commander', 'openid-client', 'oauth4webapi', 'yaml', 'jose', 'open', 'undici', 'diff'];
const filter = new RegExp(`node_modules/(${LIBRARIES.join('|')})/.*\\.(m?js|cjs)$`);
const { mkdtempSync, writeFileSync } = await import('node:fs');
const { join } = await import('node:path');
const shim = join(mkdtempSync(join(outdir, 'shim-')), 'keyring-addon.cjs');
writeFileSync(shim, `module.exports = require(${JSON.stringify(addon)});\n`);
const result = await Bun.build({
  entrypoints: [join(import.meta.dir, '..', '..', 'src', 'executable.ts')],
  outdir,
  target: 'bun',
  format: 'cjs',
  bytecode: true,
  minify: true,
  define: { KUBE_LOGIN_BUILD_VERSION: '"0.0.0-probe"' },
  plugins: [
    {
      name: 'probe',
      setup(build) {
        build.onResolve({ filter: /^@napi-rs\/keyring$/ }, () => ({ path: shim }));
        build.onLoad({ filter }, async (args) => {
          const name = LIBRARIES.find((library) => args.path.includes(`/node_modules/${library}/`));
          const text = await Bun.file(args.path).text();
          return { contents: `(globalThis.__kubeLoginLoaded ??= new Set()).add(${JSON.stringify(name)});\n${text}`, loader: 'js' };
        });
      },
    },
  ],
});
if (!result.success) {
  process.stderr.write(result.logs.map(String).join('\n'));
  process.exit(1);
}
