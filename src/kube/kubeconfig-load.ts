// Reads every kubeconfig file of a location into yaml Documents: editable ones for setup
// (loadKubeconfigs), or read as kubectl reads them, anchors included, for the commands that only read
// (loadKubeconfigsReadOnly).
import { readFile, stat } from 'node:fs/promises';
import { Document } from 'yaml';
import { KubeLoginError, describe } from '../errors.js';
import type { KubeconfigLocation } from './kubeconfig-paths.js';
import { checkKubeconfigLinkForRoot } from './kubeconfig-link-check.js';
import { KUBECONFIG_YAML_OPTIONS, type KubeconfigParseMode, type RenderStyle, kubeconfigShapeError, parseKubeconfig } from './kubeconfig-parse.js';

/** One kubeconfig file: its original text and the Document the merge helpers edit. */
export interface KubeconfigFile {
  readonly path: string;
  /** False for a listed file that does not exist yet (kubectl skips those when reading). */
  readonly exists: boolean;
  /** The exact original text ('' when the file does not exist). */
  readonly text: string;
  /** The original permission bits, e.g. 0o600; undefined for a new file. */
  readonly mode: number | undefined;
  /** The working copy: parsed from `text`, edited in place by the merge helpers. */
  readonly doc: Document;
  readonly style: RenderStyle;
  /** Set by the merge helpers when they edited `doc`. */
  changed: boolean;
}

/** All files of a location, in kubectl's precedence order. */
export interface KubeconfigSet {
  readonly location: KubeconfigLocation;
  readonly files: readonly KubeconfigFile[];
}

const KUBECTL_STYLE: RenderStyle = { indent: 2, indentSeq: false, flowCollectionPadding: false, crlf: false, bom: false };

/** Kubeconfigs are kilobytes; a bigger file is refused before it is read (yaml needs ~300× its size in memory). */
export const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Loads every file of the location for editing (setup); a file that is missing loads as empty, a
 * file we do not understand throws, and so do anchors in the sections setup edits.
 */
export async function loadKubeconfigs(location: KubeconfigLocation): Promise<KubeconfigSet> {
  const files: KubeconfigFile[] = [];
  for (const path of location.paths) {
    await checkKubeconfigLinkForRoot(path);
    files.push(await loadKubeconfigFile(path));
  }
  return { location, files };
}

/**
 * Loads every file of the location as kubectl reads it, for commands that never write it (doctor,
 * status, login, logout): anchors, aliases and merge keys are resolved (within MAX_ALIAS_COUNT).
 * The Documents of files that use them are rebuilt from the resolved data and must not be written.
 */
export async function loadKubeconfigsReadOnly(location: KubeconfigLocation): Promise<KubeconfigSet> {
  const files: KubeconfigFile[] = [];
  for (const path of location.paths) files.push(await loadKubeconfigFile(path, 'read'));
  return { location, files };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Loads one kubeconfig file (missing → empty, exists: false); throws KubeLoginError('kubeconfig'). */
export async function loadKubeconfigFile(path: string, parseMode: KubeconfigParseMode = 'edit'): Promise<KubeconfigFile> {
  let bytes: Buffer;
  let mode: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw kubeconfigShapeError(path, undefined, 'this is a directory, not a file');
    mode = info.mode & 0o7777;
    if (info.size > MAX_KUBECONFIG_BYTES) throw tooLargeError(path, info.size);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof KubeLoginError) throw error;
    if (errnoCode(error) === 'ENOENT') {
      return missingKubeconfigFile(path);
    }
    throw new KubeLoginError('kubeconfig', `read the kubeconfig ${path}`, describe(error), {
      cause: error,
      fix: `check that you can read ${path}, or pass --kubeconfig to use another file`,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw kubeconfigShapeError(path, undefined, `the file is not UTF-8 text (${describe(error)})`);
  }
  return kubeconfigFileFromText(path, text, mode, parseMode);
}

/** The error for a file above MAX_KUBECONFIG_BYTES, raised before reading it. */
function tooLargeError(path: string, size: number): KubeLoginError {
  return new KubeLoginError('kubeconfig', `read the kubeconfig ${path}`, `the file is ${mib(size)}, more than the ${mib(MAX_KUBECONFIG_BYTES)} kube-login reads (kubeconfigs are kilobytes)`, {
    fix: `check that ${path} is a kubeconfig (\`kubectl config view --kubeconfig ${path}\`), or pass --kubeconfig to use another file`,
  });
}

/** A KubeconfigFile for text already read (or held in memory by tests); throws like parseKubeconfig. */
export function kubeconfigFileFromText(path: string, text: string, mode: number | undefined = 0o600, parseMode: KubeconfigParseMode = 'edit'): KubeconfigFile {
  const parsed = parseKubeconfig(text, path, parseMode);
  return { path, exists: true, text, mode, doc: parsed.doc, style: parsed.style, changed: false };
}

/** A KubeconfigFile for a listed path that does not exist yet. */
export function missingKubeconfigFile(path: string): KubeconfigFile {
  return { path, exists: false, text: '', mode: undefined, doc: new Document(null, KUBECONFIG_YAML_OPTIONS), style: KUBECTL_STYLE, changed: false };
}

/** The `code` of a Node.js system error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
