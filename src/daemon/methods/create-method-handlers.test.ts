import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeController } from '../../controller/fake-runner.test-helper.js';
import { silentLogger } from '../../log.js';
import { KeyedMutex } from '../../store/keyed-mutex.js';
import { DaemonReplyError } from '../../protocol/error-envelope.js';
import { MethodRegistry } from '../rpc/method-registry.js';
import { dispatchRequest } from '../rpc/request-dispatcher.js';
import { callHandler, createMethodHandlers, registerMethodHandlers } from './index.js';

function handlers() {
  return createMethodHandlers(fakeController().controller);
}

const realmDoc = (name: string) => ({ apiVersion: 'v1beta1', kind: 'Realm', metadata: { name } });

test('in-process calls: reply shapes with Go field names and typed errors like the socket', async () => {
  const h = handlers();
  const created = await callHandler(h, 'CreateRealm', { Doc: realmDoc('r1') });
  assert.equal(created.Err, null);
  assert.equal(created.Result.Created, true);
  assert.equal(created.Result.Realm.kind, 'Realm');
  assert.equal(created.Result.Realm.metadata?.name, 'r1');

  const missing = await callHandler(h, 'GetRealm', { Doc: realmDoc('nope') });
  assert.equal(missing.Result.MetadataExists, false);
  assert.equal(missing.Result.Realm.metadata?.name, 'nope');

  await assert.rejects(
    callHandler(h, 'DeleteRealm', { Doc: realmDoc('nope'), Force: false, Cascade: false }),
    (err: unknown) => {
      assert.ok(err instanceof DaemonReplyError);
      assert.equal(err.kind, 'RealmNotFound');
      assert.equal(err.message, 'realm "nope" not found');
      return true;
    },
  );
  const listed = await callHandler(h, 'ListSpaces', { RealmName: 'r1' });
  assert.deepEqual(listed.Spaces, []);
});

test('over the dispatcher: ApplyDocuments takes base64 RawYAML and replies with Err null', async () => {
  const registry = registerMethodHandlers(new MethodRegistry(), handlers());
  const raw = Buffer.from(
    'kind: Realm\nmetadata:\n  name: r1\n---\nkind: Space\nmetadata:\n  name: s1\nspec:\n  realmId: r1\n',
  ).toString('base64');
  const base = { connectionId: 1, logger: silentLogger, locks: new KeyedMutex() };
  const res = await dispatchRequest(
    registry,
    { method: 'KukeonV1.ApplyDocuments', params: [{ RawYAML: raw, Team: '' }], id: 7 },
    base,
  );
  assert.equal(res.error, null);
  assert.deepEqual(res.result, {
    Result: {
      Resources: [
        { index: 0, kind: 'Realm', name: 'r1', action: 'created' },
        { index: 1, kind: 'Space', name: 's1', action: 'created' },
      ],
    },
    Err: null,
  });
  const bad = await dispatchRequest(
    registry,
    {
      method: 'KukeonV1.ApplyDocuments',
      params: [{ RawYAML: Buffer.from('kind: Nope\n').toString('base64') }],
      id: 8,
    },
    base,
  );
  const err = (bad.result as { Err: { Kind: string; Message: string } }).Err;
  assert.equal(err.Kind, 'Unknown');
  assert.equal(err.Message, 'validation failed:\n  document 0 (): document 0: unknown kind: Nope');
  assert.ok(registry.names().includes('Ping'));
});
