// Parses one kubeconfig into a yaml Document and refuses anything whose shape we do not fully understand.
import {
  Document,
  LineCounter,
  type Node,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { KubeLoginError } from '../errors.js';

/** The three named-entry lists of a kubeconfig. */
export type KubeconfigSection = 'clusters' | 'contexts' | 'users';

/** Every named-entry list, in kubectl's order. */
export const KUBECONFIG_SECTIONS: readonly KubeconfigSection[] = ['clusters', 'contexts', 'users'];

/** The key that holds an entry's body: `clusters[].cluster`, `contexts[].context`, `users[].user`. */
export const ENTRY_BODY_KEY: Readonly<Record<KubeconfigSection, 'cluster' | 'context' | 'user'>> = {
  clusters: 'cluster',
  contexts: 'context',
  users: 'user',
};

/** How the file was laid out, so that what we add looks like what was there. */
export interface RenderStyle {
  readonly indent: number;
  /** True for `key:\n  - item`, false for kubectl's own `key:\n- item`. */
  readonly indentSeq: boolean;
  readonly flowCollectionPadding: boolean;
  readonly crlf: boolean;
  readonly bom: boolean;
}

/** A kubeconfig we understood: its Document (YAML 1.1, as kubectl reads it) and layout. */
export interface ParsedKubeconfig {
  readonly doc: Document;
  readonly style: RenderStyle;
  /** The text the Document was parsed from: LF line endings, no BOM. */
  readonly normalizedText: string;
}

/**
 * Options for every parse and render of a kubeconfig. kubectl reads YAML through go-yaml v2, which
 * follows YAML 1.1: `on`, `yes`, `y` are booleans there. Parsing and rendering with the 1.1 schema
 * reads values as kubectl does and quotes any new string kubectl would otherwise misread.
 */
export const KUBECONFIG_YAML_OPTIONS = { version: '1.1', uniqueKeys: true, strict: true, prettyErrors: true } as const;

/** The error for a kubeconfig that we refuse to read or write; names the file and the line. */
export function kubeconfigShapeError(path: string, line: number | undefined, problem: string, fix?: string): KubeLoginError {
  const where = line === undefined ? path : `${path}:${line}`;
  return new KubeLoginError('kubeconfig', `understand the kubeconfig ${path}`, `${where}: ${problem}`, {
    fix:
      fix ??
      'kube-login never writes a kubeconfig it does not fully understand: correct that line ' +
        `(\`kubectl config view --kubeconfig ${path}\` shows how kubectl reads the file), ` +
        'or pass --kubeconfig to use another file',
  });
}

/**
 * How many aliases one kubeconfig may resolve: yaml's default, the guard against an "alias bomb" (a
 * few lines whose nested aliases expand to billions of nodes). kubectl's go-yaml has a similar guard.
 */
export const MAX_ALIAS_COUNT = 100;

/** The plain data of a Document with aliases and merge keys resolved; throws KubeLoginError('kubeconfig') on an alias bomb. */
export function resolveAliases(doc: Document, path: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    throw kubeconfigShapeError(
      path,
      undefined,
      `its YAML aliases expand to more than ${MAX_ALIAS_COUNT} copies of shared nodes (an "alias bomb"), which kube-login refuses to expand`,
      `write the repeated values out in full instead of through nested aliases (*name), or pass --kubeconfig to use another file`,
    );
  }
}

/** How parseKubeconfig reads: `edit` refuses anchors in the parts setup edits; `read` resolves them as kubectl does. */
export type KubeconfigParseMode = 'edit' | 'read';

/**
 * Parses kubeconfig text; throws KubeLoginError('kubeconfig') naming the file and line of any problem.
 * In `read` mode a file with anchors, aliases or merge keys is read as kubectl reads it: the
 * Document is rebuilt from the resolved data (so it loses its line numbers), never to be written.
 */
export function parseKubeconfig(text: string, path: string, mode: KubeconfigParseMode = 'edit'): ParsedKubeconfig {
  const bom = text.startsWith('\uFEFF');
  const withoutBom = bom ? text.slice(1) : text;
  const crlf = /\r\n/.test(withoutBom);
  const normalizedText = crlf ? withoutBom.replace(/\r\n/g, '\n') : withoutBom;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(normalizedText, { ...KUBECONFIG_YAML_OPTIONS, lineCounter });
  const lineOf = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  if ('empty' in docs) {
    for (const error of docs.errors) throw kubeconfigShapeError(path, error.linePos?.[0].line, firstLine(error.message));
    const style = detectStyle(undefined, normalizedText, lineCounter, crlf, bom);
    return { doc: new Document(null, KUBECONFIG_YAML_OPTIONS), style, normalizedText };
  }
  for (const doc of docs) {
    for (const problem of [...doc.errors, ...doc.warnings]) {
      throw kubeconfigShapeError(path, problem.linePos?.[0].line, firstLine(problem.message));
    }
  }
  if (docs.length > 1) {
    // go-yaml decodes only the first document, so a second one would be silently ignored by kubectl.
    throw kubeconfigShapeError(path, lineOf(docs[1]!.range[0]), `the file holds ${docs.length} YAML documents; a kubeconfig is one`);
  }
  const parsed = docs[0]!;
  // Every mode expands the aliases once: an alias bomb is refused here, not when the edit is rendered.
  const data = resolveAliases(parsed, path);
  const doc = mode === 'read' && sharesNodes(parsed) ? new Document(data, { ...KUBECONFIG_YAML_OPTIONS, aliasDuplicateObjects: false }) : parsed;
  validateShape(doc, path, lineOf);
  return { doc, style: detectStyle(doc, normalizedText, lineCounter, crlf, bom), normalizedText };
}

/** True when the Document has an anchor, an alias or a merge key anywhere. */
function sharesNodes(doc: Document): boolean {
  let found = false;
  visit(doc, (_key, node) => {
    if (isAlias(node) || (isNode(node) && node.anchor) || (isPair(node) && isScalar(node.key) && (node.key.value === '<<' || typeof node.key.value === 'symbol'))) {
      found = true;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function validateShape(doc: Document, path: string, lineOf: (offset: number | undefined) => number | undefined): void {
  const where = (node: unknown): number | undefined => (isNode(node) ? lineOf(node.range?.[0]) : undefined);
  const contents = doc.contents;
  if (contents === null || isEmptyScalar(contents)) return;
  if (!isMap(contents)) {
    throw kubeconfigShapeError(path, where(contents), `the top level is ${describeNode(contents)}, not a map`);
  }
  for (const pair of contents.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
      throw kubeconfigShapeError(path, where(pair.key), 'a top-level key is not a plain string');
    }
  }
  const currentContext = contents.get('current-context', true);
  if (currentContext !== undefined && !isEmptyScalar(currentContext)) {
    if (!isScalar(currentContext) || typeof currentContext.value !== 'string') {
      throw kubeconfigShapeError(path, where(currentContext), `current-context is ${describeNode(currentContext)}, not a string`);
    }
    rejectAnchors(currentContext, 'current-context', path, where);
  }
  for (const section of KUBECONFIG_SECTIONS) {
    const list = contents.get(section, true);
    if (list === undefined || isEmptyScalar(list)) continue;
    if (!isSeq(list)) {
      throw kubeconfigShapeError(path, where(list), `${section} is ${describeNode(list)}, not a list of named entries`);
    }
    rejectAnchors(list, section, path, where);
    validateSection(list, section, path, where);
  }
}

function validateSection(
  list: YAMLSeq,
  section: KubeconfigSection,
  path: string,
  where: (node: unknown) => number | undefined,
): void {
  const seen = new Map<string, number | undefined>();
  list.items.forEach((item, index) => {
    const label = `${section}[${index}]`;
    if (!isMap(item)) throw kubeconfigShapeError(path, where(item), `${label} is ${describeNode(item)}, not a map`);
    for (const pair of item.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
        throw kubeconfigShapeError(path, where(pair.key) ?? where(item), `${label} has a key that is not a plain string`);
      }
    }
    const name = item.get('name', true);
    if (name === undefined) throw kubeconfigShapeError(path, where(item), `${label} has no name`);
    if (!isScalar(name) || typeof name.value !== 'string' || name.value === '') {
      throw kubeconfigShapeError(path, where(name), `${label} has a name that is not a non-empty string`);
    }
    const body = item.get(ENTRY_BODY_KEY[section], true);
    if (body !== undefined && !isEmptyScalar(body) && !isMap(body)) {
      throw kubeconfigShapeError(
        path,
        where(body),
        `${label} (${JSON.stringify(name.value)}) has a ${ENTRY_BODY_KEY[section]} that is ${describeNode(body)}, not a map`,
      );
    }
    const firstLineOfName = seen.get(name.value);
    if (seen.has(name.value)) {
      const earlier = firstLineOfName === undefined ? '' : ` (first at line ${firstLineOfName})`;
      throw kubeconfigShapeError(path, where(item), `${section} has two entries named ${JSON.stringify(name.value)}${earlier}`);
    }
    seen.set(name.value, where(item));
  });
}

// Anchors, aliases and merge keys make one edit change several places (or none); kubectl accepts
// them, but in the parts we edit we refuse them rather than guess what the user meant.
function rejectAnchors(node: Node, label: string, path: string, where: (node: unknown) => number | undefined): void {
  let problem: { node: unknown; text: string } | undefined;
  const check = (candidate: unknown): void => {
    if (problem !== undefined) return;
    if (isAlias(candidate)) problem = { node: candidate, text: `${label} uses the YAML alias *${candidate.source}` };
    else if (isNode(candidate) && candidate.anchor) problem = { node: candidate, text: `${label} defines the YAML anchor &${candidate.anchor}` };
  };
  check(node);
  visit(node, (_key, candidate) => {
    if (isPair(candidate)) {
      // With YAML 1.1 merge keys enabled, yaml reads `<<` as a Symbol key.
      if (isScalar(candidate.key) && (candidate.key.value === '<<' || typeof candidate.key.value === 'symbol')) {
        problem ??= { node: candidate.key, text: `${label} uses a YAML merge key (<<)` };
      }
      return undefined;
    }
    check(candidate);
    return problem === undefined ? undefined : visit.BREAK;
  });
  if (problem !== undefined) {
    throw kubeconfigShapeError(
      path,
      where(problem.node),
      `${problem.text}; setup edits these entries, and an edit through a node that several places share would change all of them (or none)`,
      'write the entries out in full: replace each alias (*name) with a copy of the value its anchor (&name) marks, drop the anchor ' +
        `and any merge key (<<); \`kubectl config view --raw --kubeconfig ${path}\` prints the file with every alias expanded. ` +
        'Commands that only read the file (doctor, status, login, logout) accept anchors as kubectl does',
    );
  }
}

/** True for a missing value written as nothing, `~` or `null`. */
export function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null;
}

function describeNode(node: unknown): string {
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isScalar(node)) return node.value === null ? 'empty' : `the ${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'something else';
}

// The layout of the file, read from node positions: what kubectl writes is 2 spaces, `indentSeq: false`.
// yaml's `indentSeq: false` puts a list's `-` at (indent - 2) when indent > 2, so the 4-space maps with
// 2-space lists often written by hand are reproduced too.
function detectStyle(doc: Document | undefined, text: string, lineCounter: LineCounter, crlf: boolean, bom: boolean): RenderStyle {
  let mapStep: number | undefined;
  let seqStep: number | undefined;
  const columnOf = (offset: number): number => lineCounter.linePos(offset).col - 1;
  if (doc !== undefined) {
    visit(doc, {
      Pair(_key, pair) {
        if (!isScalar(pair.key) || !pair.key.range) return undefined;
        const keyColumn = columnOf(pair.key.range[0]);
        const value = pair.value;
        if (mapStep === undefined && isMap(value) && !value.flow) {
          const first = value.items[0]?.key;
          if (isScalar(first) && first.range) {
            const step = columnOf(first.range[0]) - keyColumn;
            if (step >= 1 && step <= 8) mapStep = step;
          }
        }
        // A block sequence's range starts at its first `-`.
        if (seqStep === undefined && isSeq(value) && !value.flow && value.items.length > 0 && value.range) {
          seqStep = columnOf(value.range[0]) - keyColumn;
        }
        return mapStep !== undefined && seqStep !== undefined ? visit.BREAK : undefined;
      },
    });
  }
  let indent = mapStep ?? (seqStep !== undefined && seqStep > 0 ? seqStep : 2);
  let indentSeq = false;
  if (seqStep !== undefined && seqStep > 0) {
    if (mapStep !== undefined && seqStep === mapStep - 2 && mapStep > 2) indentSeq = false;
    else {
      indentSeq = true;
      if (mapStep === undefined) indent = seqStep;
    }
  }
  const flowCollectionPadding = /[{[] +[^\s\]}]/.test(text);
  return { indent, indentSeq, flowCollectionPadding, crlf, bom };
}

/** The section's YAMLSeq, or undefined when the file has none. */
export function sectionList(doc: Document, section: KubeconfigSection): YAMLSeq<YAMLMap> | undefined {
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  const list = contents.get(section, true);
  return isSeq(list) ? (list as YAMLSeq<YAMLMap>) : undefined;
}

/** The `name` of an entry already validated by parseKubeconfig. */
export function entryName(entry: YAMLMap): string {
  const name = entry.get('name');
  return typeof name === 'string' ? name : '';
}
