// Parses the YAML once and answers "which line is this field on?" so every problem can point at a line.
import { LineCounter, parseDocument, visit, isAlias, isCollection, isMap, isScalar, isSeq } from 'yaml';
import type { Document, YAMLError } from 'yaml';

export type PathSegment = string | number;

export interface YamlSource {
  /** Plain JS value of the document (undefined when there are syntax errors). */
  value: unknown;
  /** One entry per line with a syntax error: [line, message]. */
  syntaxErrors: Array<[number, string]>;
  /** Line of the node at `path`, or of its nearest existing ancestor when part of the path is missing. */
  lineOf(path: readonly PathSegment[]): number;
}

// yaml's own wording for these is aimed at programmers; installers get a plainer sentence.
const FRIENDLY: Record<string, string> = {
  MULTIPLE_DOCS: 'more than one YAML document ("---"); a site config is a single document',
  DUPLICATE_KEY: 'the same key appears twice in this mapping',
  TAB_AS_INDENT: 'tabs are not allowed for indentation; use spaces',
};

export function parseYaml(text: string): YamlSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => counter.linePos(offset).line;

  // Warnings (e.g. an unresolved `!secret` tag) mean the value is not what the author wrote: treat as errors.
  const syntaxErrors: Array<[number, string]> = [];
  const seenLines = new Set<number>();
  for (const e of [...doc.errors, ...doc.warnings] as YAMLError[]) {
    const unclosed = unclosedAt(doc, e);
    const line = lineAt(unclosed?.offset ?? e.pos[0]);
    // One error cascades into several on the same line; the first is the useful one.
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    syntaxErrors.push([line, `YAML: ${unclosed?.message ?? FRIENDLY[e.code] ?? e.message}`]);
  }
  syntaxErrors.sort((a, b) => a[0] - b[0]);

  return {
    value: syntaxErrors.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined,
    syntaxErrors,
    lineOf: (path) => lineOfPath(doc, lineAt, path),
  };
}

/**
 * yaml reports an unclosed quote or bracket where it gave up (often the end of the file); the line to fix
 * is where the quote or bracket was opened.
 */
function unclosedAt(doc: Document, e: YAMLError): { offset: number; message: string } | undefined {
  if (e.code !== 'MISSING_CHAR' && e.code !== 'BAD_INDENT') return undefined;
  const at = e.pos[0];
  let found: { offset: number; message: string } | undefined;
  visit(doc, {
    Node(_, node) {
      const range = node.range;
      if (!range || range[0] >= at || range[1] < at) return;
      if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
        const quote = node.type === 'QUOTE_DOUBLE' ? '"' : "'";
        found = { offset: range[0], message: `the ${quote} quote opened here is never closed` };
      } else if (isCollection(node) && node.flow) {
        const [open, close] = isSeq(node) ? ['[', ']'] : ['{', '}'];
        found = { offset: range[0], message: `the "${open}" opened here is never closed with "${close}"` };
      }
    },
  });
  return found;
}

function lineOfPath(doc: Document, lineAt: (offset: number) => number, path: readonly PathSegment[]): number {
  let node: unknown = doc.contents;
  let line = startLine(node, lineAt) ?? 1;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      // The key's line: for a block value (`onvif:` then indented fields) that is where the field starts.
      line = startLine(pair.key, lineAt) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(seg)];
      if (item === undefined) break;
      line = startLine(item, lineAt) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

function startLine(node: unknown, lineAt: (offset: number) => number): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return lineAt(range[0]);
  }
  return undefined;
}
