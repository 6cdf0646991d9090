// `--format flags`: kube-apiserver arguments, one per line, for the static pod manifest.
import { DEFAULT_AUTHENTICATION_CONFIG_PATH, apiserverWiring, sameCaPath } from './apiserver-wiring.js';
import { formatArg } from './flag-args.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { kubeadmMountCoverage } from './kubeadm-mounts.js';
import { isAtLeast } from './kubernetes-version.js';
import { type Notice, note, warning } from './notice.js';

/** The arguments as `--name=value` lines, and where to put them. */
export function renderFlags(ctx: FormatContext): GeneratedConfig {
  const wiring = apiserverWiring(ctx, 'flags', { caPath: sameCaPath, configPath: DEFAULT_AUTHENTICATION_CONFIG_PATH });
  const lines = wiring.args.map(formatArg);
  const notices: Notice[] = [...wiring.notices];
  notices.push(note('add each line to spec.containers[0].command in /etc/kubernetes/manifests/kube-apiserver.yaml; the kubelet restarts kube-apiserver when the manifest changes'));
  if (lines.some((line) => /:$|: |#/.test(line))) {
    // `- --oidc-username-prefix=oidc:` would be read by YAML as a mapping, not a string.
    notices.push(note('in the manifest, double-quote each item, for example - "--oidc-username-prefix=oidc:": a value ending in ":" is otherwise not a YAML string'));
  }
  for (const file of wiring.files) {
    if (kubeadmMountCoverage(file.apiserverPath) !== 'always') {
      notices.push(warning(
        `${file.apiserverPath} is outside the directories a kubeadm-made kube-apiserver pod mounts (/etc/kubernetes/pki, /etc/ssl/certs), so kube-apiserver will not find it`,
        `copy it under /etc/kubernetes/pki, or add a hostPath volume and volumeMount for ${file.apiserverPath} to the manifest`,
      ));
    }
  }
  if (ctx.via === 'oidc-flags' && isAtLeast(ctx.version, 30)) {
    notices.push(note('Kubernetes 1.30+ also takes --format authentication-config: reloaded without a restart, several audiences or issuers'));
  }
  return { content: lines.join('\n') + '\n', notices };
}
