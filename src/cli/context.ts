// What every command receives from the composition root: the process's streams and environment.
import type { TextSink } from '../platform/logger.js';

/** The process-level ports a command may use; tests of the CLI build their own. */
export interface CliContext {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}
