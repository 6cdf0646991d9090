// `--format authentication-config`: the AuthenticationConfiguration file (SPECS.md C).
import { DEFAULT_AUTHENTICATION_CONFIG_PATH } from './apiserver-wiring.js';
import { buildAuthenticationConfiguration } from './authentication-config.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { kubeadmMountCoverage } from './kubeadm-mounts.js';
import { type Notice, note } from './notice.js';
import { SUPPORTED_SIGNING_ALGS } from './signing-algs.js';
import { toYamlText } from './yaml-text.js';

/** The file, with the flag that loads it and the exclusion rule as comments, so the file explains itself. */
export function renderAuthenticationConfig(ctx: FormatContext): GeneratedConfig {
  const document = buildAuthenticationConfiguration(ctx.mapping, ctx.version);
  const path = ctx.authenticationConfigPath ?? DEFAULT_AUTHENTICATION_CONFIG_PATH;
  const flagLine = `--authentication-config=${path}`;
  const content = toYamlText(document, {
    header: [
      `kube-apiserver flag: ${flagLine}`,
      'It cannot be combined with any --oidc-* flag: kube-apiserver exits with',
      '"authentication-config file and oidc-* flags are mutually exclusive".',
    ],
    literalPaths: document.jwt[0]?.issuer.certificateAuthority === undefined ? [] : [['jwt', 0, 'issuer', 'certificateAuthority']],
  });
  // Only what the reader must do: how the file is loaded, and the --oidc-* flags to remove (kube-apiserver refuses both).
  const notices: Notice[] = [note(`load it with the kube-apiserver flag ${flagLine}, and remove every --oidc-* flag: kube-apiserver refuses both together`)];
  if (ctx.mapping.signingAlgsExplicit) {
    // SPECS.md B.2: the --authentication-config path accepts all 9 algorithms (AllValidSigningAlgorithms()).
    notices.push(note(`the file has no signing-algorithms field: with --authentication-config kube-apiserver accepts all of ${SUPPORTED_SIGNING_ALGS.join(', ')}`));
  }
  if (kubeadmMountCoverage(path) !== 'always') {
    notices.push(note(`a kubeadm-made kube-apiserver pod does not mount ${path}: --format kubeadm --via authentication-config adds the extraVolumes entry`));
  }
  return { content, notices };
}
