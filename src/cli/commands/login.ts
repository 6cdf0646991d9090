// `kube-login login`: log in now on a kubeconfig context (default: the current one) or get-token flags.
import { Command, Option } from 'commander';
import { parseExtraParams } from '../../config/get-token-input.js';
import type { CliContext } from '../context.js';
import { addContextOptions, addScriptFlags, targetOf } from '../options/context-options.js';
import { resolveTarget } from './status.js';

/** Registers login. It reports on stderr who is logged in and until when; it never prints a token. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('login')
    .description('log in now on a kubeconfig context (default: the current one): refresh the token when a refresh token works, else log in; --force logs in again (with --oidc-auth-request-extra-params prompt=select_account or login_hint=… to switch accounts)')
    .allowExcessArguments(false);
  addContextOptions(command, 'log in to').addOption(new Option('--force', 'run a new login even when the cached token is valid or refreshable'));
  addScriptFlags(command).action(async () => {
    const options = command.opts<{ force?: boolean }>();
    const target = targetOf(command, 'login');
    const resolved = await resolveTarget(target, ctx);
    // With a context, extra parameters on the command line are for this login's request only: the
    // session stays the context's (its cache key), so kubectl uses the account chosen here.
    const requestParams = target.kind === 'context' ? parseExtraParams(target.raw.lists['oidc-auth-request-extra-params'] ?? []) : {};
    const { withExecEnv } = await import('../../compose/kubeconfig-context.js');
    const { runLogin } = await import('../../compose/login.js');
    await runLogin(withExecEnv(ctx, resolved.env), {
      input: resolved.input,
      requestParams,
      force: options.force === true,
      ...(resolved.context === undefined ? {} : { context: resolved.context }),
    });
  });
  program.addCommand(command);
}
