import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullRequest } from '../../images/image-service.js';
import type { PullResult } from '../../images/index.js';
import type { EventInput } from '../../model/kukeon-event.js';
import type { Realm } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';
import { pullRealmImage } from './realm-images.js';

const realm = { metadata: { name: 'r1' }, spec: { namespace: 'r1.kukeon.io' } } as Realm;
const result: PullResult = {
  name: 'registry.test/app:1',
  target: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: 'sha256:aa', size: 1 },
  manifestDigest: 'sha256:bb',
  configDigest: 'sha256:cc',
  chainId: 'sha256:dd',
  record: 'created',
  blobsFetched: 3,
  bytesFetched: 4096,
  bytesResumed: 0,
  layersUnpacked: 1,
};

/** A context whose image service settles each pull as `outcome` says and records the events. */
function fakeContext(outcome: 'ok' | 'fail'): { ctx: RunnerContext; events: EventInput[] } {
  const events: EventInput[] = [];
  const images = {
    pull: (_ns: string, _ref: string, req: PullRequest) => {
      if (outcome === 'ok') {
        req.onSettled?.({ result });
        return Promise.resolve(result);
      }
      const error = new Error('manifest unknown');
      req.onSettled?.({ error });
      return Promise.reject(error);
    },
  };
  return {
    ctx: { images, events: { emit: (e: EventInput) => events.push(e) } } as unknown as RunnerContext,
    events,
  };
}

test('a pull is reported once as Pulled, with what it fetched', async () => {
  const { ctx, events } = fakeContext('ok');
  await pullRealmImage(ctx, realm, 'registry.test/app:1');
  assert.deepEqual(events, [
    {
      kind: 'Image',
      reason: 'Pulled',
      realm: 'r1',
      name: 'registry.test/app:1',
      message: 'pulled registry.test/app:1 (sha256:bb): 3 blob(s), 4096 bytes fetched, 1 layer(s) unpacked',
    },
  ]);
});

test('a failed pull is a PullFailed warning naming the reference and the cause', async () => {
  const { ctx, events } = fakeContext('fail');
  await assert.rejects(pullRealmImage(ctx, realm, 'registry.test/app:2'), /manifest unknown/);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'Warning');
  assert.equal(events[0].reason, 'PullFailed');
  assert.equal(events[0].message, 'pull registry.test/app:2: manifest unknown');
});
