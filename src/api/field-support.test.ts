import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindSchemas } from './v1beta1/kinds.js';
import { containerSpecSchema } from './v1beta1/container.js';
import { serverConfigurationDocSchema } from './v1beta1/server-configuration.js';
import { CONTAINER_SPEC, schemaFields } from './schema-fields.js';
import { fieldSupport, supportOf } from './field-support.js';
import { withFieldSupportTable } from './field-support-table.js';

// dist/src/api → the repository root, where the proofs' files are.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const schemas: [string, Parameters<typeof schemaFields>[0]][] = [
  ...Object.entries(kindSchemas),
  [CONTAINER_SPEC, containerSpecSchema],
  ['ServerConfiguration', serverConfigurationDocSchema],
];
const nodes = schemas.flatMap(([key, schema]) => schemaFields(schema, key));
const leaves = nodes.filter((n) => n.leaf).map((n) => n.key);

describe('every v1beta1 field is applied (with a proof) or refused', () => {
  it('each field of each kind has an entry in src/api/field-support.ts', () => {
    const missing = leaves.filter((k) => !supportOf(k));
    assert.deepEqual(
      missing,
      [],
      'fields neither applied nor refused: add each to fieldSupport, as applied (with the test that proves it) or refused',
    );
  });

  it('each entry names a field of the schemas', () => {
    const known = new Set(['', ...nodes.map((n) => n.key), ...schemas.map(([k]) => k)]);
    assert.deepEqual(
      Object.keys(fieldSupport).filter((k) => !known.has(k)),
      [],
    );
  });

  it('an applied entry names a leaf (each field of an applied object has its own proof)', () => {
    const leafSet = new Set(leaves);
    const appliedObjects = Object.entries(fieldSupport)
      .filter(([k, s]) => s.status === 'applied' && !leafSet.has(k))
      .map(([k]) => k);
    assert.deepEqual(appliedObjects, []);
  });

  it("each proof's file exists and holds the test it names", () => {
    const bad: string[] = [];
    for (const [key, s] of Object.entries(fieldSupport)) {
      if (s.status !== 'applied') continue;
      assert.ok(s.proofs.length > 0, `${key}: applied without a proof`);
      for (const p of s.proofs) {
        const file = join(repoRoot, p.file);
        if (!existsSync(file)) {
          bad.push(`${key}: ${p.file} does not exist`);
          continue;
        }
        const text = readFileSync(file, 'utf8');
        if (!text.includes(`'${p.test}'`) && !text.includes(`\`${p.test}\``) && !text.includes(`"${p.test}"`))
          bad.push(`${key}: ${p.file} has no test titled ${JSON.stringify(p.test)}`);
        if (p.row && !text.includes(p.row)) bad.push(`${key}: ${p.file} has no row ${JSON.stringify(p.row)}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('a field whose feature is on the host has a proof in test/e2e', () => {
    // Only the envelope, metadata, and the parts decided in the client or by pure logic may be
    // proven by unit tests alone.
    const unitOnly = Object.entries(fieldSupport)
      .filter(([, s]) => s.status === 'applied' && !s.proofs.some((p) => p.file.startsWith('test/e2e/')))
      .map(([k]) => k)
      .filter((k) => !/\.(apiVersion|kind)$/.test(k) && !/^Cell\.spec\.tty\.default$/.test(k));
    assert.deepEqual(unitOnly, []);
  });
});

describe('the README states, per field, applied or refused', () => {
  it('its field table is the one generated from src/api/field-support.ts', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    assert.equal(
      withFieldSupportTable(readme),
      readme,
      'README.md is stale: run `npm run build && node scripts/field-support-table.mjs`',
    );
  });
});
