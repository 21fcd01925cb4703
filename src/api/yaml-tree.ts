/**
 * YAML → plain tree for validation. Uses the YAML 1.2 core schema plus Go-style integers
 * (spec 01 §1.3): a plain scalar with a leading 0 is octal (`0755` = 493), `0b…` is binary
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

/** Convert a document's contents into a plain tree (maps → objects, non-string scalars → RawScalar). */
export function documentToTree(doc: Document): unknown {
  const seen = new Set<Node>();
  const walk = (node: unknown): unknown => {
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
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? scalarKey(pair.key) : String(pair.key);
        const value = walk(pair.value);
        // Go decodes `key:` / `key: null` to the zero value, i.e. as if the key were absent.
        if (value === null) continue;
        Object.defineProperty(out, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
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

function scalarKey(s: Scalar): string {
  if (typeof s.value === 'string') return s.value;
  return s.source ?? String(s.value);
}
