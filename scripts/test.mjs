// `npm test`: the whole suite against both ways kube-login ships (README "Try it").
//   1. build dist/ and run every test (unit, integration, end to end) against `node bin/kube-login.js`;
//   2. compile this machine's single executable (scripts/build-executable.mjs, with Bun), copy it
//      into a temporary folder with no node_modules, and run the integration and end-to-end suites
//      against it (KUBE_LOGIN_TEST_EXECUTABLE, read by test/support/paths.ts);
//   3. the leak check over the stderr both runs recorded.
// Every step runs even when one fails; the exit code is the first failure's. Extra arguments go to
// both vitest runs of the main project (e.g. a test file filter).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTarget } from './executable-targets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// vitest's own bin (package exports hide the file, so it is found beside package.json).
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const extra = process.argv.slice(2);
let failed = 0;

function step(title, command, args, env = {}) {
  process.stderr.write(`\n=== ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const code = result.status ?? 1;
  if (code !== 0 && failed === 0) failed = code;
  return code === 0;
}

const runName = `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
const leakRunDir = join(root, '.tmp', 'leak-check', runName);
mkdirSync(leakRunDir, { recursive: true });
const leakEnv = { KUBE_LOGIN_LEAK_RUN_DIR: leakRunDir };

if (step('build (dist/)', process.execPath, [join(root, 'scripts', 'build.mjs')])) {
  step('vitest: unit, integration, e2e against node bin/kube-login.js', process.execPath, [vitest, 'run', '--project', 'main', ...extra], leakEnv);
}

const target = hostTarget();
if (!target) {
  process.stderr.write(`\n=== no executable suite: ${process.platform}-${process.arch} is not a release target\n`);
  failed ||= 1;
} else {
  const built = join(root, '.build', target.name, target.exe);
  const bun = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'bun.exe' : 'bun');
  if (step(`build the ${target.name} executable`, bun, [join(root, 'scripts', 'build-executable.mjs'), `--target=${target.name}`, `--outfile=${built}`])) {
    const folder = mkdtempSync(join(tmpdir(), 'kube-login-executable-'));
    const executable = join(folder, target.exe);
    copyFileSync(built, executable);
    try {
      const filter = extra.length > 0 ? extra : ['test/integration', 'test/e2e'];
      step(`vitest: integration, e2e against the executable ${executable}`, process.execPath, [vitest, 'run', '--project', 'main', ...filter], {
        ...leakEnv,
        KUBE_LOGIN_TEST_EXECUTABLE: executable,
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

step('vitest: leak check over both runs', process.execPath, [vitest, 'run', '--project', 'leak'], leakEnv);
process.exit(failed);
