// Turns TypeBox validation errors into one plain-language finding per field path.
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { ID_PATTERN } from '@camfleet/shared';
import type { PathSegment } from './yaml-source.ts';

export interface Finding {
  path: PathSegment[];
  message: string;
}

export function schemaFindings(schema: TSchema, value: unknown): Finding[] {
  const byPath = new Map<string, Finding>();
  for (const error of Value.Errors(schema, value)) {
    // TypeBox reports a missing field twice (required, then wrong type): the first says it best.
    if (byPath.has(error.path)) continue;
    byPath.set(error.path, { path: pointerToPath(error.path, value), message: describe(error) });
  }
  return [...byPath.values()];
}

/** `devices[3].onvif.port`; keys that are not plain words are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

// JSON pointer → segments; a segment is a number where the value at that point is an array.
function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg = Array.isArray(node) ? Number(key) : key;
    path.push(seg);
    node = node !== null && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[seg] : undefined;
  }
  return path;
}

const PATTERN_HINTS: Record<string, string> = {
  [ID_PATTERN]: 'is not a valid id: use letters, digits, ".", "_" or "-", starting with a letter or digit',
  '^\\d{4}-\\d{2}-\\d{2}$': 'is not a date; write it as YYYY-MM-DD',
};

function describe(e: ValueError): string {
  const s = e.schema as TSchema & Record<string, unknown>;
  const shown = show(e.value);
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'required field is missing';
    case ValueErrorType.ObjectAdditionalProperties: {
      const key = e.path.slice(e.path.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
      const known = Object.keys((s.properties as Record<string, unknown> | undefined) ?? {});
      const near = closest(key, known);
      return `unknown field "${key}"${near ? ` (did you mean "${near}"?)` : `; expected one of: ${known.join(', ')}`}`;
    }
    case ValueErrorType.Union: {
      const options = literalOptions(s);
      if (!options) break;
      const key = e.path.slice(e.path.lastIndexOf('/') + 1);
      // A list item ("steps[2]") has no name of its own.
      return `unknown ${/^\d+$/.test(key) ? 'value' : key} ${shown}; expected one of: ${options.join(', ')}`;
    }
    case ValueErrorType.String:
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
    case ValueErrorType.Boolean:
    case ValueErrorType.Object:
    case ValueErrorType.Array:
      return expected(e);
    case ValueErrorType.StringPattern: {
      const hint = PATTERN_HINTS[String(s.pattern)];
      if (hint) return `${shown} ${hint}`;
      return `${shown} is not ${typeof s.description === 'string' ? s.description : `matching ${String(s.pattern)}`}`;
    }
    case ValueErrorType.StringMinLength:
      return 'must not be empty';
    case ValueErrorType.StringMaxLength:
      return `is longer than ${String(s.maxLength)} characters`;
    case ValueErrorType.ArrayMaxItems:
      return `has more than ${String(s.maxItems)} entries`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
      return `${shown} is out of range; expected ${String(s.minimum)}–${String(s.maximum)}`;
    case ValueErrorType.NumberExclusiveMinimum:
      return `${shown} is out of range; expected more than ${String(s.exclusiveMinimum)}`;
  }
  return e.message;
}

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list ("- " items)',
};

function expected(e: ValueError): string {
  const want = NOUNS[String((e.schema as { type?: unknown }).type)] ?? 'another type';
  const v = e.value;
  if (v === null || v === undefined) return `expected ${want}, got nothing`;
  const got = Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${show(v)}`;
  // YAML turns 012345 or 3000 into numbers; a serial or model number then needs quotes.
  const quote = e.type === ValueErrorType.String && typeof v !== 'object' ? '; put the value in quotes' : '';
  return `expected ${want}, got ${got}${quote}`;
}

function literalOptions(s: Record<string, unknown>): string[] | undefined {
  const anyOf = s.anyOf;
  if (!Array.isArray(anyOf)) return undefined;
  const values = (anyOf as Array<Record<PropertyKey, unknown>>).map((o) => (o[Kind] === 'Literal' ? o.const : undefined));
  return values.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A known key within a small edit distance (or differing only in case) of a misspelt one. */
function closest(key: string, known: readonly string[]): string | undefined {
  // Short keys get less slack, or "<<" would suggest "id".
  const slack = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
  let best: string | undefined;
  let bestDistance = slack + 1;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(k, key);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
