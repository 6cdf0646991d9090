// `kube-login get-token`: the kubectl exec credential plugin (the cache-hit path is in src/fast/).
import { homedir } from 'node:os';
import { Command } from 'commander';
import { toGetTokenInput } from '../../config/get-token-input.js';
import { addGetTokenOptions, rawFlagsFrom } from '../options/get-token-options.js';
import type { CliContext } from '../context.js';

/** Registers get-token. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('get-token')
    .description('print an ExecCredential for kubectl: from the cache, by refresh, or after a browser login')
    .allowExcessArguments(false);
  addGetTokenOptions(command).action(async () => {
    const input = toGetTokenInput(rawFlagsFrom(command), ctx.env, homedir());
    const { runGetToken } = await import('../../compose/get-token.js');
    ctx.stdout.write(await runGetToken(ctx, input));
  });
  program.addCommand(command);
}
