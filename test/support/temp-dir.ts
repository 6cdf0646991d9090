// Temporary folders under os.tmpdir() that are removed when the test run (or the process) ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Set by the main suite's global setup to a per-run folder under os.tmpdir(), which its teardown
 * removes: vitest ends its workers without running their 'exit' handlers.
 */
export const TEST_TMP_ROOT_ENV = 'KUBE_LOGIN_TEST_TMP_ROOT';

const created = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

/** Creates `<tmp>/<prefix>XXXXXX` (inside the run's folder under vitest) and removes it at process exit. */
export function makeTempDir(prefix: string): string {
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAll);
  }
  const dir = mkdtempSync(join(process.env[TEST_TMP_ROOT_ENV] ?? tmpdir(), prefix));
  created.add(dir);
  return dir;
}
