// The commander program: a thin registry; each command file lazily imports its use case.
import { Command, CommanderError } from 'commander';
import { KubeLoginError } from '../errors.js';
import type { CliContext } from './context.js';
import { COMMANDS } from './commands/index.js';
import { UNSUPPORTED_KUBELOGIN_FLAGS } from '../config/get-token-flags.js';
import { versionLine } from '../platform/build-info.js';

/** Builds the program with every command registered; parse errors become KubeLoginError('usage'). */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('kube-login')
    .description('OIDC login for kubectl: exec credential plugin, setup and API server configuration')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      // Usage errors are printed once, by main, in our own format.
      outputError: () => undefined,
    })
    .version(versionLine(), '-V, --version', 'print the kube-login version, runtime and platform')
    .exitOverride()
    .showHelpAfterError(false);
  for (const register of COMMANDS) register(program, ctx);
  for (const command of program.commands) command.copyInheritedSettings(program);
  return program;
}

/** A usage error for commander's parse error; kubelogin flags we do not take get their own fix. */
function usageError(error: CommanderError): KubeLoginError {
  const reason = error.message.replace(/^error: /, '');
  const flag = /unknown option '--([^'=]+)/.exec(error.message)?.[1];
  const kubelogin = flag === undefined ? undefined : UNSUPPORTED_KUBELOGIN_FLAGS[flag];
  if (flag !== undefined && kubelogin !== undefined) {
    return new KubeLoginError('usage', `use --${flag}`, 'it is a kubelogin flag that kube-login does not take', { fix: kubelogin, cause: error });
  }
  if (error.code === 'commander.unknownCommand') {
    return new KubeLoginError('usage', 'read the command line', reason, { fix: 'run `kube-login --help` for the list of commands', cause: error });
  }
  return new KubeLoginError('usage', 'read the command line', reason, { fix: 'run `kube-login help <command>` for the list of flags', cause: error });
}

/** Runs the program; commander's own exits (help, version) resolve, parse errors throw KubeLoginError. */
export async function runProgram(ctx: CliContext, argv: readonly string[]): Promise<void> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return;
      throw usageError(error);
    }
    throw error;
  }
}
