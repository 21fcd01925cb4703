import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestStream } from './parse-manifest.js';
import {
  EmptyManifestError,
  ManifestValidationError,
  MANIFEST_EMPTY,
  MANIFEST_INVALID,
} from './manifest-error.js';
import { hasCode } from '../errors.js';
import { cellObj, containerObj, realmYaml, setPath, specExample, toYamlText } from './testdata/fixtures.js';

/** Parse expecting failure; returns the issue lines. */
function failures(text: string): string[] {
  try {
    parseManifestStream(text);
  } catch (err) {
    assert.ok(err instanceof ManifestValidationError, `unexpected error ${String(err)}`);
    assert.equal(err.code, MANIFEST_INVALID);
    assert.ok(err.message.startsWith('validation failed:\n  '));
    return err.issues.map((i) => i.message);
  }
  assert.fail('expected a validation failure');
}

const mut = (base: () => Record<string, unknown>, ...edits: [string, unknown][]) => {
  const o = base();
  for (const [p, v] of edits) setPath(o, p, v);
  return toYamlText(o);
};

describe('parseManifestStream: splitting', () => {
  it('parses the spec example (4 documents, indices in order)', () => {
    const docs = parseManifestStream(specExample);
    assert.deepEqual(
      docs.map((d) => [d.index, d.kind, d.name]),
      [
        [0, 'Realm', 'lab'],
        [1, 'Space', 'agents'],
        [2, 'Stack', 'web'],
        [3, 'Cell', 'shop'],
      ],
    );
  });

  for (const text of ['', '   \n\n', '---\n---\n', '# just a comment\n', '---\n# c\n---\n']) {
    it(`empty input ${JSON.stringify(text)} → no documents found`, () => {
      assert.throws(
        () => parseManifestStream(text),
        (e: unknown) =>
          e instanceof EmptyManifestError &&
          hasCode(e, MANIFEST_EMPTY) &&
          e.message === 'failed to parse YAML: no documents found in input',
      );
    });
  }

  it('drops blank documents without shifting indices of the others', () => {
    const text = `---\n---\n${toYamlText(realmYaml())}---\n\n---\n${toYamlText(realmYaml({ metadata: { name: 'b' } }))}`;
    assert.deepEqual(
      parseManifestStream(text).map((d) => [d.index, d.name]),
      [
        [0, 'lab'],
        [1, 'b'],
      ],
    );
  });

  it('`--- # comment` separates documents (documented improvement over the textual split)', () => {
    const text = 'kind: Realm\nmetadata: {name: a}\n--- # next\nkind: Realm\nmetadata: {name: b}\n';
    assert.deepEqual(
      parseManifestStream(text).map((d) => d.name),
      ['a', 'b'],
    );
  });

  it('a `---` line inside an indented block scalar is content, not a separator', () => {
    const text =
      'kind: Secret\nmetadata: {name: s, realm: r}\nspec:\n  data: |\n    line1\n    ---\n    line3\n';
    const [d] = parseManifestStream(text);
    assert.equal(d.kind, 'Secret');
    assert.equal(d.kind === 'Secret' && d.doc.spec?.data, 'line1\n---\nline3\n');
  });

  it('`...` ends a document', () => {
    const text = 'kind: Realm\nmetadata: {name: a}\n...\nkind: Realm\nmetadata: {name: b}\n';
    assert.deepEqual(
      parseManifestStream(text).map((d) => d.name),
      ['a', 'b'],
    );
  });

  it('empty apiVersion is accepted as v1beta1', () => {
    assert.equal(parseManifestStream('kind: Realm\nmetadata: {name: a}\n').length, 1);
  });
});

describe('parseManifestStream: kind and decode errors', () => {
  const cases: [string, string, string][] = [
    ['missing kind', 'metadata: {name: a}\n', 'document 0 (): document 0: unknown kind: '],
    ['empty kind', 'kind: ""\n', 'document 0 (): document 0: unknown kind: '],
    ['unknown kind', 'kind: Foo\n', 'document 0 (): document 0: unknown kind: Foo'],
    ['kinds are case-sensitive', 'kind: realm\n', 'document 0 (): document 0: unknown kind: realm'],
    [
      'ServerConfiguration is not applyable',
      'kind: ServerConfiguration\n',
      'document 0 (): document 0: unknown kind: ServerConfiguration',
    ],
    [
      'ClientConfiguration is not applyable',
      'kind: ClientConfiguration\n',
      'document 0 (): document 0: unknown kind: ClientConfiguration',
    ],
    [
      'not a mapping',
      '- a\n- b\n',
      'document 0 (): document 0: failed to parse kind: document must be a mapping, got list',
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => assert.deepEqual(failures(text), [message]));
  }

  it('CellProfile gets a migration hint', () => {
    const [msg] = failures('kind: CellProfile\n');
    assert.match(msg, /^document 0 \(\): document 0: unknown kind: CellProfile \(/);
    assert.match(msg, /CellBlueprint/);
    assert.match(msg, /--from-blueprint/);
    assert.match(msg, /--from-config/);
  });

  it('invalid YAML reports failed to parse kind with line and column', () => {
    const err = (() => {
      try {
        parseManifestStream('kind: Realm\nmetadata: {name: a\n');
      } catch (e) {
        return e as ManifestValidationError;
      }
    })();
    assert.ok(err instanceof ManifestValidationError);
    assert.match(err.issues[0].message, /^document 0 \(\): document 0: failed to parse kind: /);
    assert.equal(typeof err.issues[0].line, 'number');
  });

  it('duplicate keys are rejected', () => {
    const [msg] = failures('kind: Realm\nkind: Realm\n');
    assert.match(msg, /^document 0 \(\): document 0: failed to parse kind: .*(unique|Map keys)/i);
  });

  it('unsupported apiVersion', () => {
    assert.deepEqual(failures('apiVersion: v2\nkind: Realm\nmetadata: {name: r}\n'), [
      'document 0 (Realm "r"): unsupported apiVersion: v2 (expected v1beta1)',
    ]);
    assert.deepEqual(failures('apiVersion: v2\nkind: Realm\n'), [
      'document 0 (Realm): unsupported apiVersion: v2 (expected v1beta1)',
    ]);
  });

  it('one bad document fails the whole stream, listing every failing document', () => {
    const text = toYamlText(
      realmYaml(),
      { kind: 'Foo' },
      realmYaml({ metadata: {} }),
      realmYaml({ metadata: { name: 'ok' } }),
    );
    assert.deepEqual(failures(text), [
      'document 1 (): document 1: unknown kind: Foo',
      'document 2 (Realm): metadata.name is required',
    ]);
  });
});

describe('parseManifestStream: unknown fields and wrong types', () => {
  const cases: [string, string, string[]][] = [
    [
      'misspelled container field names the path and suggests',
      mut(cellObj, ['spec.containers.1.restartpolicy', 'always']),
      [
        'document 0 (Cell "shop"): spec.containers[1].restartpolicy: unknown field (did you mean restartPolicy?)',
      ],
    ],
    [
      'unknown top-level field',
      toYamlText(realmYaml({ extra: 1 })),
      ['document 0 (Realm "lab"): extra: unknown field'],
    ],
    [
      'near-miss suggestion by edit distance',
      toYamlText(realmYaml({ spec: { namespce: 'x' } })),
      ['document 0 (Realm "lab"): spec.namespce: unknown field (did you mean namespace?)'],
    ],
    [
      'list where a scalar is expected',
      mut(cellObj, ['spec.containers.1.image', ['a']]),
      ['document 0 (Cell "shop"): spec.containers[1].image: expected string, got list'],
    ],
    [
      'scalar where a list is expected',
      mut(cellObj, ['spec.containers', 'foo']),
      ['document 0 (Cell "shop"): spec.containers: expected list, got string'],
    ],
    [
      'bad bool',
      mut(cellObj, ['spec.containers.1.privileged', 'maybe']),
      [
        'document 0 (Cell "shop"): spec.containers[1].privileged: expected bool (true or false), got string "maybe"',
      ],
    ],
    [
      'string where an integer is expected',
      mut(cellObj, ['spec.containers.1.restartBackoffSeconds', 'ten']),
      [
        'document 0 (Cell "shop"): spec.containers[1].restartBackoffSeconds: expected integer, got string "ten"',
      ],
    ],
    [
      'map where a list is expected',
      mut(cellObj, ['spec.containers.1.env', { A: 'b' }]),
      ['document 0 (Cell "shop"): spec.containers[1].env: expected list, got map'],
    ],
    [
      'unknown state label',
      mut(cellObj, ['status.state', 'Running']),
      ['document 0 (Cell "shop"): status.state: cell state: unknown label "Running"'],
    ],
    [
      'state ordinal out of range',
      mut(cellObj, ['status.state', 8]),
      ['document 0 (Cell "shop"): status.state: cell state: int 8 out of range'],
    ],
    [
      'state given as a map',
      mut(cellObj, ['status.state', { a: 1 }]),
      ['document 0 (Cell "shop"): status.state: cell state: expected scalar, got map'],
    ],
    [
      'state given as a bool',
      mut(cellObj, ['status.state', true]),
      ['document 0 (Cell "shop"): status.state: cell state: expected string or int, got true'],
    ],
    [
      'bad timestamp',
      mut(cellObj, ['status.createdAt', 'yesterday']),
      ['document 0 (Cell "shop"): status.createdAt: expected RFC 3339 timestamp, got "yesterday"'],
    ],
    [
      'runtimeEnv is transport-only',
      mut(cellObj, ['spec.runtimeEnv', ['A=b']]),
      [
        'document 0 (Cell "shop"): spec.runtimeEnv: unknown field (transport-only; not accepted in manifests)',
      ],
    ],
    [
      'negative file mode',
      mut(cellObj, ['spec.containers.1.volumes', [{ kind: 'tmpfs', target: '/t', mode: -1 }]]),
      ['document 0 (Cell "shop"): spec.containers[1].volumes[0].mode: integer -1 out of range (min 0)'],
    ],
  ];
  for (const [name, text, messages] of cases) {
    it(name, () => assert.deepEqual(failures(text), messages));
  }

  it('reports several shape errors of one document, each with a line', () => {
    const err = (() => {
      try {
        parseManifestStream(mut(cellObj, ['spec.containers.0.imag', 'x'], ['spec.containers.1.tty', 'nope']));
      } catch (e) {
        return e as ManifestValidationError;
      }
    })();
    assert.ok(err);
    assert.equal(err.issues.length, 2);
    for (const i of err.issues) assert.ok(i.line && i.line > 0 && i.column && i.column > 0);
    assert.deepEqual(err.issues.map((i) => i.path).sort(), [
      'spec.containers[0].imag',
      'spec.containers[1].tty',
    ]);
  });

  it('legacy tty.profile and tty.profilesDir are accepted and ignored', () => {
    const [d] = parseManifestStream(
      mut(
        cellObj,
        ['spec.containers.1.attachable', true],
        ['spec.containers.1.tty', { profile: 'x', profilesDir: '/p' }],
      ),
    );
    assert.equal(d.kind, 'Cell');
  });

  it('status is decoded (state as label or ordinal)', () => {
    const [d] = parseManifestStream(mut(cellObj, ['status.state', 6]));
    assert.equal(d.kind === 'Cell' && d.doc.status?.state, 'Error');
  });

  it('a quoted "2" state is a label and therefore invalid', () => {
    const text = mut(cellObj).concat('status:\n  state: "2"\n');
    assert.deepEqual(failures(text), [
      'document 0 (Cell "shop"): status.state: cell state: unknown label "2"',
    ]);
  });

  it('any scalar fills a string field with its text (Go yaml)', () => {
    const text = mut(cellObj).replace(
      'image: nginx',
      'image: nginx\n      user: 1000\n      workingDir: 0755',
    );
    const [d] = parseManifestStream(text);
    assert.ok(d.kind === 'Cell');
    assert.equal(d.doc.spec?.containers?.[1].user, '1000');
    assert.equal(d.doc.spec?.containers?.[1].workingDir, '0755');
  });
});

describe('parseManifestStream: structural rules, exact messages', () => {
  const cases: [string, string, string][] = [
    ['Realm name', toYamlText(realmYaml({ metadata: {} })), 'document 0 (Realm): metadata.name is required'],
    [
      'Realm blank name',
      toYamlText(realmYaml({ metadata: { name: '  ' } })),
      'document 0 (Realm): metadata.name is required',
    ],
    ['Space name', 'kind: Space\nspec: {realmId: r}\n', 'document 0 (Space): metadata.name is required'],
    [
      'Space realmId',
      'kind: Space\nmetadata: {name: s}\n',
      'document 0 (Space "s"): spec.realmId is required',
    ],
    [
      'Stack name',
      'kind: Stack\nspec: {realmId: r, spaceId: s}\n',
      'document 0 (Stack): metadata.name is required',
    ],
    [
      'Stack realmId',
      'kind: Stack\nmetadata: {name: t}\nspec: {spaceId: s}\n',
      'document 0 (Stack "t"): spec.realmId is required',
    ],
    [
      'Stack spaceId',
      'kind: Stack\nmetadata: {name: t}\nspec: {realmId: r}\n',
      'document 0 (Stack "t"): spec.spaceId is required',
    ],
    ['Cell name', mut(cellObj, ['metadata.name', undefined]), 'document 0 (Cell): metadata.name is required'],
    [
      'Cell realmId',
      mut(cellObj, ['spec.realmId', '']),
      'document 0 (Cell "shop"): spec.realmId is required',
    ],
    [
      'Cell spaceId',
      mut(cellObj, ['spec.spaceId', undefined]),
      'document 0 (Cell "shop"): spec.spaceId is required',
    ],
    [
      'Cell stackId',
      mut(cellObj, ['spec.stackId', undefined]),
      'document 0 (Cell "shop"): spec.stackId is required',
    ],
    [
      'Cell containers missing',
      mut(cellObj, ['spec.containers', undefined]),
      'document 0 (Cell "shop"): spec.containers is required and cannot be empty',
    ],
    [
      'Cell containers empty',
      mut(cellObj, ['spec.containers', []]),
      'document 0 (Cell "shop"): spec.containers is required and cannot be empty',
    ],
    [
      'Container name',
      mut(containerObj, ['metadata.name', undefined]),
      'document 0 (Container): metadata.name is required',
    ],
    [
      'Container realmId',
      mut(containerObj, ['spec.realmId', undefined]),
      'document 0 (Container "worker"): spec.realmId is required',
    ],
    [
      'Container spaceId',
      mut(containerObj, ['spec.spaceId', undefined]),
      'document 0 (Container "worker"): spec.spaceId is required',
    ],
    [
      'Container stackId',
      mut(containerObj, ['spec.stackId', undefined]),
      'document 0 (Container "worker"): spec.stackId is required',
    ],
    [
      'Container cellId',
      mut(containerObj, ['spec.cellId', undefined]),
      'document 0 (Container "worker"): spec.cellId is required',
    ],
    [
      'Container image',
      mut(containerObj, ['spec.image', undefined]),
      'document 0 (Container "worker"): spec.image is required',
    ],
    // Secret
    [
      'Secret name',
      'kind: Secret\nmetadata: {realm: r}\nspec: {data: x}\n',
      'document 0 (Secret): metadata.name is required',
    ],
    [
      'Secret realm',
      'kind: Secret\nmetadata: {name: s}\nspec: {data: x}\n',
      'document 0 (Secret "s"): secret metadata.realm is required',
    ],
    [
      'Secret cell without stack',
      'kind: Secret\nmetadata: {name: s, realm: r, space: p, cell: c}\nspec: {data: x}\n',
      'document 0 (Secret "s"): secret scope is incomplete: every shallower coordinate must be set (cell set without stack)',
    ],
    [
      'Secret stack without space',
      'kind: Secret\nmetadata: {name: s, realm: r, stack: t}\nspec: {data: x}\n',
      'document 0 (Secret "s"): secret scope is incomplete: every shallower coordinate must be set (stack set without space)',
    ],
    [
      'Secret unsafe name',
      'kind: Secret\nmetadata: {name: "..", realm: r}\nspec: {data: x}\n',
      `document 0 (Secret ".."): secret name and scope coordinates must not contain path separators or '.'/'..' elements (metadata.name)`,
    ],
    [
      'Secret unsafe realm',
      'kind: Secret\nmetadata: {name: s, realm: "a/b"}\nspec: {data: x}\n',
      `document 0 (Secret "s"): secret name and scope coordinates must not contain path separators or '.'/'..' elements (metadata.realm)`,
    ],
    [
      'Secret data blank',
      'kind: Secret\nmetadata: {name: s, realm: r}\nspec: {data: "  "}\n',
      'document 0 (Secret "s"): secret spec.data is required and must not be empty',
    ],
    // Volume
    [
      'Volume name',
      'kind: Volume\nmetadata: {realm: r}\n',
      'document 0 (Volume): volume metadata.name is required',
    ],
    [
      'Volume realm',
      'kind: Volume\nmetadata: {name: v}\n',
      'document 0 (Volume "v"): volume metadata.realm is required',
    ],
    [
      'Volume stack without space',
      'kind: Volume\nmetadata: {name: v, realm: r, stack: t}\n',
      'document 0 (Volume "v"): volume scope is incomplete: metadata.stack requires metadata.space (stack set without space)',
    ],
    [
      'Volume cell key is unknown',
      'kind: Volume\nmetadata: {name: v, realm: r, cell: c}\n',
      'document 0 (Volume "v"): metadata.cell: unknown field',
    ],
    [
      'Volume unsafe name',
      'kind: Volume\nmetadata: {name: "a..b", realm: r}\n',
      'document 0 (Volume "a..b"): volume name or scope coordinate is unsafe (metadata.name)',
    ],
    [
      'Volume reclaim policy',
      'kind: Volume\nmetadata: {name: v, realm: r}\nspec: {reclaimPolicy: Keep}\n',
      'document 0 (Volume "v"): volume spec.reclaimPolicy must be "Retain" or "Delete" (or omitted) (got "Keep")',
    ],
    // CellBlueprint
    [
      'Blueprint name',
      'kind: CellBlueprint\nmetadata: {realm: r}\nspec: {cell: {containers: [{id: a, image: i}]}}\n',
      'document 0 (CellBlueprint): blueprint metadata.name is required',
    ],
    [
      'Blueprint realm',
      'kind: CellBlueprint\nmetadata: {name: b}\nspec: {cell: {containers: [{id: a, image: i}]}}\n',
      'document 0 (CellBlueprint "b"): blueprint metadata.realm is required',
    ],
    [
      'Blueprint containers',
      'kind: CellBlueprint\nmetadata: {name: b, realm: r}\nspec: {cell: {}}\n',
      'document 0 (CellBlueprint "b"): blueprint spec.cell.containers is required and cannot be empty',
    ],
    [
      'Blueprint secret slot name',
      'kind: CellBlueprint\nmetadata: {name: b, realm: r}\nspec: {cell: {containers: [{id: a, image: i, secrets: [{envName: X}]}]}}\n',
      'document 0 (CellBlueprint "b"): container "a": blueprint secret slot name is required (secrets[0])',
    ],
    [
      'Blueprint secret slot mode',
      'kind: CellBlueprint\nmetadata: {name: b, realm: r}\nspec: {cell: {containers: [{id: a, image: i, secrets: [{name: s, mode: x}]}]}}\n',
      'document 0 (CellBlueprint "b"): container "a": blueprint secret slot mode must be "env" or "file" (secrets[0])',
    ],
    [
      'Blueprint url-less repo is a slot, but target is required',
      'kind: CellBlueprint\nmetadata: {name: b, realm: r}\nspec: {cell: {containers: [{id: a, image: i, repos: [{name: r1}]}]}}\n',
      'document 0 (CellBlueprint "b"): container "a": repo target is required (repos[0] "r1")',
    ],
    // CellConfig
    [
      'Config name',
      'kind: CellConfig\nmetadata: {realm: r}\nspec: {blueprint: {name: b, realm: r}}\n',
      'document 0 (CellConfig): config metadata.name is required',
    ],
    [
      'Config realm',
      'kind: CellConfig\nmetadata: {name: c}\nspec: {blueprint: {name: b, realm: r}}\n',
      'document 0 (CellConfig "c"): config metadata.realm is required',
    ],
    [
      'Config blueprint',
      'kind: CellConfig\nmetadata: {name: c, realm: r}\nspec: {blueprint: {name: b}}\n',
      'document 0 (CellConfig "c"): config spec.blueprint requires name and realm',
    ],
    [
      'Config repo fill url',
      'kind: CellConfig\nmetadata: {name: c, realm: r}\nspec: {blueprint: {name: b, realm: r}, repos: {src: {branch: main}}}\n',
      'document 0 (CellConfig "c"): config repo slot fill requires url (repos["src"])',
    ],
    [
      'Config secret fill',
      'kind: CellConfig\nmetadata: {name: c, realm: r}\nspec: {blueprint: {name: b, realm: r}, secrets: {tok: {secretRef: {name: s}}}}\n',
      'document 0 (CellConfig "c"): config secret slot fill requires secretRef name and realm (secrets["tok"])',
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => assert.deepEqual(failures(text), [message]));
  }

  it('only the first failing rule of a document is reported', () => {
    assert.deepEqual(failures('kind: Stack\n'), ['document 0 (Stack): metadata.name is required']);
  });
});

describe('parseManifestStream: container secrets and repos, also inside cells', () => {
  const secretCases: [string, unknown, string][] = [
    ['name required', [{ fromEnv: 'X' }], 'secret name is required (secrets[0])'],
    [
      'no source',
      [{ name: 'tok' }],
      'secret requires exactly one of fromFile, fromEnv, or secretRef (secrets[0] "tok")',
    ],
    [
      'two sources',
      [{ name: 'tok', fromEnv: 'X', fromFile: '/f' }],
      'secret must set exactly one of fromFile, fromEnv, or secretRef (secrets[0] "tok")',
    ],
    [
      'ref name',
      [{ name: 'tok', secretRef: { realm: 'r' } }],
      'secret secretRef.name is required (secrets[0] "tok")',
    ],
    [
      'ref realm',
      [{ name: 'tok', secretRef: { name: 's' } }],
      'secret secretRef.realm is required (secrets[0] "tok")',
    ],
    [
      'ref cell without stack',
      [{ name: 'tok', secretRef: { name: 's', realm: 'r', space: 'p', cell: 'c' } }],
      'secret secretRef scope is incomplete: cell set without stack (secrets[0] "tok")',
    ],
    [
      'ref stack without space',
      [{ name: 'tok', secretRef: { name: 's', realm: 'r', stack: 't' } }],
      'secret secretRef scope is incomplete: stack set without space (secrets[0] "tok")',
    ],
    [
      'ref unsafe segment',
      [{ name: 'tok', secretRef: { name: '..', realm: 'r' } }],
      `secret name and scope coordinates must not contain path separators or '.'/'..' elements (secretRef.name) (secrets[0] "tok")`,
    ],
    [
      'mountPath relative',
      [{ name: 'tok', fromEnv: 'X', mountPath: 'run/x' }],
      'secret mountPath must be an absolute container path (secrets[0] "tok")',
    ],
  ];
  for (const [name, secrets, reason] of secretCases) {
    it(`Container secret: ${name}`, () => {
      assert.deepEqual(failures(mut(containerObj, ['spec.secrets', secrets])), [
        `document 0 (Container "worker"): ${reason}`,
      ]);
    });
    it(`Cell container secret: ${name}`, () => {
      assert.deepEqual(failures(mut(cellObj, ['spec.containers.1.secrets', secrets])), [
        `document 0 (Cell "shop"): container "frontend": ${reason}`,
      ]);
    });
  }

  const repoCases: [string, unknown, string][] = [
    ['name', [{ target: '/src', url: 'u' }], 'repo name is required (repos[0])'],
    ['target', [{ name: 'r', url: 'u' }], 'repo target is required (repos[0] "r")'],
    [
      'target absolute',
      [{ name: 'r', url: 'u', target: 'src' }],
      'repo target must be an absolute container path (repos[0] "r")',
    ],
    ['url', [{ name: 'r', target: '/src' }], 'repo url is required (repos[0] "r")'],
    [
      'branch and ref',
      [{ name: 'r', target: '/src', url: 'u', branch: 'b', ref: 'v1' }],
      'repo cannot set both branch and ref (repos[0] "r")',
    ],
  ];
  for (const [name, repos, reason] of repoCases) {
    it(`Container repo: ${name}`, () => {
      assert.deepEqual(failures(mut(containerObj, ['spec.repos', repos])), [
        `document 0 (Container "worker"): ${reason}`,
      ]);
    });
    it(`Cell container repo: ${name}`, () => {
      assert.deepEqual(failures(mut(cellObj, ['spec.containers.1.repos', repos])), [
        `document 0 (Cell "shop"): container "frontend": ${reason}`,
      ]);
    });
  }
});

describe('parseManifestStream: conversion-stage rules checked at parse time', () => {
  const c = (...edits: [string, unknown][]) => failures(mut(cellObj, ...edits));
  const cases: [string, [string, unknown][], string][] = [
    [
      'tty gate',
      [['spec.containers.1.tty', { prompt: '$ ' }]],
      'container "frontend": tty fields require attachable: true',
    ],
    [
      'tty gate via onInit',
      [['spec.containers.1.tty', { onInit: [{ runOn: 'start' }] }]],
      'container "frontend": tty fields require attachable: true',
    ],
    [
      'tty logLevel',
      [
        ['spec.containers.1.attachable', true],
        ['spec.containers.1.tty', { logLevel: 'trace' }],
      ],
      'container "frontend": tty.logLevel "trace": must be one of debug, info, warn, error',
    ],
    [
      'tty runOn',
      [
        ['spec.containers.1.attachable', true],
        ['spec.containers.1.tty', { onInit: [{ script: 'x' }, { runOn: 'boot' }] }],
      ],
      'container "frontend": onInit[1]: tty stage runOn "boot": must be one of "start", "create" (or empty)',
    ],
    [
      'git author',
      [['spec.containers.1.git', { author: { name: 'a' } }]],
      'container "frontend": git.author requires both name and email',
    ],
    [
      'git committer',
      [['spec.containers.1.git', { committer: { email: 'e' } }]],
      'container "frontend": git.committer requires both name and email',
    ],
    [
      'git sign value',
      [['spec.containers.1.git', { sign: ['pushes'], signingKey: '/k' }]],
      'container "frontend": git.sign entry "pushes": must be one of commits, tags',
    ],
    [
      'git sign key',
      [['spec.containers.1.git', { sign: ['commits'] }]],
      'container "frontend": git.sign requires git.signingKey to be set',
    ],
    [
      'volume kind',
      [['spec.containers.1.volumes', [{ kind: 'nfs', target: '/x' }]]],
      'container "frontend" volume 0: volume kind is not recognized; expected "", "bind", "tmpfs", or "volume" (got "nfs")',
    ],
    [
      'tmpfs source',
      [['spec.containers.1.volumes', [{ kind: 'tmpfs', source: '/h', target: '/x' }]]],
      'container "frontend" volume 0: tmpfs volume must not set a source; tmpfs is in-memory and has no host backing',
    ],
    [
      'volumeRef on bind',
      [['spec.containers.1.volumes', [{ target: '/x', volumeRef: { name: 'v', realm: 'r' } }]]],
      'container "frontend" volume 0: volumeRef is only valid on a kind: volume mount',
    ],
    [
      'volume both',
      [
        [
          'spec.containers.1.volumes',
          [{ kind: 'volume', source: 'v', target: '/x', volumeRef: { name: 'v', realm: 'r' } }],
        ],
      ],
      'container "frontend" volume 0: volume mount must set exactly one of source (a Volume name) or volumeRef (explicit coordinates)',
    ],
    [
      'volume neither',
      [['spec.containers.1.volumes', [{ kind: 'volume', target: '/x' }]]],
      'container "frontend" volume 0: volume mount must set either source (a Volume name) or volumeRef (explicit coordinates)',
    ],
    [
      'volume absolute source',
      [['spec.containers.1.volumes', [{ kind: 'volume', source: '/data', target: '/x' }]]],
      'container "frontend" volume 0: volume mount source must be a Volume name, not an absolute path',
    ],
    [
      'volume unsafe source',
      [['spec.containers.1.volumes', [{ kind: 'volume', source: 'a..b', target: '/x' }]]],
      'container "frontend" volume 0: volume name or scope coordinate is unsafe (source)',
    ],
    [
      'volumeRef name',
      [['spec.containers.1.volumes', [{ kind: 'volume', target: '/x', volumeRef: { realm: 'r' } }]]],
      'container "frontend" volume 0: volumeRef.name is required',
    ],
    [
      'volumeRef realm',
      [['spec.containers.1.volumes', [{ kind: 'volume', target: '/x', volumeRef: { name: 'v' } }]]],
      'container "frontend" volume 0: volumeRef.realm is required',
    ],
    [
      'volumeRef stack without space',
      [
        [
          'spec.containers.1.volumes',
          [{ kind: 'volume', target: '/x', volumeRef: { name: 'v', realm: 'r', stack: 't' } }],
        ],
      ],
      'container "frontend" volume 0: volumeRef scope is incomplete; stack set without space',
    ],
    [
      'volume target',
      [['spec.containers.1.volumes', [{ kind: 'volume', source: 'v' }]]],
      'container "frontend" volume 0: volume target is required',
    ],
    [
      'volume target absolute',
      [['spec.containers.1.volumes', [{ kind: 'volume', source: 'v', target: 'x' }]]],
      'container "frontend" volume 0: volume target must be an absolute container path',
    ],
    [
      'imagePullPolicy unknown',
      [['spec.containers.1.imagePullPolicy', 'always']],
      'container "frontend": imagePullPolicy "always": must be IfNotPresent, Always or Never',
    ],
    [
      'imagePullPolicy without an image',
      [
        ['spec.containers.0.image', ''],
        ['spec.containers.0.imagePullPolicy', 'Never'],
      ],
      'container "sandbox": imagePullPolicy "Never" needs an image',
    ],
    [
      'restartPolicy unknown',
      [['spec.containers.1.restartPolicy', 'sometimes']],
      'container "frontend": restartPolicy "sometimes": must be one of always, on-failure, never (or empty)',
    ],
    [
      'backoff negative',
      [['spec.containers.1.restartBackoffSeconds', -1]],
      'container "frontend": restartBackoffSeconds must be >= 0',
    ],
    [
      'backoff needs policy',
      [
        ['spec.containers.1.restartPolicy', 'never'],
        ['spec.containers.1.restartBackoffSeconds', 5],
      ],
      'container "frontend": restartBackoffSeconds requires restartPolicy "always" or "on-failure"',
    ],
    [
      'max retries >= 1',
      [
        ['spec.containers.1.restartPolicy', 'on-failure'],
        ['spec.containers.1.restartMaxRetries', 0],
      ],
      'container "frontend": restartMaxRetries must be >= 1',
    ],
    [
      'max retries needs on-failure',
      [['spec.containers.1.restartMaxRetries', 3]],
      'container "frontend": restartMaxRetries requires restartPolicy "on-failure"',
    ],
    [
      'stopSignal unknown',
      [['spec.containers.1.stopSignal', 'SIGNOPE']],
      'container "frontend": stopSignal "SIGNOPE": not a signal; use a name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64',
    ],
    [
      'stopSignal out of range',
      [['spec.containers.1.stopSignal', '65']],
      'container "frontend": stopSignal "65": not a signal; use a name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64',
    ],
    [
      'stopGracePeriodSeconds negative',
      [['spec.containers.1.stopGracePeriodSeconds', -1]],
      'container "frontend": stopGracePeriodSeconds must be >= 0',
    ],
    [
      'stopGracePeriodSeconds over a day',
      [['spec.containers.1.stopGracePeriodSeconds', 86_401]],
      'container "frontend": stopGracePeriodSeconds must be at most 86400 (one day)',
    ],
    [
      'cell tty default unknown',
      [['spec.tty', { default: 'nope' }]],
      'cell tty.default "nope" does not match any container in this cell',
    ],
    [
      'cell tty default not attachable',
      [['spec.tty', { default: 'frontend' }]],
      'cell tty.default "frontend" references container that is not attachable',
    ],
    [
      'two roots',
      [['spec.containers.1.root', true]],
      'only one container in a cell may have root: true: [sandbox frontend]',
    ],
    [
      'rootContainerId unknown',
      [['spec.rootContainerId', 'ghost']],
      'rootContainerId "ghost" not found in containers array',
    ],
    [
      'rootContainerId disagrees',
      [['spec.rootContainerId', 'frontend']],
      'rootContainerId disagrees with container marked root: true: rootContainerId is "frontend" but container "sandbox" has root: true',
    ],
    [
      'explicit root must be hostNetwork when any container is',
      [['spec.containers.1.hostNetwork', true]],
      'explicit rootContainerId must have hostNetwork: true when any cell container has hostNetwork: true: rootContainerId "sandbox"',
    ],
  ];
  for (const [name, edits, reason] of cases) {
    it(name, () => assert.deepEqual(c(...edits), [`document 0 (Cell "shop"): ${reason}`]));
  }

  it('create-stage needs a persistent writable volume (tmpfs and readOnly do not count)', () => {
    const [msg] = c(
      ['spec.containers.1.attachable', true],
      ['spec.containers.1.tty', { onInit: [{ runOn: 'create', script: 'x' }] }],
      [
        'spec.containers.1.volumes',
        [
          { kind: 'tmpfs', target: '/t' },
          { source: '/h', target: '/r', readOnly: true },
        ],
      ],
      ['spec.containers.1.tmpfs', [{ path: '/w' }]],
    );
    assert.match(
      msg,
      /^document 0 \(Cell "shop"\): container "frontend": onInit\[0\]: tty stage runOn "create" requires a persistent writable volume/,
    );
    const ok = parseManifestStream(
      mut(
        cellObj,
        ['spec.containers.1.attachable', true],
        ['spec.containers.1.tty', { onInit: [{ runOn: 'create', script: 'x' }] }],
        ['spec.containers.1.volumes', [{ source: '/h', target: '/w' }]],
      ),
    );
    assert.equal(ok.length, 1);
  });

  it('standalone Container docs get the same rules', () => {
    assert.deepEqual(failures(mut(containerObj, ['spec.tty', { prompt: 'x' }])), [
      'document 0 (Container "worker"): container "worker": tty fields require attachable: true',
    ]);
  });
});

describe('parseManifestStream: names (checked at parse time)', () => {
  const cases: [string, string, string][] = [
    [
      'realm with _',
      toYamlText(realmYaml({ metadata: { name: 'a_b' } })),
      `document 0 (Realm "a_b"): realm name is invalid: "a_b" contains disallowed character (must not contain '_' or '/')`,
    ],
    [
      'realm with /',
      toYamlText(realmYaml({ metadata: { name: 'a/b' } })),
      `document 0 (Realm "a/b"): realm name is invalid: "a/b" contains disallowed character (must not contain '_' or '/')`,
    ],
    [
      'realm with bad shape',
      toYamlText(realmYaml({ metadata: { name: 'a..b' } })),
      `document 0 (Realm "a..b"): realm name is invalid: "a..b" must be letters and digits, optionally separated by single '.' or '-' (no leading, trailing or repeated separator)`,
    ],
    [
      'realm too long for its namespace',
      toYamlText(realmYaml({ metadata: { name: 'r'.repeat(67) } })),
      `document 0 (Realm "${'r'.repeat(67)}"): realm name is invalid: "${'r'.repeat(67)}" is too long: containerd namespace "${'r'.repeat(67)}.kukeon.io" has 77 characters (limit 76)`,
    ],
    [
      'space with _',
      'kind: Space\nmetadata: {name: a_b}\nspec: {realmId: r}\n',
      `document 0 (Space "a_b"): name is invalid: space name "a_b" contains disallowed character (must not contain '_' or '/')`,
    ],
    [
      'space reserved',
      'kind: Space\nmetadata: {name: secrets}\nspec: {realmId: r}\n',
      `document 0 (Space "secrets"): name is invalid: space name "secrets" is reserved (it collides with a kukeon file or directory name)`,
    ],
    [
      'stack reserved',
      'kind: Stack\nmetadata: {name: volume-meta}\nspec: {realmId: r, spaceId: s}\n',
      `document 0 (Stack "volume-meta"): name is invalid: stack name "volume-meta" is reserved (it collides with a kukeon file or directory name)`,
    ],
    [
      'stack spec.id differs',
      'kind: Stack\nmetadata: {name: t}\nspec: {id: u, realmId: r, spaceId: s}\n',
      `document 0 (Stack "t"): spec.id "u" must equal metadata.name "t" (or be omitted)`,
    ],
    [
      'cell spec.id differs',
      mut(cellObj, ['spec.id', 'other']),
      `document 0 (Cell "shop"): spec.id "other" must equal metadata.name "shop" (or be omitted)`,
    ],
    [
      'cell name with _',
      mut(cellObj, ['metadata.name', 'a_b'], ['spec.id', undefined]),
      `document 0 (Cell "a_b"): name is invalid: cell name "a_b" contains disallowed character (must not contain '_' or '/')`,
    ],
    [
      'cell parent ref with /',
      mut(cellObj, ['spec.stackId', 'w/x']),
      `document 0 (Cell "shop"): name is invalid: stack name "w/x" contains disallowed character (must not contain '_' or '/')`,
    ],
    [
      'container id missing',
      mut(cellObj, ['spec.containers.1.id', undefined]),
      `document 0 (Cell "shop"): spec.containers[1].id is required`,
    ],
    [
      'container id with _',
      mut(cellObj, ['spec.containers.1.id', 'front_end']),
      `document 0 (Cell "shop"): name is invalid: container name "front_end" contains disallowed character (must not contain '_' or '/')`,
    ],
    [
      'published port without a host port',
      mut(cellObj, ['spec.containers.1.ports', ['80']]),
      `document 0 (Cell "shop"): container "frontend": ports[0] "80" is not [hostIP:]hostPort:containerPort[/tcp|/udp] (a host port is required)`,
    ],
    [
      'published port out of range',
      mut(cellObj, ['spec.containers.1.ports', ['8080:70000']]),
      `document 0 (Cell "shop"): container "frontend": ports[0] "8080:70000": container port 70000 out of range (1-65535)`,
    ],
    [
      'published port protocol',
      mut(cellObj, ['spec.containers.1.ports', ['8080:80/sctp']]),
      `document 0 (Cell "shop"): container "frontend": ports[0] "8080:80/sctp": protocol "sctp" is not tcp or udp`,
    ],
    [
      'host port published twice in a cell',
      mut(
        cellObj,
        ['spec.containers.0.ports', ['8080:80']],
        ['spec.containers.1.ports', ['127.0.0.1:8080:81']],
      ),
      `document 0 (Cell "shop"): container "frontend": ports[0] "127.0.0.1:8080:81": host port 8080/tcp is published twice in the cell (containers "sandbox" and "frontend")`,
    ],
    [
      'embedded image required',
      mut(cellObj, ['spec.containers.1.image', '']),
      `document 0 (Cell "shop"): container "frontend": image is required`,
    ],
    [
      'duplicate container id',
      mut(cellObj, ['spec.containers.1.id', 'sandbox']),
      `document 0 (Cell "shop"): duplicate container id "sandbox" in spec.containers`,
    ],
    [
      'non-root container named root',
      mut(cellObj, ['spec.containers.0.root', undefined], ['spec.containers.1.id', 'root']),
      `document 0 (Cell "shop"): name is invalid: container name "root" is reserved for the cell's root container (set root: true on it or rename it)`,
    ],
    [
      'container doc name',
      mut(containerObj, ['metadata.name', 'a/b']),
      `document 0 (Container "a/b"): name is invalid: container name "a/b" contains disallowed character (must not contain '_' or '/')`,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => assert.deepEqual(failures(text), [message]));
  }

  it('composed container ID limit: exactly 76 characters passes, 77 fails', () => {
    // "agents_web_shop_" is 16 characters.
    assert.equal(parseManifestStream(mut(cellObj, ['spec.containers.1.id', 'c'.repeat(60)])).length, 1);
    assert.deepEqual(failures(mut(cellObj, ['spec.containers.1.id', 'c'.repeat(61)])), [
      `document 0 (Cell "shop"): name is invalid: container ID "agents_web_shop_${'c'.repeat(61)}" has 77 characters (limit 76); shorten the space, stack, cell or container name`,
    ]);
  });

  it('an explicit realm namespace must be a valid containerd namespace', () => {
    assert.deepEqual(failures(toYamlText(realmYaml({ spec: { namespace: 'bad ns' } }))), [
      `document 0 (Realm "lab"): spec.namespace "bad ns" is not a valid containerd namespace (1-76 characters: letters and digits separated by single '.', '_' or '-')`,
    ]);
    assert.equal(
      parseManifestStream(toYamlText(realmYaml({ spec: { namespace: 'team_a.example' } }))).length,
      1,
    );
  });

  it('space egress policy is checked at parse time', () => {
    assert.deepEqual(
      failures('kind: Space\nmetadata: {name: s}\nspec: {realmId: r, network: {egress: {default: block}}}\n'),
      [`document 0 (Space "s"): egress default must be 'allow' or 'deny'`],
    );
  });

  it('space cell isolation is checked at parse time', () => {
    assert.deepEqual(
      failures('kind: Space\nmetadata: {name: s}\nspec: {realmId: r, network: {isolation: pods}}\n'),
      [`document 0 (Space "s"): network.isolation must be 'none' or 'cells' (got "pods")`],
    );
    const [doc] = parseManifestStream(
      'kind: Space\nmetadata: {name: s}\nspec: {realmId: r, network: {isolation: cells}}\n',
    );
    assert.equal((doc.doc as { spec: { network: { isolation: string } } }).spec.network.isolation, 'cells');
  });

  it('a root container may omit its image (imageless roots are runnable)', () => {
    assert.equal(parseManifestStream(mut(cellObj, ['spec.containers.0.image', undefined])).length, 1);
  });

  it('a container named root is fine when it is the root', () => {
    assert.equal(parseManifestStream(mut(cellObj, ['spec.containers.0.id', 'root'])).length, 1);
  });

  it('the namespace suffix option changes the realm length limit', () => {
    const text = toYamlText(realmYaml({ metadata: { name: 'r'.repeat(70) } }));
    assert.equal(parseManifestStream(text, { namespaceSuffix: 'k.io' }).length, 1);
  });
});
