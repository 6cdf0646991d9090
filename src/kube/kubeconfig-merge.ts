// Upserts users, clusters, contexts and current-context with kubectl's multi-file rules, editing in place.
import { isDeepStrictEqual } from 'node:util';
import { type Document, isMap, isNode, isScalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { findEntry, fileSettingCurrentContext } from './kubeconfig-entries.js';
import type { KubeconfigFile, KubeconfigSet } from './kubeconfig-load.js';
import { ENTRY_BODY_KEY, type KubeconfigSection, isEmptyScalar, sectionList } from './kubeconfig-parse.js';
import { defaultWriteTarget } from './kubeconfig-paths.js';

/** The only exec API version we write (client-go accepts v1beta1 and v1; v1 since 1.22). */
export const EXEC_API_VERSION = 'client.authentication.k8s.io/v1';

/** `users[].user.exec.env[]`. */
export interface ExecEnvVar {
  readonly name: string;
  readonly value: string;
}

/** The exec stanza to write; interactiveMode is required by kubectl for v1 and defaults to IfAvailable here. */
export interface ExecUserInput {
  readonly command: string;
  readonly args: readonly string[];
  readonly installHint: string;
  /** undefined leaves an existing `env` alone; an empty list removes it. */
  readonly env?: readonly ExecEnvVar[] | undefined;
  readonly interactiveMode?: 'IfAvailable' | 'Never' | 'Always';
}

/** A cluster's server and, optionally, its CA (inline base64 PEM or a file path). */
export interface ClusterInput {
  readonly server: string;
  readonly certificateAuthorityData?: string | undefined;
  readonly certificateAuthority?: string | undefined;
}

/** A context: which cluster and user, and optionally the default namespace (undefined leaves it alone). */
export interface ContextInput {
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string | undefined;
}

/** What an upsert did, and in which file; `removed` lists fields dropped because they conflict. */
export interface UpsertResult {
  readonly path: string;
  readonly action: 'added' | 'updated' | 'unchanged';
  readonly removed: readonly string[];
}

// Auth methods client-go refuses next to exec ("authProvider cannot be provided in combination with
// an exec plugin") or that would send a second credential; client certificates may stay.
const CONFLICTING_USER_FIELDS = ['auth-provider', 'token', 'tokenFile', 'username', 'password'] as const;

/** Adds or updates `users[name].user.exec`, keeping every other field of the entry. */
export function upsertExecUser(set: KubeconfigSet, name: string, input: ExecUserInput): UpsertResult {
  return upsertEntry(set, 'users', name, (doc, user) => {
    const removed: string[] = [];
    for (const field of CONFLICTING_USER_FIELDS) if (user.delete(field)) removed.push(`user.${field}`);
    const existingExec: unknown = user.get('exec', true);
    let execMap: YAMLMap;
    if (isMap(existingExec)) {
      execMap = existingExec;
    } else {
      execMap = doc.createNode({}) as YAMLMap;
      user.set('exec', execMap);
    }
    setField(doc, execMap, 'apiVersion', EXEC_API_VERSION);
    setField(doc, execMap, 'command', input.command);
    setField(doc, execMap, 'args', [...input.args]);
    if (input.env !== undefined) {
      if (input.env.length === 0) execMap.delete('env');
      else setField(doc, execMap, 'env', input.env.map((v) => ({ name: v.name, value: v.value })));
    }
    setField(doc, execMap, 'interactiveMode', input.interactiveMode ?? 'IfAvailable');
    setField(doc, execMap, 'installHint', input.installHint);
    return removed;
  });
}

/** Adds or updates `clusters[name].cluster`: the server, and the CA when one is given. */
export function upsertCluster(set: KubeconfigSet, name: string, input: ClusterInput): UpsertResult {
  return upsertEntry(set, 'clusters', name, (doc, cluster) => {
    const removed: string[] = [];
    setField(doc, cluster, 'server', input.server);
    const hasCa = input.certificateAuthorityData !== undefined || input.certificateAuthority !== undefined;
    if (hasCa) {
      // client-go validation: both CA fields together, or a CA with insecure-skip-tls-verify, is an error.
      const drop = input.certificateAuthorityData !== undefined ? 'certificate-authority' : 'certificate-authority-data';
      for (const field of [drop, 'insecure-skip-tls-verify']) if (cluster.delete(field)) removed.push(`cluster.${field}`);
      setField(doc, cluster, 'certificate-authority-data', input.certificateAuthorityData);
      setField(doc, cluster, 'certificate-authority', input.certificateAuthority);
    }
    return removed;
  });
}

/** Adds or updates `contexts[name].context`: cluster, user and (when given) namespace. */
export function upsertContext(set: KubeconfigSet, name: string, input: ContextInput): UpsertResult {
  return upsertEntry(set, 'contexts', name, (doc, context) => {
    setField(doc, context, 'cluster', input.cluster);
    setField(doc, context, 'user', input.user);
    setField(doc, context, 'namespace', input.namespace);
    return [];
  });
}

/** Sets current-context in the first file that sets it, else in the file new entries go to. */
export function setCurrentContext(set: KubeconfigSet, name: string): UpsertResult {
  const file = fileSettingCurrentContext(set) ?? writeTargetFile(set);
  const root = ensureRootMap(file);
  const existing = root.get('current-context', true);
  if (isScalar(existing) && existing.value === name) return { path: file.path, action: 'unchanged', removed: [] };
  const action = isScalar(existing) && existing.value !== null && existing.value !== '' ? 'updated' : 'added';
  setField(file.doc, root, 'current-context', name);
  file.changed = true;
  return { path: file.path, action, removed: [] };
}

/** The file that receives entries that exist in no file yet (client-go GetDefaultFilename). */
export function writeTargetFile(set: KubeconfigSet): KubeconfigFile {
  const existing = new Set(set.files.filter((f) => f.exists).map((f) => f.path));
  const target = defaultWriteTarget(set.location, (path) => existing.has(path));
  return set.files.find((f) => f.path === target) ?? set.files[0]!;
}

// Edits the entry where it lives (kubectl modifies "the file where the stanza came from"), or adds it
// to the default file; the entry is marked changed only if its plain data actually differs.
function upsertEntry(
  set: KubeconfigSet,
  section: KubeconfigSection,
  name: string,
  edit: (doc: Document, body: YAMLMap) => string[],
): UpsertResult {
  const bodyKey = ENTRY_BODY_KEY[section];
  const found = findEntry(set, section, name);
  if (found !== undefined) {
    const { file, entry } = found;
    const before: unknown = entry.toJSON();
    const existingBody: unknown = entry.get(bodyKey, true);
    let body: YAMLMap;
    if (isMap(existingBody)) {
      body = existingBody;
    } else {
      body = file.doc.createNode({}) as YAMLMap;
      entry.set(bodyKey, body);
    }
    const removed = edit(file.doc, body);
    const changed = !isDeepStrictEqual(before, entry.toJSON());
    if (changed) file.changed = true;
    return { path: file.path, action: changed ? 'updated' : 'unchanged', removed };
  }
  const file = writeTargetFile(set);
  const root = ensureRootMap(file);
  let list = sectionList(file.doc, section);
  if (list === undefined) {
    list = file.doc.createNode([]) as YAMLSeq<YAMLMap>;
    root.set(section, list);
  }
  // `users: []` would otherwise grow into a one-line flow list; a block-style file stays block style.
  if (list.items.length === 0 && !root.flow) list.flow = false;
  const entry = file.doc.createNode({ name, [bodyKey]: {} }) as YAMLMap;
  const newBody: unknown = entry.get(bodyKey, true);
  const removed = edit(file.doc, newBody as YAMLMap);
  list.add(entry);
  file.changed = true;
  return { path: file.path, action: 'added', removed };
}

// An empty or comment-only file gets the header kubectl writes.
function ensureRootMap(file: KubeconfigFile): YAMLMap {
  const contents = file.doc.contents;
  if (isMap(contents)) return contents;
  if (contents !== null && !isEmptyScalar(contents)) throw new Error(`${file.path}: the top level is not a map`);
  const root = file.doc.createNode({ apiVersion: 'v1', kind: 'Config' });
  file.doc.contents = root;
  file.changed = true;
  return root;
}

// Sets a field only when its plain value differs, so an unchanged field keeps its exact text; a
// replaced value keeps the comments that were attached to it.
function setField(doc: Document, map: YAMLMap, key: string, value: unknown): void {
  if (value === undefined) return;
  const existing: unknown = map.get(key, true);
  if (existing !== undefined && isDeepStrictEqual(isNode(existing) ? existing.toJSON() : existing, value)) return;
  const node = doc.createNode(value);
  if (isNode(existing)) {
    node.commentBefore = existing.commentBefore;
    node.comment = existing.comment;
    node.spaceBefore = existing.spaceBefore;
  }
  map.set(key, node);
}
