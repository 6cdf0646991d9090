// Builds the real ports of rbac: files, stdin/stdout and the logger.
import type { CliContext } from '../cli/context.js';
import { createLogger } from '../platform/logger.js';
import { type RbacInput, rbac } from '../usecases/rbac.js';
import { outputPorts } from './output-ports.js';

/** Runs rbac for real. */
export async function runRbac(ctx: CliContext, input: RbacInput, verbose: boolean): Promise<void> {
  await rbac({ ...outputPorts(ctx), logger: createLogger(ctx.stderr, verbose) }, input);
}
