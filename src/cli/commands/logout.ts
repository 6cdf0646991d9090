// `kube-login logout`: revoke at the provider, delete the cached tokens, optionally end the browser session.
import { homedir } from 'node:os';
import { Command, Option } from 'commander';
import { cacheKey } from '../../cache/key.js';
import { cacheKeyInputOf, clientSecretOf } from '../../config/get-token-input.js';
import { KubeLoginError } from '../../errors.js';
import { expandHome } from '../../platform/expand-home.js';
import type { CliContext } from '../context.js';
import { addContextOptions, addScriptFlags, resolveTarget, targetOf } from '../options/context-options.js';
import { selectedSessions } from './status.js';

/** Registers logout. It reports on stderr; stdout stays empty; the kubeconfig is never touched. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('logout')
    .description("revoke the refresh token at the provider (RFC 7009) and delete the cached tokens of a kubeconfig context (default: the current one), of one configuration (its get-token flags), or of all")
    .allowExcessArguments(false);
  addContextOptions(command, 'log out of')
    .addOption(new Option('--all', 'every cached configuration of the cache directory'))
    .addOption(new Option('--end-session', "also open the provider's end_session_endpoint in the browser, to end its browser session"))
    .addOption(new Option('--local-only', 'delete the cached tokens without asking the provider to revoke them'));
  addScriptFlags(command).action(async () => {
    const options = command.opts<{ all?: boolean; endSession?: boolean; localOnly?: boolean }>();
    const target = targetOf(command, 'logout');
    const raw = target.raw;
    const all = options.all === true;
    if (all && target.kind === 'context' && target.context !== undefined) {
      throw new KubeLoginError('usage', 'run logout', '--all and --context were both given', { fix: 'pass --all for every cached configuration, or --context NAME for one' });
    }
    const home = homedir();
    let selected;
    let runCtx = ctx;
    let contextSecret: string | undefined;
    if (target.kind === 'flags' || all) {
      selected = selectedSessions(raw, all, 'logout', ctx.env);
    } else {
      const resolved = await resolveTarget(target, ctx);
      const { withExecEnv } = await import('../../compose/kubeconfig-context.js');
      runCtx = withExecEnv(ctx, resolved.env);
      contextSecret = resolved.input.clientSecret;
      selected = { cacheDir: resolved.input.cacheDir, selection: { kind: 'one' as const, key: cacheKey(cacheKeyInputOf(resolved.input)) }, input: resolved.input, verbose: resolved.input.verbose };
    }
    const clientId = selected.input?.clientId ?? raw.strings['oidc-client-id'];
    const secret = contextSecret ?? clientSecretOf(raw, ctx.env, home);
    const browserCommand = selected.input?.browserCommand ?? raw.strings['browser-command'];
    const skipOpenBrowser = selected.input?.skipOpenBrowser ?? raw.booleans['skip-open-browser'] === true;
    const { runLogout } = await import('../../compose/logout.js');
    await runLogout(runCtx, {
      cacheDir: selected.cacheDir,
      selection: selected.selection,
      // With --all the TLS flags apply to every provider.
      tls: selected.input?.tls ?? {
        certificateAuthorityFiles: (raw.lists['certificate-authority'] ?? []).map((file) => expandHome(file, home)),
        certificateAuthorityData: raw.lists['certificate-authority-data'] ?? [],
        insecureSkipTlsVerify: raw.booleans['insecure-skip-tls-verify'] === true,
      },
      ...(clientId && secret ? { clientSecret: { clientId, secret } } : {}),
      browser: { skipOpenBrowser, ...(browserCommand ? { browserCommand } : {}) },
      endSession: options.endSession === true,
      localOnly: options.localOnly === true,
      verbose: selected.verbose,
    });
  });
  program.addCommand(command);
}
