/**
 * Entry point for manifest streams: split, decode, check kind,
 * apiVersion, shape (unknown fields and wrong types name their path) and the per-kind rules.
 * All-or-nothing: any failing document rejects the whole stream with every failure listed.
 *
 * Deliberate differences from the original (documented in docs/manifests.md):
 * - Documents are split by the YAML stream parser, not a textual `^\s*---\s*$` split, so
 *   `--- # comment` separates documents, an indented `---` inside a block scalar does not, and
 *   `...` ends a document. Documents that hold only comments are dropped like blank ones.
 * - Unknown fields are errors (the original silently drops them), except the removed
 *   tty.profile / tty.profilesDir.
 * - Names, embedded containers and conversion-stage rules are checked here.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { isApplyKind, kindSchemas, type ApplyKind, type ManifestDoc } from './v1beta1/kinds.js';
import { apiVersion } from './v1beta1/common.js';
import { RawScalar } from './raw-scalar.js';
import { documentToTree, goIntTags, YamlTooLargeError } from './yaml-tree.js';
import { EmptyManifestError, ManifestValidationError, type DocumentIssue } from './manifest-error.js';
import { formatPath, knownKeysAt, suggestKey } from './schema-walk.js';
import { validateDocument, type ValidationOptions } from './validate/kind-rules.js';
import { describe } from './v1beta1/fields.js';

export type ParsedDocument = ManifestDoc & { index: number; name: string };

export type ParseOptions = ValidationOptions;

const lineCounters = new WeakMap<Document, LineCounter>();

const cellProfileHint =
  '(CellProfile was removed: convert the document to kind: CellBlueprint and create cells with ' +
  '`kuke run --from-blueprint <name>`, or pin values in a CellConfig and use `kuke run --from-config <name>`)';

interface Position {
  line: number;
  column: number;
}

/** Parse and validate a multi-document YAML stream. Throws ManifestValidationError or EmptyManifestError. */
export function parseManifestStream(text: string, opts: ParseOptions = {}): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    customTags: goIntTags,
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const nonEmpty = (Array.isArray(docs) ? docs : []).filter(
    (d) => d.errors.length > 0 || !isEmptyDocument(d),
  );
  if (nonEmpty.length === 0) throw new EmptyManifestError();
  for (const d of nonEmpty) lineCounters.set(d, lineCounter);

  const out: ParsedDocument[] = [];
  const issues: DocumentIssue[] = [];
  const pos = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };

  nonEmpty.forEach((doc, index) => {
    const decodeFail = (reason: string, at?: Position) =>
      issues.push({
        index,
        kind: '',
        name: '',
        reason,
        message: `document ${index} (): document ${index}: ${reason}`,
        ...(at && { line: at.line, column: at.column }),
      });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const at = pos(e.pos[0]);
      decodeFail(
        `failed to parse kind: ${e.message}${at ? ` (line ${at.line}, column ${at.column})` : ''}`,
        at,
      );
      return;
    }
    let tree: unknown;
    try {
      tree = documentToTree(doc);
    } catch (err) {
      if (!(err instanceof YamlTooLargeError)) throw err;
      decodeFail(`failed to parse kind: ${err.message}`);
      return;
    }
    if (!isPlainObject(tree)) {
      decodeFail(
        `failed to parse kind: document must be a mapping, got ${describe(tree)}`,
        pos(doc.contents?.range?.[0]),
      );
      return;
    }
    const kind = scalarString(tree.kind);
    if (kind === 'CellProfile')
      return decodeFail(`unknown kind: CellProfile ${cellProfileHint}`, keyPos(doc, ['kind']));
    if (!isApplyKind(kind)) return decodeFail(`unknown kind: ${kind}`, keyPos(doc, ['kind']));

    const name = isPlainObject(tree.metadata) ? scalarString(tree.metadata.name).trim() : '';
    const prefix = `document ${index} (${kind}${name ? ` "${name}"` : ''}): `;
    const fail = (reason: string, path?: readonly PropertyKey[], at?: Position) =>
      issues.push({
        index,
        kind,
        name,
        reason,
        message: prefix + reason,
        ...(path && { path: formatPath(path) }),
        ...(at && { line: at.line, column: at.column }),
      });

    const version = scalarString(tree.apiVersion);
    if (version !== '' && version !== apiVersion) {
      return fail(
        `unsupported apiVersion: ${version} (expected ${apiVersion})`,
        ['apiVersion'],
        keyPos(doc, ['apiVersion']),
      );
    }
    const result = kindSchemas[kind].safeParse(tree);
    if (!result.success) {
      for (const issue of result.error.issues) reportZodIssue(issue, kind, tree, doc, pos, fail);
      return;
    }
    const parsed = { kind, doc: result.data } as ManifestDoc;
    // Transport-only cell fields exist only in RPC JSON; in a manifest they are unknown.
    if (parsed.kind === 'Cell' && parsed.doc.spec) {
      for (const f of ['runtimeEnv', 'ignoreDiskPressure'] as const) {
        if (parsed.doc.spec[f] !== undefined) {
          return fail(
            `spec.${f}: unknown field (transport-only; not accepted in manifests)`,
            ['spec', f],
            keyPos(doc, ['spec', f]),
          );
        }
      }
    }
    const reason = validateDocument(parsed, opts);
    if (reason) return fail(reason);
    out.push({ ...parsed, index, name });
  });

  if (issues.length > 0) throw new ManifestValidationError(issues);
  return out;
}

function reportZodIssue(
  issue: z.core.$ZodIssue,
  kind: ApplyKind,
  tree: unknown,
  doc: Document,
  pos: (offset: number | undefined) => Position | undefined,
  fail: (reason: string, path?: readonly PropertyKey[], at?: Position) => void,
): void {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(kindSchemas[kind], issue.path);
    for (const key of issue.keys) {
      const path = [...issue.path, key];
      const hint = suggestKey(key, known);
      fail(
        `${formatPath(path)}: unknown field${hint ? ` (did you mean ${hint}?)` : ''}`,
        path,
        keyPos(doc, path),
      );
    }
    return;
  }
  let reason = issue.message;
  if (issue.code === 'invalid_type') {
    const expected =
      issue.expected === 'object' || issue.expected === 'record'
        ? 'map'
        : issue.expected === 'array'
          ? 'list'
          : issue.expected;
    reason = `expected ${expected}, got ${describe(valueAt(tree, issue.path))}`;
  }
  const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  fail(where + reason, issue.path, pos(nodeAt(doc, issue.path)?.range?.[0]));
}

function isEmptyDocument(d: Document): boolean {
  const c = d.contents;
  return c === null || c === undefined || (isScalar(c) && (c.value === null || c.value === undefined));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawScalar);
}

/** Go decodes any scalar into a string field as its text. */
function scalarString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof RawScalar) return v.source;
  return '';
}

function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let cur = tree;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  const n = doc.getIn(path as unknown[], true);
  return n && typeof n === 'object' && 'range' in (n as object) ? (n as Node) : undefined;
}

/** Position of the key node for `path` (its last segment), for unknown-field and kind errors. */
function keyPos(doc: Document, path: readonly PropertyKey[]): Position | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1) as unknown[], true);
  if (!isMap(parent)) return undefined;
  const last = String(path[path.length - 1]);
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  const key = pair?.key;
  if (!isScalar(key) || !key.range) return undefined;
  const p = lineCounters.get(doc)?.linePos(key.range[0]);
  return p && { line: p.line, column: p.col };
}
