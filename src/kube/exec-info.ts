// KUBERNETES_EXEC_INFO: what kubectl tells the plugin (SPECS A.4): the API version and interactivity.
import { KubeLoginError } from '../errors.js';

/** The ExecCredential API versions client-go accepts (SPECS A.1). */
export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
/** One of EXEC_API_VERSIONS. */
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number];

/** What we use from KUBERNETES_EXEC_INFO. */
export interface ExecInfo {
  apiVersion: ExecApiVersion;
  /** spec.interactive; undefined when kubectl did not run us (the variable is absent). */
  interactive: boolean | undefined;
}

const malformed = (reason: string): KubeLoginError =>
  new KubeLoginError('exec-info', 'read KUBERNETES_EXEC_INFO', reason, {
    fix: 'set apiVersion in the kubeconfig exec stanza to client.authentication.k8s.io/v1 (or v1beta1), or unset the variable when running kube-login by hand',
  });

/** Parses the variable; absent means v1 and unknown interactivity; anything malformed is an `exec-info` error. */
export function parseExecInfo(value: string | undefined): ExecInfo {
  if (value === undefined || value.trim() === '') return { apiVersion: 'client.authentication.k8s.io/v1', interactive: undefined };
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    throw malformed('it is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw malformed('it is not a JSON object');
  const info = data as Record<string, unknown>;
  const apiVersion = info['apiVersion'];
  if (typeof apiVersion !== 'string' || !(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw malformed(`apiVersion ${JSON.stringify(apiVersion ?? null)} is not one of ${EXEC_API_VERSIONS.join(', ')}`);
  }
  if (info['kind'] !== undefined && info['kind'] !== 'ExecCredential') throw malformed(`kind ${JSON.stringify(info['kind'])} is not ExecCredential`);
  const spec = info['spec'];
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || Array.isArray(spec))) throw malformed('spec is not an object');
  const interactive = (spec as Record<string, unknown> | undefined)?.['interactive'];
  if (interactive !== undefined && typeof interactive !== 'boolean') throw malformed('spec.interactive is not a boolean');
  return { apiVersion: apiVersion as ExecApiVersion, interactive };
}
