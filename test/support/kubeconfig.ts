// Writes kubeconfigs whose user runs an exec credential plugin, and runs the real kubectl against them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runProcess, type ProcessResult } from './run-process.js';

/** What goes into the kubeconfig; the exec stanza mirrors client-go's ExecConfig. */
export interface ExecKubeconfigOptions {
  dir: string;
  /** The API server URL, e.g. TestApiServer.url. */
  server: string;
  /** The API server's CA file (certificate-authority). */
  caFile: string;
  command: string;
  args?: string[];
  env?: Record<string, string>;
  /** Default client.authentication.k8s.io/v1. */
  apiVersion?: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  /** Default IfAvailable (required for v1). */
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
  provideClusterInfo?: boolean;
  /** Context, cluster and user name. Default `kube-login-test`. */
  contextName?: string;
  /** File name inside dir. Default `kubeconfig.yaml`. */
  fileName?: string;
}

/** Writes the kubeconfig and returns its path. */
export function writeExecKubeconfig(options: ExecKubeconfigOptions): string {
  const name = options.contextName ?? 'kube-login-test';
  const exec: Record<string, unknown> = {
    apiVersion: options.apiVersion ?? 'client.authentication.k8s.io/v1',
    command: options.command,
    args: options.args ?? [],
    interactiveMode: options.interactiveMode ?? 'IfAvailable',
  };
  if (options.env) exec.env = Object.entries(options.env).map(([envName, value]) => ({ name: envName, value }));
  if (options.provideClusterInfo) exec.provideClusterInfo = true;
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority': options.caFile } }],
    users: [{ name, user: { exec } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  const path = join(options.dir, options.fileName ?? 'kubeconfig.yaml');
  writeFileSync(path, stringify(kubeconfig), { mode: 0o600 });
  return path;
}

/** Options for runKubectl. */
export interface RunKubectlOptions {
  kubeconfig: string;
  /** Added over the inherited environment; set HOME to a temp home (kubectl caches discovery there). */
  env?: Record<string, string | undefined>;
  /** Default 30 s: kubectl never times out a plugin, so the test must. */
  timeoutMs?: number;
  /** The kubectl binary; default `kubectl` (the dispatcher) from PATH. */
  kubectl?: string;
}

/** Runs `kubectl --kubeconfig <file> ...args`; stderr (plugin stderr included) is recorded for the leak check. */
export function runKubectl(args: string[], options: RunKubectlOptions): Promise<ProcessResult> {
  return runProcess(options.kubectl ?? 'kubectl', ['--kubeconfig', options.kubeconfig, ...args], {
    env: { KUBECONFIG: undefined, ...options.env },
    timeoutMs: options.timeoutMs ?? 30_000,
  });
}
