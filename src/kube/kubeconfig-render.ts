// Turns an edited kubeconfig Document back into text, changing as few original bytes as possible.
import { isDeepStrictEqual } from 'node:util';
import { applyPatch, structuredPatch } from 'diff';
import { type Document, type ToStringOptions, isNode, parseDocument, visit } from 'yaml';
import { KubeLoginError } from '../errors.js';
import type { KubeconfigFile } from './kubeconfig-load.js';
import { KUBECONFIG_YAML_OPTIONS, type RenderStyle, parseKubeconfig } from './kubeconfig-parse.js';
import { mergeLines } from './text-three-way-merge.js';

/** How the new text was obtained: a line patch of the original, or a full re-render of the Document. */
export interface RenderedKubeconfig {
  readonly text: string;
  readonly method: 'unchanged' | 'patched' | 'rendered';
}

/** The yaml toString options that reproduce a file's layout; lineWidth 0 never folds long CA data. */
export function toStringOptions(style: RenderStyle): ToStringOptions {
  return {
    indent: style.indent,
    indentSeq: style.indentSeq,
    lineWidth: 0,
    minContentWidth: 0,
    flowCollectionPadding: style.flowCollectionPadding,
  };
}

/**
 * The new text of an edited file. yaml re-renders a whole Document, which can change untouched lines
 * (comment spacing, quoting, indentation). So the edit is carried over to the original bytes: first a
 * three-way line merge (base: the re-rendered original), else a whitespace-tolerant line patch. A
 * result is kept only if it reads back to exactly the same data and comments as the edited Document;
 * otherwise the full re-render is used, which is itself checked the same way.
 */
export function renderKubeconfig(file: KubeconfigFile): RenderedKubeconfig {
  const options = toStringOptions(file.style);
  const full = file.doc.toString(options);
  const expected = snapshot(file.doc);
  if (!matches(full, file.path, expected)) {
    throw new KubeLoginError('internal', `render the kubeconfig ${file.path}`, 'the rendered YAML does not read back as the edited data', {
      fix: 'nothing was written; this is a bug in kube-login, please report it with the shape of your kubeconfig (not its secrets)',
    });
  }
  const original = normalize(file.text);
  if (!file.exists || original.trim() === '') return { text: restyle(full, file.style), method: 'rendered' };
  if (full === original) return { text: file.text, method: 'unchanged' };
  const originalRendered = parseDocument(original, KUBECONFIG_YAML_OPTIONS).toString(options);
  if (originalRendered === original) return { text: restyle(full, file.style), method: 'patched' };
  // Base: the re-rendered original; ours: the original bytes (their formatting); theirs: our edit.
  const merged = mergeLines(originalRendered, original, full);
  if (matches(merged, file.path, expected)) {
    return { text: restyle(merged, file.style), method: 'patched' };
  }
  const patch = structuredPatch('original', 'edited', originalRendered, full, undefined, undefined, { context: 2 });
  const patched = applyPatch(original, patch, {
    compareLine: (_lineNumber, line: string | undefined, _operation, patchContent) => line !== undefined && squash(line) === squash(patchContent),
  });
  if (patched !== false && matches(patched, file.path, expected)) {
    return { text: restyle(patched, file.style), method: 'patched' };
  }
  return { text: restyle(full, file.style), method: 'rendered' };
}

interface Snapshot {
  readonly data: unknown;
  readonly comments: readonly string[];
}

function snapshot(doc: Document): Snapshot {
  return { data: doc.toJS(), comments: commentsOf(doc) };
}

function matches(text: string, path: string, expected: Snapshot): boolean {
  try {
    const { doc } = parseKubeconfig(text, path);
    const actual = snapshot(doc);
    return isDeepStrictEqual(actual.data, expected.data) && isDeepStrictEqual(actual.comments, expected.comments);
  } catch {
    return false;
  }
}

/** Every comment line of a Document, trimmed and sorted (yaml may attach a comment to a neighbouring node). */
export function commentsOf(doc: Document): string[] {
  const comments: string[] = [];
  const add = (text: string | null | undefined): void => {
    if (text) for (const line of text.split('\n')) if (line.trim() !== '') comments.push(line.trim());
  };
  add(doc.commentBefore);
  visit(doc, (_key, node) => {
    if (isNode(node)) {
      add(node.commentBefore);
      add(node.comment);
    }
  });
  add(doc.comment);
  return comments.sort();
}

function squash(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

function normalize(text: string): string {
  const withoutBom = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return withoutBom.replace(/\r\n/g, '\n');
}

function restyle(text: string, style: RenderStyle): string {
  const lines = style.crlf ? text.replace(/\n/g, '\r\n') : text;
  return style.bom ? '\uFEFF' + lines : lines;
}
