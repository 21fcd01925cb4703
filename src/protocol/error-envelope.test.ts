import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KukeonError, hasCode } from '../errors.js';
import { DaemonReplyError, errorChainText, fromErrEnvelope, toErrEnvelope } from './error-envelope.js';
import { codeForKind, errorKindTable, kindForCode } from './error-kinds.js';

test('every error Kind of the wire protocol maps to one code and back', () => {
  assert.equal(errorKindTable.length, 28);
  const codes = new Set<string>();
  for (const { kind, code } of errorKindTable) {
    assert.equal(kindForCode(code), kind);
    assert.equal(codeForKind(kind), code);
    codes.add(code);
  }
  assert.equal(codes.size, errorKindTable.length);
  assert.equal(kindForCode('STORE_CORRUPT'), 'Unknown');
  assert.equal(codeForKind('Unknown'), undefined);
});

test('a KukeonError with a mapped code travels with its Kind and code', () => {
  const env = toErrEnvelope(new KukeonError('REALM_NOT_FOUND', 'realm "x" not found'));
  assert.deepEqual(env, { Kind: 'RealmNotFound', Message: 'realm "x" not found', Code: 'REALM_NOT_FOUND' });
});

test('an unmapped code travels as Unknown but keeps its code', () => {
  const env = toErrEnvelope(new KukeonError('STORE_CORRUPT', 'metadata.json is corrupt'));
  assert.deepEqual(env, { Kind: 'Unknown', Message: 'metadata.json is corrupt', Code: 'STORE_CORRUPT' });
});

test('a plain Error travels as Unknown without a code', () => {
  assert.deepEqual(toErrEnvelope(new TypeError('boom')), { Kind: 'Unknown', Message: 'boom' });
  assert.deepEqual(toErrEnvelope('text'), { Kind: 'Unknown', Message: 'text' });
});

test('the innermost mapped error chooses the Kind; the message is the whole chain', () => {
  const inner = new KukeonError('REALM_NOT_FOUND', 'realm not found');
  const middle = new KukeonError('CREATE_SPACE', 'failed to create space', { cause: inner });
  const outer = new KukeonError('APPLY_FAILED', 'apply space "s"', { cause: middle });
  const env = toErrEnvelope(outer);
  assert.equal(env.Kind, 'RealmNotFound');
  assert.equal(env.Code, 'REALM_NOT_FOUND');
  assert.equal(env.Message, 'apply space "s": failed to create space: realm not found');
});

test('errorChainText does not repeat a cause already in the message, and survives cycles', () => {
  const cause = new Error('connect: no such file');
  assert.equal(
    errorChainText(new Error('dial: connect: no such file', { cause })),
    'dial: connect: no such file',
  );
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(errorChainText(b), 'b: a');
});

test('fromErrEnvelope: Code wins, else the Kind maps back, else UNKNOWN', () => {
  const reply = { Result: { partial: true } };
  const withCode = fromErrEnvelope({ Kind: 'Unknown', Message: 'm', Code: 'STORE_CORRUPT' }, reply);
  assert.ok(withCode instanceof DaemonReplyError && withCode instanceof KukeonError);
  assert.ok(hasCode(withCode, 'STORE_CORRUPT'));
  assert.equal(withCode.reply, reply);
  // What a Go daemon sends: no Code.
  const goStyle = fromErrEnvelope({ Kind: 'CellNotFound', Message: 'get cell: cell not found' }, {});
  assert.ok(hasCode(goStyle, 'CELL_NOT_FOUND'));
  assert.equal(goStyle.kind, 'CellNotFound');
  assert.equal(goStyle.message, 'get cell: cell not found');
  assert.ok(hasCode(fromErrEnvelope({ Kind: 'Unknown', Message: 'x' }, {}), 'UNKNOWN'));
  assert.ok(hasCode(fromErrEnvelope({ Kind: 'SomethingNew', Message: 'x' }, {}), 'UNKNOWN'));
  assert.equal(fromErrEnvelope('weird', {}).message, 'weird');
});

test('round trip: typed error → envelope → JSON → typed error keeps code and text', () => {
  for (const { code } of errorKindTable) {
    const back = fromErrEnvelope(
      JSON.parse(JSON.stringify(toErrEnvelope(new KukeonError(code, `msg ${code}`)))),
      {},
    );
    assert.equal(back.code, code);
    assert.equal(back.message, `msg ${code}`);
  }
});
