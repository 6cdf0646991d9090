// fast-check generators of realistic and odd kubeconfig files: exec/token/auth-provider/cert users,
// clusters with extensions holding arbitrary nested values, comments, flow/block styles, unknown fields.
import fc from 'fast-check';
import { Document, isCollection, isNode, isScalar, parseDocument, visit } from 'yaml';

const KEY_BLOCKLIST = new Set(['<<', '__proto__', 'constructor', 'prototype']);

/** A map key that YAML and kubectl both keep as a plain string key. */
export const safeKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !KEY_BLOCKLIST.has(k));

/** Any JSON value, with keys YAML cannot misread as merge keys. */
export const nestedValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(safeKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Entry names: mostly kubectl-like, sometimes any string. */
export const entryName = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9@._:/-]{0,15}$/) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) },
);

const base64 = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64'));
const extensions = fc.array(fc.record({ name: safeKey, extension: nestedValue }), { maxLength: 2 });

const execUser = fc.record(
  {
    exec: fc.record(
      {
        apiVersion: fc.constantFrom('client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'),
        command: fc.constantFrom('kubectl-oidc_login', 'gke-gcloud-auth-plugin', 'aws', '/usr/local/bin/x'),
        args: fc.array(fc.string({ maxLength: 15 }), { maxLength: 4 }),
        env: fc.array(fc.record({ name: fc.stringMatching(/^[A-Z_]{1,8}$/), value: fc.string({ maxLength: 10 }) }), { maxLength: 2 }),
        interactiveMode: fc.constantFrom('IfAvailable', 'Never', 'Always'),
        provideClusterInfo: fc.boolean(),
        installHint: fc.string({ maxLength: 30 }),
      },
      { requiredKeys: ['apiVersion', 'command'] },
    ),
  },
  { requiredKeys: ['exec'] },
);
const tokenUser = fc.record({ token: fc.string({ minLength: 1, maxLength: 30 }) });
const authProviderUser = fc.record({
  'auth-provider': fc.record({
    name: fc.constant('oidc'),
    config: fc.dictionary(fc.constantFrom('client-id', 'idp-issuer-url', 'id-token', 'refresh-token', 'extra'), fc.string({ maxLength: 20 })),
  }),
});
const certUser = fc.record({ 'client-certificate-data': base64, 'client-key-data': base64 });
const basicUser = fc.record({ username: fc.string({ maxLength: 8 }), password: fc.string({ maxLength: 8 }) });

/** A `users[].user` body of any common kind, sometimes with extensions and unknown fields. */
export const userBody = fc
  .tuple(
    fc.oneof(execUser, tokenUser, authProviderUser, certUser, basicUser, fc.constant({})),
    fc.option(extensions, { nil: undefined }),
    fc.option(fc.dictionary(fc.constantFrom('x-unknown', 'x-tool-data'), nestedValue, { maxKeys: 1 }), { nil: undefined }),
  )
  .map(([auth, ext, unknown]) => ({ ...auth, ...(ext ? { extensions: ext } : {}), ...(unknown ?? {}) }));

/** A `clusters[].cluster` body. */
export const clusterBody = fc.record(
  {
    server: fc.webUrl({ validSchemes: ['https'] }),
    'certificate-authority-data': base64,
    'tls-server-name': fc.domain(),
    'proxy-url': fc.webUrl(),
    extensions,
  },
  { requiredKeys: ['server'] },
);

/** A `contexts[].context` body. */
export const contextBody = fc.record(
  { cluster: entryName, user: entryName, namespace: fc.stringMatching(/^[a-z0-9-]{1,12}$/), extensions },
  { requiredKeys: ['cluster', 'user'] },
);

function namedList<T>(body: fc.Arbitrary<T>, key: string): fc.Arbitrary<Array<Record<string, unknown>>> {
  return fc
    .uniqueArray(fc.tuple(entryName, body, fc.boolean()), { selector: ([name]) => name, maxLength: 4 })
    .map((items) => items.map(([name, value, nameFirst]) => (nameFirst ? { name, [key]: value } : { [key]: value, name })));
}

/** A whole kubeconfig as plain data (top-level keys in a random order, unknown ones included). */
export const kubeconfigData: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      apiVersion: fc.constant('v1'),
      kind: fc.constant('Config'),
      preferences: fc.constant({}),
      clusters: namedList(clusterBody, 'cluster'),
      contexts: namedList(contextBody, 'context'),
      users: namedList(userBody, 'user'),
      'current-context': entryName,
      extensions,
      'x-unknown-top': nestedValue,
      'another-tool-field': nestedValue,
    },
    { requiredKeys: [] },
  )
  .chain((record) =>
    fc.shuffledSubarray(Object.keys(record), { minLength: Object.keys(record).length }).map((order) => {
      // A plain object keeps this insertion order (no key is an integer); a Map would render as !!omap in YAML 1.1.
      const ordered: Record<string, unknown> = {};
      for (const key of order) ordered[key] = (record as Record<string, unknown>)[key];
      return ordered;
    }),
  );

/** Layout choices and comments to sprinkle over a rendered file. */
export interface Layout {
  readonly indent: number;
  readonly indentSeq: boolean;
  readonly comments: ReadonlyArray<string | null>;
  readonly flow: readonly boolean[];
}

/** Random layouts: kubectl's or an indented-sequence style, 2 or 4 spaces, comments, some flow collections. */
export const layout: fc.Arbitrary<Layout> = fc.record({
  indent: fc.constantFrom(2, 2, 4),
  indentSeq: fc.boolean(),
  comments: fc.array(fc.option(fc.stringMatching(/^[ a-zA-Z0-9.,!?()#:'"-]{1,30}$/), { freq: 3 }), { minLength: 64, maxLength: 64 }),
  flow: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
});

/**
 * Renders data as YAML text in the given layout, with comments on some nodes and some flow collections.
 * `realistic` limits comments to lines above keys and ends of scalar lines outside flow collections,
 * as people write them (and as kubectl reads them); otherwise comments also go where yaml puts them
 * between a key and its value, or inside flow collections.
 */
export function renderKubeconfigText(data: Record<string, unknown>, options: Layout, realistic = false): string {
  const doc = new Document(data, { version: '1.1' });
  let index = 0;
  visit(doc, (key, node, path) => {
    if (!isNode(node)) return;
    const i = index++ % 64;
    const comment = options.comments[i];
    // Comments inside flow collections are valid YAML that go-yaml (kubectl) cannot always read.
    const inFlow = path.some((ancestor) => isCollection(ancestor) && ancestor.flow === true);
    if (comment && !(realistic && inFlow)) {
      // yaml renders a comment before an empty flow collection in a place where it no longer parses.
      const emptyCollection = isCollection(node) && node.items.length === 0;
      if (realistic) {
        if (isScalar(node) && key === 'key') node.commentBefore = comment;
        else if (isScalar(node) && key !== 'key') node.comment = comment;
      } else if (i % 2 === 0 && !emptyCollection) node.commentBefore = comment;
      else if (!isCollection(node)) node.comment = comment;
    }
    // Flow style for some nested collections only: kubeconfig sections in flow style are rare.
    if (isCollection(node) && options.flow[i] === true && i % 5 === 0 && index > 3) node.flow = true;
  });
  if (options.comments[63]) doc.commentBefore = options.comments[63];
  const text = doc.toString({ indent: options.indent, indentSeq: options.indentSeq, lineWidth: 0 });
  // Some comment placements make yaml write text it cannot read back; then drop the comments.
  if (parseDocument(text, { version: '1.1' }).errors.length === 0) return text;
  return new Document(data, { version: '1.1' }).toString({ indent: options.indent, indentSeq: options.indentSeq, lineWidth: 0 });
}

