import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerdClient } from '../containerd/client.js';
import { ImageService } from './image-service.js';

test('pulls of one image that join a download in progress are reported once, by the first', async () => {
  // Nothing listens on port 1 and the client has no services: the download fails at once.
  const images = new ImageService({} as ContainerdClient, { snapshotter: 'overlayfs' });
  const told: string[] = [];
  const ref = '127.0.0.1:1/app:1';
  const first = images.pull('ns', ref, {
    onSettled: (o) => told.push('error' in o ? 'first failed' : 'first'),
  });
  const second = images.pull('ns', ref, { onSettled: () => told.push('second') });
  await assert.rejects(first);
  await assert.rejects(second);
  assert.deepEqual(told, ['first failed']);
  await images.close();
});
