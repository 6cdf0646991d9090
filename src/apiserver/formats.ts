// The output formats of `apiserver-config`: one renderer per format (names in format-names.ts).
import { renderAuthenticationConfig } from './format-authentication-config.js';
import { renderEks } from './format-eks.js';
import { renderFlags } from './format-flags.js';
import { renderKind } from './format-kind.js';
import { renderKubeadm } from './format-kubeadm.js';
import { renderMinikube } from './format-minikube.js';
import { renderRancher } from './format-rancher.js';
import type { FormatName } from './format-names.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';


const RENDERERS: Readonly<Record<FormatName, (ctx: FormatContext) => GeneratedConfig>> = {
  flags: renderFlags,
  'authentication-config': renderAuthenticationConfig,
  kubeadm: renderKubeadm,
  kind: renderKind,
  k3s: (ctx) => renderRancher(ctx, 'k3s'),
  rke2: (ctx) => renderRancher(ctx, 'rke2'),
  minikube: renderMinikube,
  eks: renderEks,
};

/** Renders one format; throws KubeLoginError('usage') when the format cannot express the mapping. */
export function renderFormat(format: FormatName, ctx: FormatContext): GeneratedConfig {
  return RENDERERS[format](ctx);
}

/** Whether kube-apiserver ends up reading an AuthenticationConfiguration (it then accepts all 9 algorithms). */
export function usesAuthenticationConfig(format: FormatName, ctx: Pick<FormatContext, 'via'>): boolean {
  return format === 'authentication-config' || (format !== 'eks' && ctx.via === 'authentication-config');
}
