// Well-known locations inside the repository that the test support layer reads and writes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (the folder holding package.json). */
export const repoRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder holding one sub-folder per test run with its recorded stderr and issued tokens. */
export const leakCheckDir: string = join(repoRoot, '.tmp', 'leak-check');

/** The built command-line entry point that integration tests run. */
export const cliEntry: string = join(repoRoot, 'bin', 'kube-login.js');

/** The HTTP login driver used as `--browser-command`. */
export const loginDriverScript: string = join(repoRoot, 'test', 'support', 'login-driver.mjs');

/** The headless-Chromium login driver used as `--browser-command`. */
export const chromiumLoginScript: string = join(repoRoot, 'test', 'support', 'chromium-login.mjs');
