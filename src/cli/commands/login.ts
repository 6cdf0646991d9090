// `kube-login login`: log in now on a kubeconfig context (default: the current one) or get-token flags;
// with --no-wait, start the login in the background and return at once with where to log in.
import { Command, Option } from 'commander';
import type { PendingLogin } from '../../cache/pending-login.js';
import { parseExtraParams } from '../../config/get-token-input.js';
import type { CliContext } from '../context.js';
import { addContextOptions, addScriptFlags, resolveTarget, targetOf } from '../options/context-options.js';

/** The stderr text of a pending login: where to log in, until when, and how to follow it. */
export function describePending(pending: PendingLogin, started: boolean, context: string | undefined): string {
  const on = context === undefined ? '' : ` on context ${context}`;
  const head = started ? `kube-login: a login is waiting for you${on} until ${pending.expiresAt}` : `kube-login: a login was already waiting for you${on} until ${pending.expiresAt}`;
  const open = pending.userCode === undefined ? `open\n\n    ${pending.url}\n` : `open\n\n    ${pending.url}\n\nand enter the code ${pending.userCode}\n`;
  const follow = `kube-login status${context === undefined ? '' : ` --context ${context}`}`;
  return `${head}: ${open}\nIt finishes in the background (pid ${pending.pid}, log ${pending.logFile}); \`${follow}\` shows when it is done.\n`;
}

/** Registers login and the hidden login-worker (the detached process of --no-wait). It never prints a token. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('login')
    .description('log in now on a kubeconfig context (default: the current one): refresh the token when a refresh token works, else log in; --force logs in again (with --oidc-auth-request-extra-params prompt=select_account or login_hint=… to switch accounts); --no-wait returns at once with the URL')
    .allowExcessArguments(false);
  addContextOptions(command, 'log in to')
    .addOption(new Option('--force', 'run a new login even when the cached token is valid or refreshable'))
    .addOption(new Option('--no-wait', 'start the login in a background process and return at once with the URL (for agents, CI jobs, editors)'))
    .addOption(new Option('-o, --output <format>', 'text (stderr) or json (stdout): with --no-wait, {"context", "url", "userCode"?, "expiresAt", "grant"}').choices(['text', 'json']).default('text'));
  addScriptFlags(command).action(async () => {
    const options = command.opts<{ force?: boolean; wait: boolean; output: 'text' | 'json' }>();
    const target = targetOf(command, 'login');
    const resolved = await resolveTarget(target, ctx);
    // With a context, extra parameters on the command line are for this login's request only: the
    // session stays the context's (its cache key), so kubectl uses the account chosen here.
    const requestParams = target.kind === 'context' ? parseExtraParams(target.raw.lists['oidc-auth-request-extra-params'] ?? []) : {};
    const { withExecEnv } = await import('../../compose/kubeconfig-context.js');
    const runCtx = withExecEnv(ctx, resolved.env);
    const request = { input: resolved.input, requestParams, force: options.force === true, ...(resolved.context === undefined ? {} : { context: resolved.context }) };
    const context = resolved.context ?? null;
    if (options.wait === false) {
      const { runLoginNoWait } = await import('../../compose/login-detached.js');
      const result = await runLoginNoWait(runCtx, request);
      if (result.kind === 'logged-in') {
        if (options.output === 'json') ctx.stdout.write(JSON.stringify({ context, loggedIn: true, ...result.login }) + '\n');
        return;
      }
      const { pending, started } = result;
      ctx.stderr.write(describePending(pending, started, resolved.context));
      if (options.output === 'json') {
        const { url, userCode, expiresAt, grant, pid, logFile } = pending;
        ctx.stdout.write(JSON.stringify({ context, url, ...(userCode === undefined ? {} : { userCode }), expiresAt, grant, started, pid, logFile }) + '\n');
      }
      return;
    }
    const { runLogin } = await import('../../compose/login.js');
    const login = await runLogin(runCtx, request);
    if (options.output === 'json') ctx.stdout.write(JSON.stringify({ context, loggedIn: true, ...login }) + '\n');
  });
  program.addCommand(command);

  const worker = new Command('login-worker').description('the background process of `login --no-wait` (internal)').allowExcessArguments(false);
  worker.action(async () => {
    const { runLoginWorker } = await import('../../compose/login-detached.js');
    await runLoginWorker(ctx);
  });
  program.addCommand(worker, { hidden: true });
}
