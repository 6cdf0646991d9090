// `--format minikube`: `minikube start --extra-config=apiserver.…` (SPECS.md D, minikube).
import { posix } from 'node:path';
import { apiserverWiring, requireUniqueArgNames } from './apiserver-wiring.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { type Notice, note } from './notice.js';
import { multilineCommand, shellQuote } from './shell-quote.js';

/** minikube's certificates directory, mounted into kube-apiserver ([3p], SPECS.md D). */
export const MINIKUBE_CERTS_DIR = '/var/lib/minikube/certs';

/**
 * A shell script. Files reach the node through minikube's file sync: whatever is under
 * ~/.minikube/files/<path> is copied to /<path> when the node starts, so the CA is there before
 * kube-apiserver reads it (`minikube cp` would need a running node). minikube keeps extra-config in a
 * map per component, so a flag cannot repeat.
 */
export function renderMinikube(ctx: FormatContext): GeneratedConfig {
  const wiring = apiserverWiring(ctx, 'minikube', {
    caPath: () => `${MINIKUBE_CERTS_DIR}/oidc-ca.crt`,
    configPath: 'authentication-config.yaml',
    configApiserverPath: `${MINIKUBE_CERTS_DIR}/authentication-config.yaml`,
    resolveLocalPaths: true,
  });
  requireUniqueArgNames(wiring.args, 'minikube --extra-config', 'use --via authentication-config: its claimValidationRules take any number of required claims');
  const lines: string[] = [];
  for (const file of wiring.files) {
    if (file.localPath === undefined) continue;
    const synced = `"$HOME/.minikube/files${file.apiserverPath}"`;
    lines.push(`mkdir -p "$HOME/.minikube/files${posix.dirname(file.apiserverPath)}"`);
    lines.push(`cp ${shellQuote(file.localPath)} ${synced}`);
  }
  const args = wiring.args.map((arg) => shellQuote(`--extra-config=apiserver.${arg.name}=${arg.value}`));
  const content = ['#!/bin/sh', 'set -eu', ...lines, multilineCommand(['minikube', 'start'], args)].join('\n');
  const notices: Notice[] = [...wiring.notices];
  notices.push(note('run the script on the machine that runs minikube (with MINIKUBE_HOME set, use $MINIKUBE_HOME/files instead of ~/.minikube/files); an existing cluster keeps its old settings until minikube delete'));
  return { content, notices };
}
