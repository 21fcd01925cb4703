import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, stringify } from 'yaml';
import { documentToTree, goIntTags, YamlTooLargeError } from './yaml-tree.js';
import { ManifestValidationError } from './manifest-error.js';
import { RawScalar } from './raw-scalar.js';
import { parseManifestStream } from './parse-manifest.js';

const tree = (text: string) =>
  documentToTree(parseDocument(text, { customTags: goIntTags })) as Record<string, unknown>;
const num = (v: unknown) => (v instanceof RawScalar ? v.value : v);

describe('Go-style YAML integers', () => {
  const cases: [string, number | bigint][] = [
    ['0755', 0o755],
    ['0644', 420],
    ['-010', -8],
    ['+017', 15],
    ['0o755', 493],
    ['-0o17', -15],
    ['0x1F', 31],
    ['-0x10', -16],
    ['0b101', 5],
    ['-0b11', -3],
    ['755', 755],
    ['0', 0],
    ['00', 0],
    ['08', 8], // not valid octal: Go falls back to the float reading, 8
    ['0777777777777777777777', 0o777777777777777777777n],
  ];
  for (const [text, want] of cases) {
    it(`${text} → ${want}`, () => assert.equal(num(tree(`v: ${text}`).v), want));
  }

  it('quoted values stay strings', () => {
    assert.equal(tree('v: "0755"').v, '0755');
    assert.equal(tree("v: '0b1'").v, '0b1');
  });

  it('non-string scalars keep their source text for string fields', () => {
    const v = tree('v: 0755').v;
    assert.ok(v instanceof RawScalar);
    assert.equal(v.source, '0755');
    assert.equal(v.value, 493);
  });

  it('a tmpfs mode of 0755 decodes to 493 through the whole parser', () => {
    const [d] = parseManifestStream(
      'kind: Container\nmetadata: {name: w}\nspec: {realmId: r, spaceId: s, stackId: t, cellId: c, image: i, volumes: [{kind: tmpfs, target: /x, mode: 0755}]}\n',
    );
    assert.equal(d.kind === 'Container' && d.doc.spec?.volumes?.[0].mode, 493);
  });

  it('stringify quotes strings that would read back as Go integers', () => {
    for (const s of ['0755', '0b101', '-0x1f', '0o7', '12']) {
      const text = stringify({ v: s }, { customTags: goIntTags });
      assert.equal(tree(text).v, s, text);
    }
  });

  it('aliases are resolved and __proto__ keys stay plain data', () => {
    const t = tree('a: &x {k: v}\nb: *x\n__proto__: {polluted: true}\n');
    assert.deepEqual(t.b, { k: 'v' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(t), ['a', 'b', '__proto__']);
  });

  it('merge keys: explicit keys win, then earlier sources', () => {
    const t = tree(
      'base: &b {image: i, user: u}\nother: &o {user: o, env: [A=1]}\nc:\n  <<: [*b, *o]\n  user: mine\n',
    );
    assert.deepEqual(t.c, { user: 'mine', image: 'i', env: ['A=1'] });
    assert.deepEqual(tree('b: &b {x: 1}\nc: {<<: *b}').c, { x: new RawScalar(1, '1') });
    assert.deepEqual(Object.keys(tree('c: {"<<": 1}').c as object), ['<<']);
  });

  it('alias bombs are cut off with a typed error', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    assert.throws(() => tree(text), YamlTooLargeError);
    const bomb = 'kind: Realm\nmetadata: {name: a}\n' + text.replace(/^a/gm, 'x-a');
    assert.throws(
      () => parseManifestStream(bomb),
      (e: unknown) =>
        e instanceof ManifestValidationError &&
        /failed to parse kind: document expands to more than/.test(e.message),
    );
  });
});
