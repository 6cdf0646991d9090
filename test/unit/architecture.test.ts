// The import rules of docs/design.md, checked on the sources and on the built fast path, so that a
// change which breaks them fails here instead of in a code review (or on every kubectl call).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const srcDir = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports: static imports, `import()`, `require()` and `import('x')` types. */
function specifiers(path: string): string[] {
  const text = readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found = [...text.matchAll(/(?:from\s+|import\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1] as string);
  return [...new Set(found)];
}

const files = sourceFiles(srcDir).map((path) => ({ name: relative(root, path), imports: specifiers(path) }));

const importersOf = (module: string): string[] => files.filter((file) => file.imports.includes(module)).map((file) => file.name).sort();

describe('import rules', () => {
  it.each([
    ['openid-client', ['src/oidc/provider-client.ts']],
    ['open', ['src/oidc/browser.ts']],
    ['@napi-rs/keyring', ['src/cache/keychain-store.ts', 'src/fast/keychain-read.ts']],
    ['jose', ['src/apiserver/verify-signature.ts']],
  ])('%s is imported by its one adapter only', (module, allowed) => {
    expect(importersOf(module)).toEqual(allowed);
  });

  it('finds the imports it checks (the scanner is not blind)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importersOf('openid-client')).not.toEqual([]);
    expect(files.find((file) => file.name === 'src/fast/keychain-read.ts')?.imports).toContain('@napi-rs/keyring');
  });

  it('use cases and adapters never reach up into commands or composition roots', () => {
    const upward = files.filter(
      (file) =>
        !/^src\/(cli|compose|main\.ts|executable\.ts)/.test(file.name) &&
        file.imports.some((spec) => /\/(compose|cli\/commands)\/|\/cli\/program\.js$|\/main\.js$/.test(spec)),
    );
    expect(upward.map((file) => file.name)).toEqual([]);
  });

  it('nothing outside cli/ and compose/ imports from cli/: the login configuration lives in config/', () => {
    const intoCli = files.filter(
      (file) => !/^src\/(cli|compose)\/|^src\/main\.ts$/.test(file.name) && file.imports.some((spec) => /(^|\/)cli\//.test(spec)),
    );
    expect(intoCli.map((file) => file.name)).toEqual([]);
    expect(importersOf('../config/get-token-input.js').length + importersOf('../../config/get-token-input.js').length).toBeGreaterThan(10);
  });

  it('command files load their composition roots lazily, so each command loads only what it needs', () => {
    const commands = files.filter((file) => file.name.startsWith('src/cli/commands/') && !file.name.endsWith('index.ts'));
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      const text = readFileSync(join(root, command.name), 'utf8');
      // `import type` is erased at build time; a value import would load the use case eagerly.
      expect(text, command.name).not.toMatch(/^import (?!type )[^;]*from ['"]\.\.\/\.\.\/(compose|usecases)\//m);
    }
  });
});

describe('the single executable\'s entry (src/executable.ts)', () => {
  it('imports only the fast path eagerly; the full CLI only through a dynamic import(), which Bun evaluates on a miss', () => {
    const text = readFileSync(join(srcDir, 'executable.ts'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const staticImports = [...text.matchAll(/^import\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]);
    expect(staticImports).toEqual(['./fast/hit.js']);
    expect([...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1])).toEqual(['./main.js']);
  });
});

describe('the built cache-hit path', () => {
  const bundle = join(root, 'dist', 'fast-hit.cjs');
  it('requires only Node built-ins and the keychain module, and bundles no OIDC, HTTP or CLI library', () => {
    expect(existsSync(bundle), 'run `node scripts/build.mjs` first (npm test does)').toBe(true);
    const text = readFileSync(bundle, 'utf8');
    const required = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]))];
    expect(required.filter((name) => !name?.startsWith('node:')).sort()).toEqual(['@napi-rs/keyring']);
    for (const library of ['openid-client', 'oauth4webapi', 'commander', 'undici', 'yaml', 'jose']) {
      expect(text, library).not.toContain(`node_modules/${library}/`);
    }
    expect(text).not.toContain('node:crypto');
  });
});
