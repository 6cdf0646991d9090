// Property tests: whatever the kubeconfig looks like, an upsert keeps every earlier entry, its order,
// the unknown fields and the comments, and changes only the lines it must.
import { diffLines } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Document, isMap, isNode, isSeq, visit, type YAMLMap } from 'yaml';
import {
  ENTRY_BODY_KEY,
  KUBECONFIG_SECTIONS,
  type KubeconfigSection,
  type KubeconfigSet,
  kubeconfigFileFromText,
  parseKubeconfig,
  planKubeconfigChanges,
  setCurrentContext,
  upsertCluster,
  upsertContext,
  upsertExecUser,
} from '../../../src/kube/kubeconfig.js';
import { entryName as entryNameArb, kubeconfigData, layout, renderKubeconfigText } from './kubeconfig-arbitraries.js';

type Op =
  | { kind: 'user'; pick: number | string }
  | { kind: 'cluster'; pick: number | string; caData: boolean }
  | { kind: 'context'; pick: number | string; namespace: string | undefined }
  | { kind: 'current'; pick: number | string };

// An operation names an existing entry (by index) or a new one.
const pick = fc.oneof(fc.nat(), entryNameArb.map((name) => `new-${name}`));
const op: fc.Arbitrary<Op> = fc.oneof(
  pick.map((p) => ({ kind: 'user' as const, pick: p })),
  fc.tuple(pick, fc.boolean()).map(([p, caData]) => ({ kind: 'cluster' as const, pick: p, caData })),
  fc.tuple(pick, fc.option(fc.constantFrom('default', 'team-a', 'on'), { nil: undefined })).map(([p, namespace]) => ({
    kind: 'context' as const,
    pick: p,
    namespace,
  })),
  pick.map((p) => ({ kind: 'current' as const, pick: p })),
);

const SECTION_OF: Record<Exclude<Op['kind'], 'current'>, KubeconfigSection> = { user: 'users', cluster: 'clusters', context: 'contexts' };
const PATH = '/virtual/config';

function namesOf(doc: Document, section: KubeconfigSection): string[] {
  const contents = doc.contents;
  if (!isMap(contents)) return [];
  const list = contents.get(section, true);
  if (!isSeq(list)) return [];
  return list.items.map((item) => String((item as YAMLMap).get('name')));
}

function entriesOf(doc: Document, section: KubeconfigSection): Map<string, YAMLMap> {
  const result = new Map<string, YAMLMap>();
  const contents = doc.contents;
  if (!isMap(contents)) return result;
  const list = contents.get(section, true);
  if (!isSeq(list)) return result;
  for (const item of list.items) result.set(String((item as YAMLMap).get('name')), item as YAMLMap);
  return result;
}

function commentsIn(node: unknown): string[] {
  const out: string[] = [];
  const add = (text: string | null | undefined): void => {
    if (text) for (const line of text.split('\n')) if (line.trim()) out.push(line.trim());
  };
  if (isNode(node)) {
    add(node.commentBefore);
    add(node.comment);
    visit(node, (_k, n) => {
      if (isNode(n)) {
        add(n.commentBefore);
        add(n.comment);
      }
    });
  }
  return out;
}

function allComments(doc: Document): string[] {
  return [...splitComment(doc.commentBefore), ...commentsIn(doc.contents), ...splitComment(doc.comment)];
}

function splitComment(text: string | null | undefined): string[] {
  return text ? text.split('\n').map((l) => l.trim()).filter(Boolean) : [];
}

function removeAll(haystack: string[], needles: string[]): string[] {
  const rest = [...haystack];
  for (const needle of needles) {
    const i = rest.indexOf(needle);
    if (i >= 0) rest.splice(i, 1);
  }
  return rest;
}

function resolveName(set: KubeconfigSet, section: KubeconfigSection, p: number | string): string {
  if (typeof p === 'string') return p;
  const names = namesOf(set.files[0]!.doc, section);
  return names.length === 0 ? `fresh-${p}` : names[p % names.length]!;
}

function apply(set: KubeconfigSet, operation: Op): { section: KubeconfigSection | undefined; name: string } {
  switch (operation.kind) {
    case 'user': {
      const name = resolveName(set, 'users', operation.pick);
      upsertExecUser(set, name, {
        command: 'kube-login',
        args: ['get-token', '--oidc-issuer-url=https://issuer.example.com', '--oidc-client-id=kubernetes'],
        installHint: 'kube-login is required:\n  npm install -g kube-login\n',
      });
      return { section: 'users', name };
    }
    case 'cluster': {
      const name = resolveName(set, 'clusters', operation.pick);
      upsertCluster(set, name, {
        server: 'https://127.0.0.1:6443',
        certificateAuthorityData: operation.caData ? 'LS0tLS1CRUdJTg==' : undefined,
      });
      return { section: 'clusters', name };
    }
    case 'context': {
      const name = resolveName(set, 'contexts', operation.pick);
      upsertContext(set, name, { cluster: 'c', user: 'u', namespace: operation.namespace });
      return { section: 'contexts', name };
    }
    case 'current': {
      const name = resolveName(set, 'contexts', operation.pick);
      setCurrentContext(set, name);
      return { section: undefined, name };
    }
  }
}

describe('kubeconfig upserts over random kubeconfigs', () => {
  it('keep every earlier entry deep-equal and in order, unknown fields, and comments', () => {
    fc.assert(
      fc.property(kubeconfigData, layout, fc.array(op, { minLength: 1, maxLength: 4 }), (data, style, ops) => {
        const text = renderKubeconfigText(data, style);
        const original = parseKubeconfig(text, PATH).doc;
        const set: KubeconfigSet = { location: { paths: [PATH], source: 'flag' }, files: [kubeconfigFileFromText(PATH, text)] };
        const touched = new Map<KubeconfigSection, Set<string>>(KUBECONFIG_SECTIONS.map((s) => [s, new Set<string>()]));
        for (const operation of ops) {
          const { section, name } = apply(set, operation);
          if (section) touched.get(section)!.add(name);
        }
        const changes = planKubeconfigChanges(set);
        const after = changes.length === 0 ? text : changes[0]!.after;
        const written = parseKubeconfig(after, PATH).doc;

        for (const section of KUBECONFIG_SECTIONS) {
          const before = entriesOf(original, section);
          const now = entriesOf(written, section);
          // Same relative order of the original entries.
          const kept = namesOf(written, section).filter((n) => before.has(n));
          expect(kept).toEqual(namesOf(original, section));
          for (const [name, entry] of before) {
            if (touched.get(section)!.has(name)) {
              // A touched entry keeps every field we do not own.
              const body = entry.get(ENTRY_BODY_KEY[section], true);
              const newBody = now.get(name)!.get(ENTRY_BODY_KEY[section], true);
              const owned = new Set(['exec', 'server', 'certificate-authority-data', 'certificate-authority', 'insecure-skip-tls-verify', 'cluster', 'user', 'namespace', 'auth-provider', 'token', 'tokenFile', 'username', 'password']);
              if (isMap(body) && isMap(newBody)) {
                for (const [key, value] of Object.entries(body.toJSON() as Record<string, unknown>)) {
                  if (!owned.has(key)) expect((newBody.toJSON() as Record<string, unknown>)[key]).toEqual(value);
                }
              }
            } else {
              expect(now.get(name)!.toJSON()).toEqual(entry.toJSON());
            }
          }
        }
        // Unknown and other top-level fields are untouched, and keep their order.
        const beforeTop = original.toJS() as Record<string, unknown> | null;
        const afterTop = written.toJS() as Record<string, unknown>;
        const ours = new Set<string>([...KUBECONFIG_SECTIONS, 'current-context']);
        const otherKeys = Object.keys(beforeTop ?? {}).filter((k) => !ours.has(k));
        for (const key of otherKeys) expect(afterTop[key]).toEqual(beforeTop![key]);
        expect(Object.keys(afterTop).filter((k) => otherKeys.includes(k))).toEqual(otherKeys);

        // Every comment outside the touched entries survives.
        const insideTouched: string[] = [];
        for (const section of KUBECONFIG_SECTIONS) {
          for (const [name, entry] of entriesOf(original, section)) if (touched.get(section)!.has(name)) insideTouched.push(...commentsIn(entry));
        }
        const expected = removeAll(allComments(original), insideTouched);
        const remaining = removeAll(allComments(written), expected);
        expect(allComments(written).length - remaining.length).toBe(expected.length);
        expect(allComments(written).length).toBeLessThanOrEqual(allComments(original).length);
      }),
      { numRuns: 300 },
    );
  });

  it('adding new entries to block-style sections only adds lines', () => {
    fc.assert(
      fc.property(kubeconfigData, layout, fc.array(fc.constantFrom<Op['kind']>('user', 'cluster', 'context'), { minLength: 1, maxLength: 3 }), (data, style, kinds) => {
        const text = renderKubeconfigText(data, style, true);
        const original = parseKubeconfig(text, PATH).doc;
        const contents = original.contents;
        fc.pre(!isMap(contents) || !contents.flow);
        for (const section of KUBECONFIG_SECTIONS) {
          const list = isMap(contents) ? contents.get(section, true) : undefined;
          fc.pre(!isSeq(list) || !list.flow);
        }
        const set: KubeconfigSet = { location: { paths: [PATH], source: 'flag' }, files: [kubeconfigFileFromText(PATH, text)] };
        kinds.forEach((kind, i) => {
          if (kind !== 'current') apply(set, { kind, pick: `brand-new-${SECTION_OF[kind]}-${i}`, caData: true, namespace: 'ns' } as Op);
        });
        const [change] = planKubeconfigChanges(set);
        expect(change).toBeDefined();
        const removed = diffLines(text, change!.after).filter((part) => part.removed);
        expect(removed).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
