// Composition root of the full CLI: builds the real ports, runs the program, sets the exit code.
import { exitCodeOf, formatError, toKubeLoginError } from './cli/exit-codes.js';
import type { CliContext } from './cli/context.js';
import { runProgram } from './cli/program.js';
import { normalizeVerbosityArgs } from './config/parse-argv.js';
import { processRedactor } from './platform/redactor.js';
import { terminalText } from './platform/terminal-text.js';

/** Runs kube-login with the given arguments (no node/script prefix) and sets process.exitCode. */
export async function main(argv: readonly string[]): Promise<void> {
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
  // kubelogin's `-v1` / `--v=1` become --verbose here, as the fast path reads them too.
  const args = normalizeVerbosityArgs(argv);
  try {
    await runProgram(ctx, args);
  } catch (thrown) {
    const error = toKubeLoginError(thrown);
    const verbose = args.includes('-v') || args.includes('--verbose');
    process.stderr.write(terminalText(processRedactor.mask(formatError(error, verbose))));
    process.exitCode = exitCodeOf(error);
  }
  // The command is done. A timer a library left behind (openid-client's device-code poll sleeps up
  // to 5 s between its abort checks) must not keep kubectl waiting: give the streams a moment to
  // drain, then end the process. Nothing else is left to do by now.
  setTimeout(() => process.exit(), 200).unref();
}
