// Checks of a kubeconfig user's exec stanza, with client-go's own rules and messages (SPECS.md A.2, A.7).
import { basename, isAbsolute, sep } from 'node:path';
import type { GetTokenInput } from '../../config/get-token-input.js';
import type { KubeLoginError } from '../../errors.js';
import { EXEC_API_VERSIONS } from '../../kube/exec-info.js';
import { type ExecProgram, execEnvVars } from '../../kube/exec-stanza.js';
import { type DoctorCheck, fail, pass, warn } from './check.js';
import { resolveEntryPath } from './kube-context.js';

/** Where kubectl looks for the exec command. */
export type CommandLocation = { kind: 'path-lookup'; name: string } | { kind: 'file'; path: string };

/**
 * client-go `GetAuthInfoFileReferences`: a command containing a path separator is a file, and a
 * relative one is resolved against the directory of the kubeconfig file that defines the user;
 * a bare name is looked up on PATH when the plugin runs.
 */
export function commandLocation(command: string, kubeconfigFile: string, separator: string = sep): CommandLocation {
  if (!command.includes(separator)) return { kind: 'path-lookup', name: command };
  return { kind: 'file', path: isAbsolute(command) ? command : resolveEntryPath(command, kubeconfigFile) };
}

const quote = (value: unknown): string => JSON.stringify(value);

/** The command exists (found: its path) or kubectl fails with "executable … not found". */
export function checkExecCommand(user: string, command: unknown, location: CommandLocation | undefined, found: string | undefined, installHint: unknown): DoctorCheck {
  if (typeof command !== 'string' || command === '' || !location) {
    return fail('exec-command', `the exec stanza of user ${user} has no command: kubectl fails with "command must be specified for ${user} to use exec authentication plugin"`, 'set users[].user.exec.command to kube-login (run `kube-login setup` to write the whole stanza)');
  }
  if (found !== undefined) {
    const how = location.kind === 'path-lookup' ? `found on PATH at ${found}` : command === found ? 'found' : `resolved against the kubeconfig's directory to ${found}`;
    return pass('exec-command', `the exec command ${quote(command)} is ${how}`);
  }
  const hint = typeof installHint === 'string' && installHint !== '' ? ['kubectl shows the installHint of the stanza after that error'] : [];
  if (location.kind === 'path-lookup') {
    return fail(
      'exec-command',
      `the exec command ${quote(command)} is not on PATH: kubectl fails with "exec: executable ${command} not found"`,
      `install kube-login (npm install --global kube-login, krew, or a release archive: README, Install) so that ${command} is on PATH, or set the command to its absolute path`,
      hint,
    );
  }
  return fail(
    'exec-command',
    `the exec command ${quote(command)} resolves to ${location.path}, which is not an executable file${isAbsolute(command) ? '' : ' (kubectl resolves a relative command against the directory of the kubeconfig file)'}`,
    'set the command to kube-login (found on PATH) or to the absolute path of the kube-login executable',
    hint,
  );
}

/** apiVersion is required, and client-go accepts only v1 and v1beta1 (v1alpha1 went in 1.24). */
export function checkExecApiVersion(user: string, apiVersion: unknown): DoctorCheck {
  if (apiVersion === undefined || apiVersion === '') {
    return fail('exec-api-version', `the exec stanza of user ${user} has no apiVersion: kubectl fails with "apiVersion must be specified for ${user} to use exec authentication plugin"`, 'set apiVersion: client.authentication.k8s.io/v1');
  }
  if (!(EXEC_API_VERSIONS as readonly unknown[]).includes(apiVersion)) {
    return fail('exec-api-version', `the exec apiVersion ${quote(apiVersion)} is not one kubectl accepts (${EXEC_API_VERSIONS.join(', ')}): kubectl fails with "exec plugin: invalid apiVersion"`, 'set apiVersion: client.authentication.k8s.io/v1 (and interactiveMode: IfAvailable)');
  }
  return pass('exec-api-version', `the exec apiVersion is ${apiVersion}`);
}

const INTERACTIVE_MODES = ['Never', 'IfAvailable', 'Always'];

/**
 * interactiveMode: required for v1 (client-go defaults it to IfAvailable only for v1beta1), one of
 * three values; `Always` makes kubectl refuse to run the plugin without a terminal (SPECS.md A.5).
 */
export function checkInteractiveMode(user: string, apiVersion: unknown, mode: unknown, needsTerminal: boolean): DoctorCheck {
  const v1 = apiVersion === 'client.authentication.k8s.io/v1';
  if (mode === undefined || mode === '') {
    if (v1) {
      return fail(
        'exec-interactive-mode',
        `interactiveMode is not set, and ${apiVersion} requires it: kubectl refuses the kubeconfig with "interactiveMode must be specified for ${user} to use exec authentication plugin"`,
        `add \`interactiveMode: IfAvailable\` to the exec stanza of user ${user} (or run \`kubectl config set-credentials ${user} --exec-interactive-mode=IfAvailable\`)`,
      );
    }
    return pass('exec-interactive-mode', 'interactiveMode is not set; kubectl uses IfAvailable for v1beta1');
  }
  if (typeof mode !== 'string' || !INTERACTIVE_MODES.includes(mode)) {
    return fail('exec-interactive-mode', `interactiveMode ${quote(mode)} is not one of ${INTERACTIVE_MODES.join(', ')}: kubectl fails with "invalid interactiveMode for ${user}"`, 'set interactiveMode: IfAvailable');
  }
  if (mode === 'Always') {
    return warn('exec-interactive-mode', 'interactiveMode is Always: kubectl refuses to run kube-login when its stdin is not a terminal (CI jobs, editors, TUIs), with "exec plugin cannot support interactive mode"', 'set interactiveMode: IfAvailable: kube-login logs in through the browser and needs no terminal');
  }
  if (mode === 'Never' && needsTerminal) {
    return warn('exec-interactive-mode', 'interactiveMode is Never, but the grant type reads from the terminal, which kubectl then never gives the plugin', 'set interactiveMode: IfAvailable, or use a browser grant (--grant-type authcode or device-code)');
  }
  return pass('exec-interactive-mode', `interactiveMode is ${mode}`);
}

/** exec.env: a list of {name, value}; an entry without a name is a kubectl validation error. */
export function checkExecEnv(user: string, env: unknown): { check: DoctorCheck | undefined; vars: Record<string, string> } {
  if (env === undefined || env === null) return { check: undefined, vars: {} };
  const read = execEnvVars(env);
  if (!read.ok && read.problem === 'not-a-list') return { check: fail('exec-env', `the exec env of user ${user} is not a list of {name, value}`, 'write env as a list: `env: [{name: NAME, value: VALUE}]`'), vars: {} };
  if (!read.ok) {
    return { check: fail('exec-env', `an exec env entry of user ${user} has no name: kubectl fails with "env variable name must be specified for ${user} to use exec authentication plugin"`, 'give every env entry a name, or remove it'), vars: {} };
  }
  const { vars } = read;
  return { check: pass('exec-env', `the exec stanza sets ${Object.keys(vars).join(', ') || 'no variables'} for the plugin`), vars };
}

export { type ExecProgram, execProgram } from '../../kube/exec-stanza.js';

/** The exec args as a list of strings, or a ✗ check. */
export function readExecArgs(user: string, args: unknown): { args: string[] } | { check: DoctorCheck } {
  if (args === undefined || args === null) return { args: [] };
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    return { check: fail('exec-args', `the exec args of user ${user} are not a list of strings`, 'write args as a list of strings') };
  }
  return { args };
}

/** How the get-token args parsed: the validated input, or the usage error get-token would print. */
export type ParsedArgs = { ok: true; input: GetTokenInput } | { ok: false; error: KubeLoginError };

/** The args run get-token, and get-token accepts them. */
export function checkExecArgs(user: string, program: ExecProgram, parsed: ParsedArgs | undefined): DoctorCheck {
  if (program.kind === 'other' || !parsed) {
    return fail('exec-args', `the exec stanza of user ${user} does not run \`kube-login get-token\` (its args have no get-token)`, 'run `kube-login setup` to write the exec stanza, or make the args `get-token --oidc-issuer-url=… --oidc-client-id=…`');
  }
  if (!parsed.ok) {
    const what = program.kind === 'kubelogin' ? 'the exec stanza runs kubelogin, and kube-login would not accept its args' : 'the exec args do not parse as get-token flags';
    return fail('exec-args', `${what}: ${parsed.error.message}`, parsed.error.fix ?? 'correct the args, or run `kube-login setup` to rewrite the stanza');
  }
  const { input } = parsed;
  const summary = `issuer ${input.issuerUrl}, client ${input.clientId}${input.scopes.length > 0 ? `, scopes ${input.scopes.join(' ')}` : ''}`;
  if (program.kind === 'kubelogin') {
    return warn('exec-args', `the exec stanza runs kubelogin (kubectl oidc-login), not kube-login; its args work with kube-login as they are (${summary})`, 'set the command to kube-login and remove oidc-login from the args (docs/migration.md)');
  }
  return pass('exec-args', `the exec args parse as get-token flags: ${summary}`);
}

/**
 * A stanza that runs the plugin through kubectl (`command: kubectl`, `args: [kube-login|oidc-login,
 * get-token, …]`, as some peers' docs write it) starts a second kubectl on every kubectl command.
 * Undefined for any other stanza.
 */
export function checkExecThroughKubectl(user: string, command: string, args: readonly string[]): DoctorCheck | undefined {
  if (!/^kubectl(\.exe)?$/.test(basename(command))) return undefined;
  const at = args.indexOf('get-token');
  const plugin = args.slice(0, at < 0 ? args.length : at).find((arg) => arg === 'kube-login' || arg === 'oidc-login');
  if (plugin === undefined) return undefined;
  return warn(
    'exec-command',
    `the exec stanza of user ${user} runs \`kubectl ${plugin} get-token\`: every kubectl command then starts a second kubectl just to find the plugin`,
    `set the command to kube-login (or kubectl-kube_login, as krew installs it) and remove ${plugin} from the args: the same login, one process less on every call`,
  );
}
