// `--format k3s` and `--format rke2`: entries for /etc/rancher/{k3s,rke2}/config.yaml (SPECS.md D).
import { apiserverWiring, sameCaPath } from './apiserver-wiring.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { type Notice, note } from './notice.js';
import { toYamlText } from './yaml-text.js';

/** The two Rancher distributions: both take `kube-apiserver-arg`, values without the leading `--`. */
export type RancherDistribution = 'k3s' | 'rke2';

/**
 * k3s runs kube-apiserver in its own process, so host paths work as they are; RKE2 runs it as a static
 * pod, so every file it reads needs `kube-apiserver-extra-mount: host:pod:ro` (rke2 docs/advanced.md).
 */
export function renderRancher(ctx: FormatContext, distribution: RancherDistribution): GeneratedConfig {
  const configFile = `/etc/rancher/${distribution}/config.yaml`;
  const wiring = apiserverWiring(ctx, distribution, {
    caPath: sameCaPath,
    configPath: `/etc/rancher/${distribution}/authentication-config.yaml`,
  });
  const document: Record<string, unknown> = { 'kube-apiserver-arg': wiring.args.map((arg) => `${arg.name}=${arg.value}`) };
  if (distribution === 'rke2' && wiring.files.length > 0) {
    document['kube-apiserver-extra-mount'] = wiring.files.map((file) => `${file.apiserverPath}:${file.apiserverPath}:ro`);
  }
  const notices: Notice[] = [...wiring.notices];
  for (const file of wiring.files) {
    notices.push(note(`put ${file.purpose === 'oidc-ca' ? 'the CA' : 'the AuthenticationConfiguration'} at ${file.apiserverPath} on every server node`));
  }
  notices.push(note(`merge these keys into ${configFile} on every server node (append to an existing kube-apiserver-arg list), then: systemctl restart ${distribution === 'k3s' ? 'k3s' : 'rke2-server'}`));
  const content = toYamlText(document, { header: [`${configFile}: kube-apiserver OIDC settings`] });
  return { content, notices };
}
