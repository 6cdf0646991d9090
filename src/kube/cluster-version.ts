// Reads the control plane's version from GET /version, which Kubernetes serves without credentials
// (the system:public-info-viewer ClusterRole), to choose flags or an AuthenticationConfiguration.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import type { KubernetesVersion } from '../apiserver/kubernetes-version.js';
import type { ClusterEndpoint } from '../usecases/setup/setup-kubeconfig.js';

/** The version, or undefined when the server cannot be reached, refuses, or answers something else (3 s at most). */
export async function readClusterVersion(cluster: ClusterEndpoint, timeoutMs = 3000): Promise<KubernetesVersion | undefined> {
  let url: URL;
  try {
    url = new URL('/version', cluster.server.endsWith('/') ? cluster.server : `${cluster.server}/`);
  } catch {
    return undefined;
  }
  let ca: string | undefined;
  try {
    if (cluster.certificateAuthorityData !== undefined) ca = Buffer.from(cluster.certificateAuthorityData, 'base64').toString('utf8');
    else if (cluster.certificateAuthority !== undefined) ca = await readFile(cluster.certificateAuthority, 'utf8');
  } catch {
    return undefined;
  }
  const body = await new Promise<string | undefined>((resolve) => {
    const options = { method: 'GET', timeout: timeoutMs, headers: { accept: 'application/json' } };
    const onResponse = (response: IncomingMessage): void => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', () => resolve(undefined));
    };
    const req =
      url.protocol === 'https:'
        ? request(url, { ...options, ...(ca !== undefined ? { ca } : {}), rejectUnauthorized: !cluster.insecureSkipTlsVerify }, onResponse)
        : httpRequest(url, options, onResponse);
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
  return body === undefined ? undefined : parseVersionInfo(body);
}

/** `{"major":"1","minor":"31+", "gitVersion":"v1.31.2-eks-…"}` → 1.31. */
export function parseVersionInfo(body: string): KubernetesVersion | undefined {
  try {
    const info: unknown = JSON.parse(body);
    if (typeof info !== 'object' || info === null) return undefined;
    const { major, minor, gitVersion } = info as Record<string, unknown>;
    const fromGit = typeof gitVersion === 'string' ? /^v?1\.(\d+)\./.exec(gitVersion) : null;
    if (fromGit?.[1] !== undefined) return { major: 1, minor: Number(fromGit[1]) };
    if (major === '1' && typeof minor === 'string' && /^\d+/.test(minor)) return { major: 1, minor: Number.parseInt(minor, 10) };
    return undefined;
  } catch {
    return undefined;
  }
}
