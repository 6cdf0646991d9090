// A line-based three-way merge (diff3): apply "theirs" edits and "ours" edits of a common base.
import { diffArrays } from 'diff';

interface Chunk {
  /** First base line replaced. */
  readonly start: number;
  /** One past the last base line replaced (start === end for a pure insertion). */
  end: number;
  readonly lines: string[];
}

// The edits from `base` to `other`. With a `sameLine` comparator, lines that compare equal but
// differ in bytes (e.g. spacing) become one-line replacements, so the alignment follows the content.
function chunksOf(base: readonly string[], other: readonly string[], sameLine?: (a: string, b: string) => boolean): Chunk[] {
  const chunks: Chunk[] = [];
  let position = 0;
  let otherPosition = 0;
  let current: Chunk | undefined;
  const flush = (): void => {
    if (current !== undefined) chunks.push(current);
    current = undefined;
  };
  const parts = sameLine === undefined ? diffArrays([...base], [...other]) : diffArrays([...base], [...other], { comparator: sameLine });
  for (const part of parts) {
    const count = part.value.length;
    if (!part.added && !part.removed) {
      for (let i = 0; i < count; i += 1) {
        const mine = base[position + i]!;
        const theirs = other[otherPosition + i]!;
        if (mine === theirs) {
          flush();
        } else {
          current ??= { start: position + i, end: position + i, lines: [] };
          current.end += 1;
          current.lines.push(theirs);
        }
      }
      flush();
      position += count;
      otherPosition += count;
      continue;
    }
    current ??= { start: position, end: position, lines: [] };
    if (part.removed) {
      current.end += count;
      position += count;
    } else {
      current.lines.push(...other.slice(otherPosition, otherPosition + count));
      otherPosition += count;
    }
  }
  flush();
  return chunks;
}

// Two chunks conflict when they replace a common base line, when both insert at the same place, or
// when one inserts strictly inside the lines the other replaces. Touching chunks merge in base order.
function conflict(x: Chunk, y: Chunk): boolean {
  if (x.start < y.end && y.start < x.end) return true;
  const xInserts = x.start === x.end;
  const yInserts = y.start === y.end;
  if (xInserts && yInserts) return x.start === y.start;
  if (xInserts) return y.start < x.start && x.start < y.end;
  if (yInserts) return x.start < y.start && y.start < x.end;
  return false;
}

// `ours` is the original file and `base` its re-rendering: the same content, spaced differently.
function sameContent(a: string, b: string): boolean {
  return a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
}

/**
 * Merges two edits of `base`: `ours` (formatting the caller wants to keep) and `theirs` (the changes
 * that must land). Where they conflict, `theirs` wins over the union of the conflicting lines, so the
 * result always holds every change of `theirs` and as much of `ours` as does not touch it.
 */
export function mergeLines(base: string, ours: string, theirs: string): string {
  const baseLines = base.split('\n');
  const tagged = [
    ...chunksOf(baseLines, ours.split('\n'), sameContent).map((chunk) => ({ chunk, theirs: false })),
    ...chunksOf(baseLines, theirs.split('\n')).map((chunk) => ({ chunk, theirs: true })),
  ].sort((x, y) => x.chunk.start - y.chunk.start || x.chunk.end - y.chunk.end);

  // Group chunks that conflict (transitively) into clusters over a base range.
  const clusters: Array<{ range: Chunk; members: typeof tagged }> = [];
  for (const item of tagged) {
    const last = clusters[clusters.length - 1];
    if (last !== undefined && conflict(last.range, item.chunk)) {
      last.members.push(item);
      last.range = { start: Math.min(last.range.start, item.chunk.start), end: Math.max(last.range.end, item.chunk.end), lines: [] };
    } else {
      clusters.push({ range: { ...item.chunk, lines: [] }, members: [item] });
    }
  }

  const out: string[] = [];
  let position = 0;
  for (const { range, members } of clusters) {
    out.push(...baseLines.slice(position, range.start));
    if (members.length === 1) {
      out.push(...members[0]!.chunk.lines);
    } else {
      let cursor = range.start;
      for (const { chunk } of members.filter((m) => m.theirs)) {
        out.push(...baseLines.slice(cursor, chunk.start), ...chunk.lines);
        cursor = chunk.end;
      }
      out.push(...baseLines.slice(cursor, range.end));
    }
    position = range.end;
  }
  out.push(...baseLines.slice(position));
  return out.join('\n');
}
