// `kube-login status`: the cached session of one configuration (its get-token flags) or of all.
import { homedir } from 'node:os';
import { Command, Option } from 'commander';
import { resolveCacheDir } from '../../cache/cache-dir.js';
import { cacheKey } from '../../cache/key.js';
import { KubeLoginError } from '../../errors.js';
import type { SessionSelection } from '../../usecases/status.js';
import type { CliContext } from '../context.js';
import type { RawGetTokenFlags } from '../../config/get-token-flags.js';
import { type GetTokenInput, cacheKeyInputOf, toGetTokenInput } from '../../config/get-token-input.js';
import { addContextOptions, addScriptFlags, resolveTarget, targetOf } from '../options/context-options.js';

/** Which cached sessions a status or logout command is about, and the get-token input when it names one. */
export interface SelectedSessions {
  cacheDir: string;
  selection: SessionSelection;
  /** The validated get-token flags (for one configuration, or with --all when they can be validated). */
  input: GetTokenInput | undefined;
  verbose: boolean;
}

/**
 * Reads the selection: `--all` (optionally narrowed by --oidc-issuer-url and --oidc-client-id), or the
 * get-token flags of one configuration, exactly as the kubeconfig's exec args give them.
 */
export function selectedSessions(raw: RawGetTokenFlags, all: boolean, command: string, env: NodeJS.ProcessEnv): SelectedSessions {
  const verbose = raw.booleans['verbose'] === true;
  const issuer = raw.strings['oidc-issuer-url'];
  const clientId = raw.strings['oidc-client-id'];
  if (all) {
    // The same directory get-token uses, KUBECACHEDIR included.
    const kubeCacheDir = env['KUBECACHEDIR'];
    const cacheDir = resolveCacheDir(raw.strings['token-cache-dir'] ?? (kubeCacheDir ? `${kubeCacheDir}/kube-login` : undefined), homedir());
    const input = issuer && clientId ? toGetTokenInput(raw, env, homedir()) : undefined;
    return {
      cacheDir,
      selection: { kind: 'all', ...(issuer ? { issuer } : {}), ...(clientId ? { clientId } : {}) },
      input,
      verbose,
    };
  }
  if (!issuer || !clientId) {
    throw new KubeLoginError('usage', `run ${command}`, `--${issuer ? 'oidc-client-id' : 'oidc-issuer-url'} is missing`, {
      fix: `pass --context NAME (or nothing, for the current context), or all the get-token flags of one configuration (as in the kubeconfig's exec args), or --all`,
    });
  }
  const input = toGetTokenInput(raw, env, homedir());
  return { cacheDir: input.cacheDir, selection: { kind: 'one', key: cacheKey(cacheKeyInputOf(input)) }, input, verbose };
}

/** Registers status. The report goes to stdout; nothing it prints is a token. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('status')
    .description('show who you are logged in as on a kubeconfig context (default: the current one), until when, and where the tokens are kept; --all for every context')
    .allowExcessArguments(false);
  addContextOptions(command, 'show')
    .addOption(new Option('--all', 'every context of the kubeconfig (with get-token flags such as --token-cache-dir: every cached configuration)'))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'));
  addScriptFlags(command).action(async () => {
    const options = command.opts<{ all?: boolean; output: 'text' | 'json' }>();
    const target = targetOf(command, 'status');
    const verbose = target.raw.booleans['verbose'] === true;
    const compose = () => import('../../compose/status.js');
    if (options.all === true && target.kind === 'context') {
      if (target.context !== undefined) throw new KubeLoginError('usage', 'run status', '--all and --context were both given', { fix: 'pass --all for every context, or --context NAME for one' });
      const { runContextsStatus } = await compose();
      ctx.stdout.write(await runContextsStatus(ctx, { ...(target.kubeconfig ? { kubeconfig: target.kubeconfig } : {}), output: options.output, verbose }));
      return;
    }
    if (target.kind === 'flags') {
      const selected = selectedSessions(target.raw, options.all === true, 'status', ctx.env);
      const { runStatus } = await compose();
      ctx.stdout.write(await runStatus(ctx, { cacheDir: selected.cacheDir, selection: selected.selection, output: options.output, verbose: selected.verbose }));
      return;
    }
    const resolved = await resolveTarget(target, ctx);
    const { runStatus } = await compose();
    ctx.stdout.write(
      await runStatus(ctx, {
        cacheDir: resolved.input.cacheDir,
        selection: { kind: 'one', key: cacheKey(cacheKeyInputOf(resolved.input)) },
        output: options.output,
        verbose,
        ...(resolved.context === undefined ? {} : { context: resolved.context }),
      }),
    );
  });
  program.addCommand(command);
}
