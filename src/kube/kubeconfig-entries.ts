// Reads named entries across the files of a KubeconfigSet with kubectl's merge rules (first file wins).
import { isMap, isScalar, type YAMLMap } from 'yaml';
import type { KubeconfigFile, KubeconfigSet } from './kubeconfig-load.js';

/** The set of loaded files the readers below take (defined in kubeconfig-load.ts). */
export type { KubeconfigSet } from './kubeconfig-load.js';
import { ENTRY_BODY_KEY, type KubeconfigSection, entryName, sectionList } from './kubeconfig-parse.js';

/** Where a named entry lives: the first file of the precedence list that defines it. */
export interface EntryLocation {
  readonly file: KubeconfigFile;
  readonly entry: YAMLMap;
  readonly index: number;
}

/** A merged entry as kubectl sees it: its name, its body as plain data, and the file it comes from. */
export interface KubeconfigEntry {
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly path: string;
}

/** Finds the entry kubectl would use for `name` (client-go merges maps with "first file wins"). */
export function findEntry(set: KubeconfigSet, section: KubeconfigSection, name: string): EntryLocation | undefined {
  for (const file of set.files) {
    const list = sectionList(file.doc, section);
    if (list === undefined) continue;
    const index = list.items.findIndex((entry) => entryName(entry) === name);
    if (index >= 0) return { file, entry: list.items[index]!, index };
  }
  return undefined;
}

/** Every entry of a section as kubectl merges them: file order, then entry order, first name wins. */
export function listEntries(set: KubeconfigSet, section: KubeconfigSection): KubeconfigEntry[] {
  const seen = new Set<string>();
  const entries: KubeconfigEntry[] = [];
  for (const file of set.files) {
    for (const entry of sectionList(file.doc, section)?.items ?? []) {
      const name = entryName(entry);
      if (seen.has(name)) continue;
      seen.add(name);
      const body: unknown = entry.get(ENTRY_BODY_KEY[section], true);
      const plain: unknown = isMap(body) ? body.toJSON() : {};
      entries.push({ name, body: isRecord(plain) ? plain : {}, path: file.path });
    }
  }
  return entries;
}

/** The effective current-context: the first file that sets a non-empty one wins. */
export function currentContext(set: KubeconfigSet): { readonly name: string; readonly path: string } | undefined {
  const file = fileSettingCurrentContext(set);
  if (file === undefined) return undefined;
  return { name: String(currentContextOf(file)), path: file.path };
}

/** The first file that sets a non-empty current-context, if any. */
export function fileSettingCurrentContext(set: KubeconfigSet): KubeconfigFile | undefined {
  return set.files.find((file) => {
    const value = currentContextOf(file);
    return typeof value === 'string' && value !== '';
  });
}

function currentContextOf(file: KubeconfigFile): unknown {
  const contents = file.doc.contents;
  if (!isMap(contents)) return undefined;
  const node = contents.get('current-context', true);
  return isScalar(node) ? node.value : undefined;
}

/** True for a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
