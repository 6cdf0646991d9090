// Golden files for apiserver-config and rbac outputs: UPDATE_GOLDEN=1 rewrites them, otherwise any
// difference fails the test with the name of the file to review.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the committed golden files live. */
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden', 'apiserver');

/** The result of comparing output with its golden file. */
export type GoldenResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Compares `actual` with `<name>.golden`; with `update`, writes it instead. Pure apart from the file. */
export function compareGolden(name: string, actual: string, update: boolean): GoldenResult {
  const file = join(GOLDEN_DIR, `${name}.golden`);
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return { ok: true };
  }
  if (!existsSync(file)) return { ok: false, message: `${file} does not exist; run with UPDATE_GOLDEN=1 to create it` };
  const expected = readFileSync(file, 'utf8');
  if (expected === actual) return { ok: true };
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  const line = expectedLines.findIndex((text, index) => text !== actualLines[index]);
  const at = line < 0 ? expectedLines.length : line;
  return {
    ok: false,
    message: `${file} differs at line ${at + 1}:\n  golden: ${JSON.stringify(expectedLines[at])}\n  actual: ${JSON.stringify(actualLines[at])}\nreview the change, then run with UPDATE_GOLDEN=1 to accept it`,
  };
}

/** True when the run should rewrite golden files. */
export const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';
