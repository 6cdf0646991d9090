// The kube-apiserver arguments and files of a format, for either wiring (flags or configuration file).
import { posix } from 'node:path';
import { KubeLoginError } from '../errors.js';
import { authenticationConfigApiVersion } from './authentication-config.js';
import { type ApiserverArg, oidcFlagArgs } from './flag-args.js';
import type { FormatContext } from './generated-config.js';
import { type Notice, note } from './notice.js';
import type { OidcMapping } from './oidc-mapping.js';

/** A file kube-apiserver must be able to read: the provider CA or the AuthenticationConfiguration. */
export interface ApiserverFile {
  readonly purpose: 'oidc-ca' | 'authentication-config';
  /** The file on this machine (--ca-file, or for kind/minikube --authentication-config-path). */
  readonly localPath: string | undefined;
  /** The path in kube-apiserver's flags. */
  readonly apiserverPath: string;
}

/** The arguments, the files they name, and notes about them. */
export interface ApiserverWiringResult {
  readonly args: ApiserverArg[];
  readonly files: ApiserverFile[];
  readonly notices: Notice[];
}

/** Per-format defaults for where kube-apiserver finds the CA and the configuration file. */
export interface WiringDefaults {
  /** The CA path inside kube-apiserver when --apiserver-ca-path is not given. */
  readonly caPath: (localPath: string) => string;
  readonly configPath: string;
  /** The path kube-apiserver reads the configuration file from, when it differs from `configPath` (kind, minikube). */
  readonly configApiserverPath?: string;
  /** True when local paths are used on this machine (kind, minikube): they are made absolute. */
  readonly resolveLocalPaths?: boolean;
}

/** The default CA path of host-based formats: --ca-file itself, which must then be absolute. */
export function sameCaPath(localPath: string): string {
  if (!posix.isAbsolute(localPath)) {
    throw new KubeLoginError('usage', `use ${localPath} as kube-apiserver's CA path`, 'the path is relative, and kube-apiserver needs the absolute path of the CA on the control-plane host', {
      fix: 'pass --apiserver-ca-path /etc/kubernetes/pki/oidc-ca.crt (where the apiserver will read it), or an absolute --ca-file',
    });
  }
  return localPath;
}

/** kube-apiserver resolves its file flags against its own working directory: only absolute paths are safe. */
function requireAbsolute(path: string, flag: string): string {
  if (!posix.isAbsolute(path)) {
    throw new KubeLoginError('usage', `use ${JSON.stringify(path)} as ${flag}`, 'kube-apiserver needs an absolute path on the control-plane host', {
      fix: `pass an absolute ${flag}`,
    });
  }
  return path;
}

/** The default AuthenticationConfiguration path on a control-plane host. */
export const DEFAULT_AUTHENTICATION_CONFIG_PATH = '/etc/kubernetes/authentication-config.yaml';

/** Builds the wiring of `ctx` for a format called `format`. */
export function apiserverWiring(ctx: FormatContext, format: string, defaults: WiringDefaults): ApiserverWiringResult {
  const { mapping } = ctx;
  const local = (path: string): string => (defaults.resolveLocalPaths ? posix.resolve(ctx.cwd, path) : path);
  if (ctx.via === 'authentication-config') {
    authenticationConfigApiVersion(ctx.version); // the version gate
    const localPath = local(ctx.authenticationConfigPath ?? defaults.configPath);
    const apiserverPath = requireAbsolute(defaults.configApiserverPath ?? localPath, '--authentication-config-path');
    const notices: Notice[] = [
      note(
        `kube-apiserver reads the AuthenticationConfiguration from ${apiserverPath}; write the file with the same options and: --format authentication-config --output ${localPath}`,
      ),
      mutualExclusionNote(),
    ];
    return { args: [{ name: 'authentication-config', value: apiserverPath }], files: [{ purpose: 'authentication-config', localPath, apiserverPath }], notices };
  }
  requireSingleAudience(mapping, format);
  const ca = mapping.certificateAuthority;
  const caPath = ca ? requireAbsolute(ctx.apiserverCaPath ?? defaults.caPath(ca.localPath), '--apiserver-ca-path') : undefined;
  const files: ApiserverFile[] = ca && caPath ? [{ purpose: 'oidc-ca', localPath: local(ca.localPath), apiserverPath: caPath }] : [];
  const notices: Notice[] = [];
  if (!ca) notices.push(note('no --ca-file: kube-apiserver verifies the provider\'s certificate against the host\'s root CAs'));
  return { args: oidcFlagArgs(mapping, caPath), files, notices };
}

/** C.1: `--authentication-config` and any `--oidc-*` flag together make kube-apiserver exit. */
export function mutualExclusionNote(): Notice {
  return note('--authentication-config cannot be combined with any --oidc-* flag: kube-apiserver exits with "authentication-config file and oidc-* flags are mutually exclusive"; remove the --oidc-* flags first');
}

/** The flags take one `--oidc-client-id`; several audiences need the configuration file. */
export function requireSingleAudience(mapping: OidcMapping, format: string): void {
  if (mapping.audiences.length > 1) {
    throw new KubeLoginError('usage', `write ${format} for ${mapping.audiences.length} client IDs`, 'the --oidc-client-id flag of kube-apiserver takes exactly one audience', {
      fix: 'use --format authentication-config, or --via authentication-config (audienceMatchPolicy: MatchAny), or pass one --oidc-client-id',
    });
  }
}

/** Formats that pass arguments as a map (kubeadm v1beta3, kind patches, minikube) cannot repeat a flag. */
export function requireUniqueArgNames(args: readonly ApiserverArg[], format: string, fix: string): void {
  const seen = new Set<string>();
  for (const arg of args) {
    if (seen.has(arg.name)) {
      throw new KubeLoginError('usage', `write ${format}`, `${format} passes kube-apiserver arguments as a map, so --${arg.name} can only be given once`, { fix });
    }
    seen.add(arg.name);
  }
}
