// YAML text for every YAML format, through the yaml package's Document API (comments, literal blocks).
import { Document, isScalar } from 'yaml';

/** Options for one YAML document. */
export interface YamlTextOptions {
  /** Comment lines written above the document (without `#`). */
  readonly header?: readonly string[];
  /** Paths of string values to write as `|` literal blocks (PEM, embedded YAML). */
  readonly literalPaths?: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** Serializes a plain value as one YAML document, with block sequences indented under their key. */
export function toYamlText(value: unknown, options: YamlTextOptions = {}): string {
  const doc = new Document(value);
  for (const path of options.literalPaths ?? []) {
    const node = doc.getIn(path, true);
    if (isScalar(node)) node.type = 'BLOCK_LITERAL';
  }
  if (options.header && options.header.length > 0) {
    doc.commentBefore = options.header.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
  }
  return doc.toString({ indentSeq: true, lineWidth: 0 });
}
