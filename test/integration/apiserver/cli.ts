// Runs the kube-login program in-process with captured streams (the composition is the real one).
import { runProgram } from '../../../src/cli/program.js';
import { toKubeLoginError } from '../../../src/cli/exit-codes.js';
import type { KubeLoginError } from '../../../src/errors.js';

/** The streams and error of one run. */
export interface InProcessRun {
  stdout: string;
  stderr: string;
  error: KubeLoginError | undefined;
}

/** Runs `kube-login <args>`; errors are returned, not thrown, as main would print them. */
export async function runInProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<InProcessRun> {
  const run: InProcessRun = { stdout: '', stderr: '', error: undefined };
  try {
    await runProgram(
      {
        stdout: { write: (text: string) => (run.stdout += text) },
        stderr: { write: (text: string) => (run.stderr += text) },
        env,
        stdinIsTTY: false,
        stderrIsTTY: false,
      },
      args,
    );
  } catch (error) {
    run.error = toKubeLoginError(error);
  }
  return run;
}
