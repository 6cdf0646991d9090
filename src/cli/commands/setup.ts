// `kube-login setup`: flags, then a typed input, then a lazy import of the use case.
import { Command, Option } from 'commander';
import { parseKubernetesVersion } from '../../apiserver/kubernetes-version.js';
import type { SetupInput } from '../../usecases/setup/setup-input.js';
import type { CliContext } from '../context.js';
import { addGetTokenOptions, rawFlagsFrom } from '../options/get-token-options.js';
import { pickDefined } from '../options/oidc-mapping-options.js';

/** Registers setup: every get-token flag (carried into the kubeconfig) plus the kubeconfig and mapping flags. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('setup')
    .description('check the provider, log in once, write a kubeconfig user and context that run kube-login, and print the API server configuration (guided on a terminal)')
    .allowExcessArguments(false);
  addGetTokenOptions(command)
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig to write (default: $KUBECONFIG, else ~/.kube/config)'))
    .addOption(new Option('--cluster <name>', 'existing cluster entry to use, or the name of the new one with --server'))
    .addOption(new Option('--server <url>', 'API server URL of a new cluster entry'))
    .addOption(new Option('--cluster-certificate-authority <file>', 'PEM CA of the new cluster\'s API server (embedded in the kubeconfig)'))
    .addOption(new Option('--context <name>', 'context to add or update (default: oidc@<cluster>)'))
    .addOption(new Option('--user <name>', 'kubeconfig user to add or update (default: oidc-<issuer host>-<client id>)'))
    .addOption(new Option('--namespace <namespace>', 'default namespace of the context (also of the suggested RoleBinding)'))
    .addOption(new Option('--set-current-context', 'make the context the current one'))
    .addOption(new Option('--username-claim <claim>', 'claim kube-apiserver takes the username from (its default: sub)'))
    .addOption(new Option('--username-prefix <prefix>', 'username prefix; - for none (kube-apiserver default: none for email, "<issuer-url>#" otherwise)'))
    .addOption(new Option('--groups-claim <claim>', 'claim kube-apiserver takes the groups from'))
    .addOption(new Option('--groups-prefix <prefix>', 'prefix for every group, for example oidc:'))
    .addOption(new Option('--kubernetes-version <version>', 'control plane version, for the API server configuration (default: read from the cluster\'s /version)'))
    .addOption(new Option('--rbac-clusterrole <name>', 'ClusterRole of the suggested binding (default: view)'))
    .addOption(new Option('--rbac-group <group>', 'bind this group (claim value, without prefix) instead of the user'))
    .addOption(new Option('--rbac-cluster-wide', 'suggest a ClusterRoleBinding instead of a RoleBinding in the namespace'))
    .addOption(new Option('--offline', 'do not contact the provider or the cluster, and do not log in: write the kubeconfig from the flags (the output says what was not checked)'))
    .addOption(new Option('--dry-run', 'do everything but write: print the kubeconfig change as a diff on stdout'))
    .addOption(new Option('--yes', 'never ask: fail with the list of missing flags instead'))
    .action(async () => {
      const input = toInput(command);
      const { runSetup } = await import('../../compose/setup.js');
      await runSetup(ctx, input);
    });
  program.addCommand(command);
}

/** The typed input. */
export function toInput(command: Command): SetupInput {
  const values = command.opts<Record<string, unknown>>();
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? values[key] : undefined);
  const version = text('kubernetesVersion');
  return {
    raw: rawFlagsFrom(command),
    setCurrentContext: values['setCurrentContext'] === true,
    mapping: pickDefined({
      usernameClaim: text('usernameClaim'),
      usernamePrefix: text('usernamePrefix'),
      groupsClaim: text('groupsClaim'),
      groupsPrefix: text('groupsPrefix'),
    }),
    rbac: { clusterRole: text('rbacClusterrole'), group: text('rbacGroup'), clusterWide: values['rbacClusterWide'] === true },
    dryRun: values['dryRun'] === true,
    yes: values['yes'] === true,
    offline: values['offline'] === true,
    ...pickDefined({
      kubeconfig: text('kubeconfig'),
      cluster: text('cluster'),
      server: text('server'),
      clusterCertificateAuthority: text('clusterCertificateAuthority'),
      context: text('context'),
      user: text('user'),
      namespace: text('namespace'),
      kubernetesVersion: version === undefined ? undefined : parseKubernetesVersion(version),
    }),
  };
}
