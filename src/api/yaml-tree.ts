/**
 * YAML → plain tree for validation. Uses the YAML 1.2 core schema plus Go-style integers
 *: a plain scalar with a leading 0 is octal (`0755` = 493), `0b…` is binary
 * (`0o…` and `0x…` are already core). Non-string scalars become RawScalar so string fields can
 * take the text as written.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Scalar,
  type Document,
  type Node,
  type ScalarTag,
  type Tags,
} from 'yaml';
import { RawScalar } from './raw-scalar.js';

function signed(str: string, radix: number, prefixLen: number): number | bigint {
  const neg = str.startsWith('-');
  const body = str.replace(/^[-+]/, '').slice(prefixLen);
  const n = parseInt(body, radix);
  if (Number.isSafeInteger(n)) return neg ? -n : n;
  const big = BigInt((radix === 8 ? '0o' : radix === 2 ? '0b' : radix === 16 ? '0x' : '') + body);
  return neg ? -big : big;
}

const intTag = 'tag:yaml.org,2002:int';

const leadingZeroOctal: ScalarTag = {
  identify: () => false,
  default: true,
  tag: intTag,
  test: /^[-+]?0[0-7]+$/,
  resolve: (str) => signed(str, 8, 1),
};

const signedOctal: ScalarTag = {
  identify: () => false,
  default: true,
  tag: intTag,
  test: /^[-+]?0o[0-7]+$/,
  resolve: (str) => signed(str, 8, 2),
};

const binary: ScalarTag = {
  identify: () => false,
  default: true,
  tag: intTag,
  test: /^[-+]?0b[01]+$/,
  resolve: (str) => signed(str, 2, 2),
};

const signedHex: ScalarTag = {
  identify: () => false,
  default: true,
  tag: intTag,
  test: /^[-+]?0x[0-9a-fA-F]+$/,
  resolve: (str) => signed(str, 16, 2),
};

/** Options for every parse/stringify so both sides agree on which plain scalars are integers. */
export const goIntTags = (tags: Tags): Tags => [leadingZeroOctal, signedOctal, binary, signedHex, ...tags];

/** Thrown when alias expansion would build an unreasonably large tree ("billion laughs"). */
export class YamlTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`document expands to more than ${limit} nodes through aliases`);
  }
}

/** Upper bound on expanded nodes per document; real manifests are orders of magnitude smaller. */
export const maxTreeNodes = 200_000;

/**
 * Convert a document's contents into a plain tree (maps → objects, non-string scalars →
 * RawScalar). Aliases are expanded (with a node budget) and `<<` merge keys are applied as Go's
 * decoder does: explicit keys win, then earlier merge sources.
 */
export function documentToTree(doc: Document, limit = maxTreeNodes): unknown {
  const seen = new Set<Node>();
  let nodes = 0;
  const walk = (node: unknown): unknown => {
    if (++nodes > limit) throw new YamlTooLargeError(limit);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || seen.has(target)) return null;
      seen.add(target);
      try {
        return walk(target);
      } finally {
        seen.delete(target);
      }
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const merges: unknown[] = [];
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? scalarKey(pair.key) : String(pair.key);
        const value = walk(pair.value);
        if (
          key === '<<' &&
          isScalar(pair.key) &&
          typeof pair.key.value === 'string' &&
          !pair.key.type?.startsWith('QUOTE')
        ) {
          merges.push(...(Array.isArray(value) ? value : [value]));
          continue;
        }
        // Go decodes `key:` / `key: null` to the zero value, i.e. as if the key were absent.
        if (value === null) continue;
        define(out, key, value);
      }
      for (const src of merges) {
        if (src === null || typeof src !== 'object' || Array.isArray(src) || src instanceof RawScalar)
          continue;
        for (const [k, v] of Object.entries(src)) if (!Object.hasOwn(out, k)) define(out, k, v);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map(walk);
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
        return new RawScalar(v, node.source ?? String(v));
      }
      return String(v);
    }
    return null;
  };
  return walk(doc.contents);
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a `__proto__` key stays plain data instead of replacing the prototype.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function scalarKey(s: Scalar): string {
  if (typeof s.value === 'string') return s.value;
  return s.source ?? String(s.value);
}
