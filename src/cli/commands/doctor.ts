// `kube-login doctor`: checks a kubeconfig context (or get-token flags), each check ✓/✗/! with its fix.
import { homedir } from 'node:os';
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { toGetTokenInput } from '../../config/get-token-input.js';
import { addContextOptions, addScriptFlags, targetOf } from '../options/context-options.js';
import { pickDefined } from '../options/oidc-mapping-options.js';

/** Registers doctor. The checks go to stderr; it exits 11 when one failed. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('doctor')
    .description('check a kubeconfig context (default: the current one) or a set of get-token flags: exec stanza, provider, clock, proxy, keychain, cached token, refresh, and what the API server makes of the token')
    .allowExcessArguments(false);
  addContextOptions(command, 'check')
    .addOption(new Option('--username-claim <claim>', "the API server's --oidc-username-claim, to compare the username it gives with (optional)"))
    .addOption(new Option('--username-prefix <prefix>', "the API server's --oidc-username-prefix (- for none; optional)"))
    .addOption(new Option('--groups-claim <claim>', "the API server's --oidc-groups-claim (optional)"))
    .addOption(new Option('--groups-prefix <prefix>', "the API server's --oidc-groups-prefix (optional)"));
  addScriptFlags(command).action(async () => {
    const options = command.opts<{ context?: string; kubeconfig?: string; usernameClaim?: string; usernamePrefix?: string; groupsClaim?: string; groupsPrefix?: string }>();
    const parsed = targetOf(command, 'doctor');
    const raw = parsed.raw;
    const verbose = raw.booleans['verbose'] === true;
    const byFlags = parsed.kind === 'flags';
    const mapping = pickDefined({
      usernameClaim: options.usernameClaim,
      usernamePrefix: options.usernamePrefix,
      groupsClaim: options.groupsClaim,
      groupsPrefix: options.groupsPrefix,
    });
    const target = byFlags
      ? { kind: 'flags' as const, input: toGetTokenInput(raw, ctx.env, homedir()) }
      : { kind: 'context' as const, ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}), ...(options.context ? { context: options.context } : {}) };
    const { runDoctor } = await import('../../compose/doctor.js');
    await runDoctor(ctx, { target, mapping: Object.keys(mapping).length > 0 ? mapping : undefined }, verbose);
  });
  program.addCommand(command);
}
