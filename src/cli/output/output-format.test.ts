import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocOutput, parseGetOutput } from './output-format.js';

test('get -o is case-insensitive; empty is the table', () => {
  assert.equal(parseGetOutput(undefined), 'table');
  assert.equal(parseGetOutput(''), 'table');
  assert.equal(parseGetOutput('YAML'), 'yaml');
  assert.equal(parseGetOutput('Json'), 'json');
  assert.equal(parseGetOutput('wide'), 'wide');
  assert.equal(parseGetOutput('name'), 'name');
  assert.throws(() => parseGetOutput('xml'), {
    message: 'invalid output format: xml (supported: yaml, json, table, wide, name)',
  });
});

test('apply -o accepts json or yaml only', () => {
  assert.equal(parseDocOutput(undefined), undefined);
  assert.equal(parseDocOutput('json'), 'json');
  assert.throws(() => parseDocOutput('table'), { message: 'invalid --output "table": want json or yaml' });
});
