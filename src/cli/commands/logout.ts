// `kube-login logout`: revoke at the provider, delete the cached tokens, optionally end the browser session.
import { homedir } from 'node:os';
import { Command, Option } from 'commander';
import { clientSecretOf } from '../../config/get-token-input.js';
import { expandHome } from '../../platform/expand-home.js';
import type { CliContext } from '../context.js';
import { addGetTokenOptions, rawFlagsFrom } from '../options/get-token-options.js';
import { selectedSessions } from './status.js';

/** Registers logout. It reports on stderr; stdout stays empty; the kubeconfig is never touched. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('logout')
    .description('revoke the refresh token at the provider (RFC 7009) and delete the cached tokens of one configuration (its get-token flags) or of all')
    .allowExcessArguments(false)
    .addOption(new Option('--all', 'every cached configuration of the cache directory'))
    .addOption(new Option('--end-session', "also open the provider's end_session_endpoint in the browser, to end its browser session"))
    .addOption(new Option('--local-only', 'delete the cached tokens without asking the provider to revoke them'));
  addGetTokenOptions(command).action(async () => {
    const options = command.opts<{ all?: boolean; endSession?: boolean; localOnly?: boolean }>();
    const raw = rawFlagsFrom(command);
    const selected = selectedSessions(raw, options.all === true, 'logout', ctx.env);
    const home = homedir();
    const clientId = raw.strings['oidc-client-id'];
    const secret = clientSecretOf(raw, ctx.env, home);
    const browserCommand = raw.strings['browser-command'];
    const { runLogout } = await import('../../compose/logout.js');
    await runLogout(ctx, {
      cacheDir: selected.cacheDir,
      selection: selected.selection,
      // With --all the TLS flags apply to every provider.
      tls: selected.input?.tls ?? {
        certificateAuthorityFiles: (raw.lists['certificate-authority'] ?? []).map((file) => expandHome(file, home)),
        certificateAuthorityData: raw.lists['certificate-authority-data'] ?? [],
        insecureSkipTlsVerify: raw.booleans['insecure-skip-tls-verify'] === true,
      },
      ...(clientId && secret ? { clientSecret: { clientId, secret } } : {}),
      browser: { skipOpenBrowser: raw.booleans['skip-open-browser'] === true, ...(browserCommand ? { browserCommand } : {}) },
      endSession: options.endSession === true,
      localOnly: options.localOnly === true,
      verbose: selected.verbose,
    });
  });
  program.addCommand(command);
}
