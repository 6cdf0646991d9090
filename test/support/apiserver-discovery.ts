// The fixed documents the stand-in API server answers with: version, discovery, Status, SelfSubjectReview.
import type { KubeUserInfo } from './jwt-authenticator.js';

/** GET /version. Minor 32 on purpose: kubectl's dispatcher runs the plugin twice otherwise (TESTBED.md). */
export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** GET /api (legacy discovery; kubectl falls back to it when aggregated discovery is not offered). */
export function coreApiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

const AUTHENTICATION_V1 = { groupVersion: 'authentication.k8s.io/v1', version: 'v1' };

/** GET /apis/authentication.k8s.io. */
export const AUTHENTICATION_GROUP = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: 'authentication.k8s.io',
  versions: [AUTHENTICATION_V1],
  preferredVersion: AUTHENTICATION_V1,
};

/** GET /apis. */
export const API_GROUP_LIST = { kind: 'APIGroupList', apiVersion: 'v1', groups: [AUTHENTICATION_GROUP] };

/** GET /api/v1: only pods, so `kubectl get pods` works (and lists nothing). */
export const CORE_V1_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
  ],
};

/** GET /apis/authentication.k8s.io/v1. */
export const AUTHENTICATION_V1_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'authentication.k8s.io/v1',
  resources: [
    { name: 'selfsubjectreviews', singularName: 'selfsubjectreview', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] },
  ],
};

/** An empty pod list for GET /api/v1/namespaces/<ns>/pods. */
export const EMPTY_POD_LIST = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] };

/** A failure Status object, the body of every 401 and 404. */
export function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** The SelfSubjectReview answer (what `kubectl auth whoami` prints). */
export function selfSubjectReview(user: KubeUserInfo): object {
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: user },
  };
}
