// `kube-login apiserver-config`: flags, then a typed input, then a lazy import of the use case.
import { Command, Option } from 'commander';
import { KubeLoginError } from '../../errors.js';
import { FORMAT_NAMES, isFormatName } from '../../apiserver/format-names.js';
import { isKubeadmApiVersion } from '../../apiserver/kubeadm-api-version.js';
import { DEFAULT_KUBERNETES_VERSION, formatKubernetesVersion, parseKubernetesVersion } from '../../apiserver/kubernetes-version.js';
import type { ApiserverConfigInput } from '../../usecases/apiserver-config.js';
import type { CliContext } from '../context.js';
import { addMappingOptions, collect, pickDefined, readMappingOptions, tokenFileFlag } from '../options/oidc-mapping-options.js';

/** Registers apiserver-config. The configuration goes to stdout or --output; notes and warnings to stderr. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('apiserver-config')
    .description('generate the kube-apiserver OIDC configuration (flags, AuthenticationConfiguration, kubeadm, kind, k3s, rke2, minikube, eks), checked against the provider and optionally a real ID token')
    .allowExcessArguments(false);
  addMappingOptions(command, 'issuer URL, exactly as the provider\'s discovery document spells it (required)')
    .addOption(new Option('--oidc-client-id <id>', 'client ID the ID tokens are issued to (repeat for several audiences)').argParser(collect))
    .addOption(new Option('--required-claim <key=value>', 'claim every token must carry with this string value (repeatable)').argParser(collect))
    .addOption(new Option('--signing-algs <algs>', 'accepted signing algorithms, comma-separated (kube-apiserver default: RS256)').argParser(collect))
    .addOption(new Option('--ca-file <file>', 'PEM CA of the provider: embedded in the AuthenticationConfiguration, named in --oidc-ca-file, trusted for the checks here'))
    .addOption(new Option('--kubernetes-version <version>', `control plane version (default: ${formatKubernetesVersion(DEFAULT_KUBERNETES_VERSION)})`))
    .addOption(new Option('--format <format>', `output format: ${FORMAT_NAMES.join(', ')} (default: authentication-config)`))
    .addOption(new Option('--via <wiring>', 'for kubeadm, kind, k3s, rke2, minikube and flags: oidc-flags or authentication-config (default: oidc-flags)'))
    .addOption(new Option('--apiserver-ca-path <path>', 'where kube-apiserver reads the CA, when not at --ca-file (kind and minikube choose their own)'))
    .addOption(new Option('--authentication-config-path <path>', 'where the AuthenticationConfiguration file is (kind, minikube: the file on this machine)'))
    .addOption(new Option('--kubeadm-api-version <version>', 'v1beta3 or v1beta4 (default: v1beta4 from Kubernetes 1.31)'))
    .addOption(new Option('--eks-cluster-name <name>', 'EKS cluster name for --format eks (default: $CLUSTER_NAME when the command runs)'))
    .addOption(new Option('--eks-config-name <name>', 'EKS identity provider config name (default: kube-login)'))
    .addOption(new Option('--output <file>', 'write the configuration to FILE (atomically) instead of stdout'))
    .addOption(new Option('--offline', 'do not contact the provider: skip the discovery and signature checks'))
    .addOption(new Option('--check-token <file>', 'apply the configuration to the ID token in FILE (- for stdin), as kube-apiserver would'))
    .addOption(new Option('-q, --quiet', 'print no note: lines on stderr (warnings still print)'))
    .addOption(new Option('-v, --verbose', 'print debug output'))
    .action(async () => {
      const input = toInput(command.opts<Record<string, unknown>>(), process.cwd());
      const { runApiserverConfig } = await import('../../compose/apiserver-config.js');
      await runApiserverConfig(ctx, input, command.opts<{ verbose?: boolean }>().verbose === true);
    });
  program.addCommand(command);
}

/** The typed input; enum flags are checked here, everything else by the use case. */
export function toInput(values: Record<string, unknown>, cwd: string): ApiserverConfigInput {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? values[key] : undefined);
  const list = (key: string): string[] => (Array.isArray(values[key]) ? values[key].map(String) : []);
  const mapping = readMappingOptions(values);
  if (mapping.issuerUrl === undefined) {
    throw new KubeLoginError('usage', 'read the command line', 'missing --oidc-issuer-url', { fix: 'pass --oidc-issuer-url URL and --oidc-client-id ID' });
  }
  const format = text('format') ?? 'authentication-config';
  if (!isFormatName(format)) {
    throw new KubeLoginError('usage', 'read --format', `unknown format ${JSON.stringify(format)}`, { fix: `use one of ${FORMAT_NAMES.join(', ')}` });
  }
  const via = text('via') ?? 'oidc-flags';
  if (via !== 'oidc-flags' && via !== 'authentication-config') {
    throw new KubeLoginError('usage', 'read --via', `unknown wiring ${JSON.stringify(via)}`, { fix: 'use --via oidc-flags or --via authentication-config' });
  }
  const kubeadmApiVersion = text('kubeadmApiVersion');
  if (kubeadmApiVersion !== undefined && !isKubeadmApiVersion(kubeadmApiVersion)) {
    throw new KubeLoginError('usage', 'read --kubeadm-api-version', `unknown version ${JSON.stringify(kubeadmApiVersion)}`, { fix: 'use v1beta3 or v1beta4' });
  }
  const versionText = text('kubernetesVersion');
  return {
    mapping: { ...mapping, issuerUrl: mapping.issuerUrl, clientIds: list('oidcClientId'), requiredClaims: list('requiredClaim'), signingAlgs: list('signingAlgs') },
    format,
    via,
    version: versionText === undefined ? DEFAULT_KUBERNETES_VERSION : parseKubernetesVersion(versionText),
    offline: values['offline'] === true,
    quiet: values['quiet'] === true,
    cwd,
    ...pickDefined({
      caFile: text('caFile'),
      apiserverCaPath: text('apiserverCaPath'),
      authenticationConfigPath: text('authenticationConfigPath'),
      kubeadmApiVersion,
      eksClusterName: text('eksClusterName'),
      eksConfigName: text('eksConfigName'),
      output: text('output'),
      checkToken: tokenFileFlag('--check-token', text('checkToken')),
    }),
  };
}
