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
import { addGetTokenOptions, rawFlagsFrom } from '../options/get-token-options.js';

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
      fix: `pass the get-token flags of one configuration (as in the kubeconfig's exec args), or --all for every cached configuration`,
    });
  }
  const input = toGetTokenInput(raw, env, homedir());
  return { cacheDir: input.cacheDir, selection: { kind: 'one', key: cacheKey(cacheKeyInputOf(input)) }, input, verbose };
}

/** Registers status. The report goes to stdout; nothing it prints is a token. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('status')
    .description('show the cached session of one configuration (its get-token flags) or of all: identity, expiry, refresh token, storage, lock')
    .allowExcessArguments(false)
    .addOption(new Option('--all', 'every cached configuration of the cache directory'))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'));
  addGetTokenOptions(command).action(async () => {
    const options = command.opts<{ all?: boolean; output: 'text' | 'json' }>();
    const selected = selectedSessions(rawFlagsFrom(command), options.all === true, 'status', ctx.env);
    const { runStatus } = await import('../../compose/status.js');
    ctx.stdout.write(await runStatus(ctx, { cacheDir: selected.cacheDir, selection: selected.selection, output: options.output, verbose: selected.verbose }));
  });
  program.addCommand(command);
}
