// `kube-login rbac`: flags, then a typed input, then a lazy import of the use case.
import { Command, Option } from 'commander';
import { KubeLoginError } from '../../errors.js';
import type { RoleReference } from '../../apiserver/rbac-binding.js';
import type { RbacInput } from '../../usecases/rbac.js';
import type { CliContext } from '../context.js';
import { addMappingOptions, collect, pickDefined, readMappingOptions, tokenFileFlag } from '../options/oidc-mapping-options.js';

/** Registers rbac. The binding goes to stdout or --output; warnings to stderr. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('rbac')
    .description('write a RoleBinding (or, with --cluster-wide, a ClusterRoleBinding) for OIDC users and groups, prefixed as kube-apiserver maps them')
    .allowExcessArguments(false);
  addMappingOptions(command, 'issuer URL; needed for the default "<issuer-url>#" username prefix')
    .addOption(new Option('--user <value>', 'username claim value to bind, as the provider puts it in the token (repeatable)').argParser(collect))
    .addOption(new Option('--group <value>', 'group claim value to bind, as the provider puts it in the token (repeatable)').argParser(collect))
    .addOption(new Option('--from-token <file>', 'bind the user of the ID token in FILE (- for stdin)'))
    .addOption(new Option('--clusterrole <name>', 'ClusterRole to bind (for example view, edit)'))
    .addOption(new Option('--role <name>', 'Role (in --namespace) to bind'))
    .addOption(new Option('-n, --namespace <namespace>', 'namespace of the RoleBinding'))
    .addOption(new Option('--cluster-wide', 'write a ClusterRoleBinding instead of a RoleBinding'))
    .addOption(new Option('--name <name>', 'binding name (default: oidc-<role>-<subject>)'))
    .addOption(new Option('--kubectl', 'print the equivalent kubectl create rolebinding|clusterrolebinding command instead of YAML'))
    .addOption(new Option('--output <file>', 'write to FILE (atomically) instead of stdout'))
    .addOption(new Option('-v, --verbose', 'print debug output'))
    .action(async () => {
      const input = toInput(command.opts<Record<string, unknown>>());
      const { runRbac } = await import('../../compose/rbac.js');
      await runRbac(ctx, input, command.opts<{ verbose?: boolean }>().verbose === true);
    });
  program.addCommand(command);
}

/** The typed input. */
export function toInput(values: Record<string, unknown>): RbacInput {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? values[key] : undefined);
  const list = (key: string): string[] => (Array.isArray(values[key]) ? values[key].map(String) : []);
  const clusterRole = text('clusterrole');
  const role = text('role');
  if ((clusterRole === undefined) === (role === undefined)) {
    throw new KubeLoginError('usage', 'read the command line', clusterRole === undefined ? 'no role to bind' : '--clusterrole and --role are both given', {
      fix: 'pass exactly one of --clusterrole NAME or --role NAME',
    });
  }
  const roleRef: RoleReference = clusterRole !== undefined ? { kind: 'ClusterRole', name: clusterRole } : { kind: 'Role', name: role ?? '' };
  return {
    mapping: readMappingOptions(values),
    users: list('user'),
    groups: list('group'),
    role: roleRef,
    clusterWide: values['clusterWide'] === true,
    kubectl: values['kubectl'] === true,
    ...pickDefined({
      fromToken: tokenFileFlag('--from-token', text('fromToken')),
      namespace: text('namespace'),
      name: text('name'),
      output: text('output'),
    }),
  };
}
