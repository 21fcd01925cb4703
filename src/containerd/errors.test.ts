import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { KukeonError } from '../errors.js';
import {
  ContainerdAlreadyExistsError,
  ContainerdError,
  ContainerdFailedPreconditionError,
  ContainerdInvalidArgumentError,
  ContainerdNotFoundError,
  ContainerdTimeoutError,
  ContainerdUnavailableError,
  fromGrpcError,
  isAlreadyExists,
  isNotFound,
  isUnavailable,
} from './errors.js';

function grpcError(code: number, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

test('gRPC codes map to typed errors with stable codes', () => {
  const cases: [number, new (...a: never[]) => ContainerdError, string][] = [
    [status.NOT_FOUND, ContainerdNotFoundError, 'CONTAINERD_NOT_FOUND'],
    [status.ALREADY_EXISTS, ContainerdAlreadyExistsError, 'CONTAINERD_ALREADY_EXISTS'],
    [status.FAILED_PRECONDITION, ContainerdFailedPreconditionError, 'CONTAINERD_FAILED_PRECONDITION'],
    [status.INVALID_ARGUMENT, ContainerdInvalidArgumentError, 'CONTAINERD_INVALID_ARGUMENT'],
    [status.UNAVAILABLE, ContainerdUnavailableError, 'CONTAINERD_UNAVAILABLE'],
    [status.DEADLINE_EXCEEDED, ContainerdTimeoutError, 'CONTAINERD_TIMEOUT'],
    [status.UNKNOWN, ContainerdError, 'CONTAINERD_ERROR'],
    [status.OUT_OF_RANGE, ContainerdError, 'CONTAINERD_ERROR'],
  ];
  for (const [code, cls, stable] of cases) {
    const err = fromGrpcError(grpcError(code, 'some details'), 'tasks.Create');
    assert.ok(err instanceof cls, `${status[code]} → ${cls.name}`);
    assert.ok(err instanceof KukeonError);
    assert.equal(err.code, stable);
    assert.equal(err.grpcCode, code);
    assert.equal(err.method, 'tasks.Create');
    assert.equal(err.details, 'some details');
  }
});

test('UNKNOWN keeps runc details; the message names the call', () => {
  const err = fromGrpcError(
    grpcError(status.UNKNOWN, 'OCI runtime create failed: exec: "x"'),
    'tasks.Create',
  );
  assert.equal(err.constructor, ContainerdError);
  assert.match(err.details, /OCI runtime create failed/);
  assert.match(err.message, /tasks\.Create/);
  assert.ok(err.cause instanceof Error);
});

test('UNAVAILABLE with a missing socket names the socket path', () => {
  const path = `/nonexistent-${process.pid}/containerd.sock`;
  const err = fromGrpcError(
    grpcError(status.UNAVAILABLE, 'No connection established'),
    'version.Version',
    path,
  );
  assert.ok(err instanceof ContainerdUnavailableError);
  assert.equal(err.socket, path);
  assert.match(err.message, /does not exist/);
  assert.ok(err.message.includes(path));
  assert.ok(isUnavailable(err));
  // Socket present (here: /): the message says unavailable, not missing.
  const err2 = fromGrpcError(grpcError(status.UNAVAILABLE, 'Connection dropped'), 'events.Subscribe', '/');
  assert.ok(err2 instanceof ContainerdUnavailableError);
  assert.doesNotMatch(err2.message, /does not exist/);
});

test('helpers test the class, non-gRPC errors become plain ContainerdErrors, mapping is idempotent', () => {
  const nf = fromGrpcError(grpcError(status.NOT_FOUND, 'x'), 'm');
  assert.ok(isNotFound(nf));
  assert.ok(!isAlreadyExists(nf));
  assert.ok(!isNotFound(new Error('not found')));
  assert.equal(fromGrpcError(nf, 'other'), nf);
  const plain = fromGrpcError(new TypeError('boom'), 'content.Write');
  assert.equal(plain.constructor, ContainerdError);
  assert.equal(plain.grpcCode, undefined);
  assert.match(plain.message, /boom/);
});
