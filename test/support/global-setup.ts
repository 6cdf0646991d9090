// Vitest global setup for the main suite: a leak-check folder and a temp folder for this run.
//
// Other vitest runs may be going on in the same tree, so each run records into
// .tmp/leak-check/run-<time>-<pid>/ (handed to the test workers in KUBE_LOGIN_LEAK_RUN_DIR, which
// the leak project of the same `vitest run` also reads), and .tmp/leak-check/latest names the
// newest run for a separate `vitest run --project leak`.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LEAK_RUN_DIR_ENV } from './leak-record.js';
import { leakCheckDir } from './paths.js';
import { TEST_TMP_ROOT_ENV } from './temp-dir.js';

const KEEP_MS = 60 * 60 * 1000;

function createLeakRunDir(): void {
  // scripts/test.mjs runs the suites twice (Node, then the executable) into one run folder, so
  // that the leak project checks both: it sets the folder before the first run.
  const preset = process.env[LEAK_RUN_DIR_ENV];
  if (preset) {
    mkdirSync(preset, { recursive: true });
    writeFileSync(join(leakCheckDir, 'latest'), `${basename(preset)}\n`);
    return;
  }
  mkdirSync(leakCheckDir, { recursive: true });
  for (const name of readdirSync(leakCheckDir)) {
    const path = join(leakCheckDir, name);
    if (name.startsWith('run-') && Date.now() - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { recursive: true, force: true });
  }
  const name = `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  mkdirSync(join(leakCheckDir, name));
  writeFileSync(join(leakCheckDir, 'latest'), `${name}\n`);
  process.env[LEAK_RUN_DIR_ENV] = join(leakCheckDir, name);
}

/** Sets up this run's leak-check folder and temp root; the returned teardown removes the temp root. */
export default function setup(): () => void {
  createLeakRunDir();
  const tmpRoot = mkdtempSync(join(tmpdir(), 'kube-login-test-run-'));
  process.env[TEST_TMP_ROOT_ENV] = tmpRoot;
  return () => rmSync(tmpRoot, { recursive: true, force: true });
}
