/**
 * Property tests: valid documents survive parse → model → serialise → parse unchanged (YAML and
 * disk JSON), and random mutations of valid manifests never throw anything but our typed errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseManifestStream, type ParsedDocument } from './parse-manifest.js';
import { EmptyManifestError, ManifestValidationError } from './manifest-error.js';
import { goIntTags } from './yaml-tree.js';
import { cellFromDoc, containerFromDoc, realmFromDoc, spaceFromDoc, stackFromDoc } from './convert.js';
import { decodeResource, encodeResource, type ResourceKind } from './resource-codec.js';
import { reservedNames } from './validate/names.js';
import { cellStates, containerStates, realmStates, spaceStates, stackStates } from '../model/states.js';
import { timestampFromDate } from '../model/time.js';
import { specExample } from './testdata/fixtures.js';

const runs = Number(process.env.KUKEON_PROPERTY_RUNS ?? 200);

const name = fc
  .stringMatching(/^[a-z0-9]{1,10}(?:[.-][a-z0-9]{1,4})?$/)
  .filter((n) => !reservedNames.includes(n) && n !== 'root');
const text = fc.string({ maxLength: 12 });
const nonBlank = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '' && s.trim() === s);
const labelKey = fc.stringMatching(/^[a-z]{1,6}(?:\.[a-z]{1,4})?(?:\/[a-z]{1,4})?$/);
const labels = fc.dictionary(labelKey, text, { maxKeys: 3 });
const strList = fc.array(text, { maxLength: 3 });
const time = fc
  .tuple(
    fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2200-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.nat(999_999),
  )
  .map(([d, extraNanos]) => {
    const t = timestampFromDate(d);
    // Add sub-millisecond digits so nanosecond precision is exercised.
    const m = /^(.*?)(?:\.(\d+))?Z$/.exec(t)!;
    const frac = ((m[2] ?? '').padEnd(3, '0') + String(extraNanos).padStart(6, '0')).replace(/0+$/, '');
    return `${m[1]}${frac ? '.' + frac : ''}Z`;
  });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const commonStatus = (states: readonly string[]) =>
  fc.record(
    {
      state: fc.constantFrom(...states),
      cgroupPath: text,
      createdAt: time,
      updatedAt: time,
      reason: text,
      message: text,
      observedGeneration: fc.nat(),
    },
    { requiredKeys: [] },
  );

const volume = fc.oneof(
  fc.record({ source: text, target: text, readOnly: opt(fc.boolean()) }),
  fc.record({
    kind: fc.constant('tmpfs'),
    target: text,
    sizeBytes: opt(fc.nat()),
    mode: opt(fc.integer({ min: 0, max: 0o7777 })),
  }),
  fc.record({
    kind: fc.constant('volume'),
    source: name,
    target: fc.constant('/data'),
    ensure: opt(fc.boolean()),
  }),
);

const restart = fc.oneof(
  fc.record({ restartPolicy: fc.constantFrom('', 'never') }),
  fc.record({ restartPolicy: fc.constant('always'), restartBackoffSeconds: opt(fc.nat(600)) }),
  fc.record({
    restartPolicy: fc.constant('on-failure'),
    restartBackoffSeconds: opt(fc.nat(600)),
    restartMaxRetries: opt(fc.integer({ min: 1, max: 10 })),
  }),
);

const containerFields = fc.record(
  {
    image: nonBlank,
    command: text,
    args: strList,
    workingDir: text,
    env: strList,
    // `containerPort[/proto]`; the cell gives each a host port of its own (a cell publishes a host
    // port once).
    ports: fc.array(
      fc
        .tuple(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('', '/tcp', '/udp'))
        .map(([p, proto]) => `${p}${proto}`),
      { maxLength: 2 },
    ),
    volumes: fc.array(volume, { maxLength: 2 }),
    privileged: fc.boolean(),
    hostPID: fc.boolean(),
    hostCgroup: fc.boolean(),
    user: text,
    readOnlyRootFilesystem: fc.boolean(),
    capabilities: fc.record({ drop: strList, add: strList }, { requiredKeys: [] }),
    securityOpts: strList,
    tmpfs: fc.array(fc.record({ path: text, sizeBytes: opt(fc.nat()), options: opt(strList) }), {
      maxLength: 2,
    }),
    resources: fc.record(
      { memoryLimitBytes: fc.nat(), cpuShares: fc.nat(), pidsLimit: fc.nat() },
      { requiredKeys: [] },
    ),
    secrets: fc.array(
      fc.record({ name: nonBlank, fromEnv: nonBlank, mountPath: opt(fc.constant('/run/s')) }),
      { maxLength: 2 },
    ),
    git: fc.record(
      {
        author: fc.record({ name: nonBlank, email: nonBlank }),
        sign: fc.constant(['commits']),
        signingKey: fc.constant('/k'),
      },
      { requiredKeys: ['sign', 'signingKey'] },
    ),
  },
  { requiredKeys: ['image'] },
);

const container = (id: string) => fc.tuple(containerFields, restart).map(([f, r]) => ({ id, ...f, ...r }));

const cellDoc = fc
  .tuple(
    name,
    name,
    name,
    name,
    labels,
    fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
    fc.boolean(),
    commonStatus(cellStates),
  )
  .chain(([cell, realm, space, stack, lbls, ids, explicitRoot, status]) =>
    fc.tuple(...ids.map((id) => container(id))).chain((containers) =>
      fc
        .array(
          fc.record({
            state: fc.constantFrom(...containerStates),
            restartCount: fc.nat(),
            exitCode: fc.integer({ min: 0, max: 255 }),
            startTime: opt(time),
          }),
          { maxLength: 2 },
        )
        .map((cstatus) => ({
          apiVersion: 'v1beta1',
          kind: 'Cell',
          metadata: { name: cell, labels: lbls },
          spec: {
            id: cell,
            realmId: realm,
            spaceId: space,
            stackId: stack,
            containers: containers
              .map((c, i) => ({
                ...c,
                ports: (c.ports ?? []).map((p, j) => `${j ? '127.0.0.1:' : ''}${1000 + i * 10 + j}:${p}`),
              }))
              .map((c, i) => (explicitRoot && i === 0 ? { ...c, root: true, hostNetwork: false } : c)),
          },
          status: { ...status, containers: cstatus.map((s, i) => ({ name: `c${i}`, id: `c${i}`, ...s })) },
        })),
    ),
  );

const realmDoc = fc.record({
  kind: fc.constant('Realm'),
  metadata: fc.record({ name, labels }),
  spec: fc.record({
    namespace: fc.oneof(
      fc.constant(''),
      name.map((n) => `${n}.example`),
    ),
    // A user, and either an inline password or the name of the Secret holding it; one entry per server.
    registryCredentials: fc.uniqueArray(
      fc.oneof(
        fc.record({ username: name, password: name, serverAddress: text }),
        fc.record({ username: name, passwordSecret: name, serverAddress: text }),
      ),
      { maxLength: 2, selector: (c) => c.serverAddress.trim() },
    ),
  }),
  status: commonStatus(realmStates),
});

const spaceDoc = fc.record({
  kind: fc.constant('Space'),
  metadata: fc.record({ name, labels }),
  spec: fc.record(
    {
      realmId: name,
      cniConfigPath: text,
      network: fc.record({
        egress: fc.record({
          default: fc.constantFrom('allow', 'deny'),
          allow: fc.array(
            fc.record({
              host: name.map((n) => `${n}.example.com`),
              ports: fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 2 }),
            }),
            { maxLength: 2 },
          ),
        }),
      }),
      defaults: fc.record({
        container: fc.record(
          { user: text, readOnlyRootFilesystem: fc.boolean(), securityOpts: strList },
          { requiredKeys: [] },
        ),
      }),
    },
    { requiredKeys: ['realmId'] },
  ),
  status: commonStatus(spaceStates),
});

const stackDoc = fc.record({
  kind: fc.constant('Stack'),
  metadata: fc.record({ name, labels }),
  spec: fc.record({ realmId: name, spaceId: name }),
  status: commonStatus(stackStates),
});

const toModel = (d: ParsedDocument): [ResourceKind, unknown] => {
  switch (d.kind) {
    case 'Realm':
      return ['Realm', realmFromDoc(d.doc)];
    case 'Space':
      return ['Space', spaceFromDoc(d.doc)];
    case 'Stack':
      return ['Stack', stackFromDoc(d.doc)];
    case 'Cell':
      return ['Cell', cellFromDoc(d.doc)];
    case 'Container':
      return ['Container', containerFromDoc(d.doc)];
    default:
      throw new Error(`not a resource kind: ${d.kind}`);
  }
};

function roundTrips(doc: unknown): void {
  const yamlText = stringify(doc, { customTags: goIntTags });
  const [parsed] = parseManifestStream(yamlText);
  const [kind, model] = toModel(parsed);
  // YAML (`kuke get -o yaml`) → parse → model: unchanged.
  const again = parseManifestStream(encodeResource(kind, model as never, 'yaml'));
  assert.equal(again.length, 1);
  assert.deepEqual(toModel(again[0])[1], model);
  // Disk JSON → decode: unchanged, and re-encoding is byte-identical.
  const json = encodeResource(kind, model as never, 'json');
  const decoded = decodeResource(kind, json);
  assert.deepEqual(decoded, model);
  assert.equal(encodeResource(kind, decoded as never, 'json'), json);
}

describe('property: parse → model → serialise → parse is lossless', () => {
  it('Cell documents', () => fc.assert(fc.property(cellDoc, roundTrips), { numRuns: runs }));
  it('Realm documents', () => fc.assert(fc.property(realmDoc, roundTrips), { numRuns: runs }));
  it('Space documents', () => fc.assert(fc.property(spaceDoc, roundTrips), { numRuns: runs }));
  it('Stack documents', () => fc.assert(fc.property(stackDoc, roundTrips), { numRuns: runs }));
});

/** Parse must either succeed (and conversion then never fails) or throw one of our typed errors. */
function onlyTypedErrors(input: string): void {
  let docs: ParsedDocument[];
  try {
    docs = parseManifestStream(input);
  } catch (err) {
    if (err instanceof ManifestValidationError) {
      assert.ok(err.issues.length > 0);
      for (const i of err.issues) assert.match(i.message, /^document \d+ \(/);
      return;
    }
    if (err instanceof EmptyManifestError) return;
    throw err;
  }
  // Everything conversion checks was already checked at parse time.
  for (const d of docs)
    if (d.kind !== 'Secret' && d.kind !== 'Volume' && d.kind !== 'CellBlueprint' && d.kind !== 'CellConfig')
      toModel(d);
}

describe('property: mutated manifests only ever fail with typed validation errors', () => {
  it('random byte edits of the spec example', () => {
    const edit = fc.record({
      at: fc.nat(specExample.length),
      del: fc.nat(8),
      insert: fc.string({ maxLength: 6, unit: 'binary' }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let s = specExample;
        for (const e of edits) {
          const at = Math.min(e.at, s.length);
          s = s.slice(0, at) + e.insert + s.slice(at + e.del);
        }
        onlyTypedErrors(s);
      }),
      { numRuns: runs * 3 },
    );
  });

  it('random field replacements (any path, any JSON value)', () => {
    const docs = specExample.split(/^---$/m).map((d) => d);
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('0755', '0b1', '~', '', 'Ready', -1, 2 ** 60, 1.5),
    );
    const path = fc.array(
      fc.oneof(
        fc.constantFrom(
          'metadata',
          'spec',
          'status',
          'name',
          'containers',
          'volumes',
          'tty',
          'root',
          'image',
          'mode',
          'state',
          'labels',
          'defaults',
          'container',
        ),
        fc.nat(3),
      ),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(fc.nat(docs.length - 1), path, value, (i, p, v) => {
        const [parsed] = (() => {
          try {
            return parseManifestStream(docs[i]);
          } catch {
            return [undefined];
          }
        })();
        assert.ok(parsed, 'fixture documents are valid');
        const obj = JSON.parse(JSON.stringify(parsed.doc)) as Record<string, unknown>;
        let cur: Record<string | number, unknown> = obj;
        for (const seg of p.slice(0, -1)) {
          const next = cur[seg];
          if (next === null || typeof next !== 'object') cur[seg] = {};
          cur = cur[seg] as Record<string | number, unknown>;
        }
        cur[p[p.length - 1]] = v;
        onlyTypedErrors(stringify(obj, { customTags: goIntTags }));
      }),
      { numRuns: runs * 3 },
    );
  });
});
