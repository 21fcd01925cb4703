import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KukeonError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { KeyedMutex } from '../../store/keyed-mutex.js';
import { MethodRegistry } from './method-registry.js';
import { registerPing } from './ping-method.js';
import { PartialReplyError, dispatchRequest } from './request-dispatcher.js';

const base = { connectionId: 7, logger: silentLogger, locks: new KeyedMutex() };

function registry(): MethodRegistry {
  return new MethodRegistry()
    .register('Ping', () => ({ OK: true, Version: 'test' }))
    .register('Echo', (args: unknown, ctx) => ({ Args: args, Method: ctx.method, Id: ctx.requestId }))
    .register('Typed', (args: { Name: string }) => ({ Name: args.Name.toUpperCase() }), {
      parseArgs: (raw) => {
        const name = (raw as { Name?: unknown }).Name;
        if (typeof name !== 'string') throw new Error('Name must be a string');
        return { Name: name };
      },
    })
    .register('Fail', () => {
      throw new KukeonError('CELL_NOT_FOUND', 'cell "c" not found');
    })
    .register('Partial', () => {
      throw new PartialReplyError(
        { Deleted: ['cell:a'] },
        new KukeonError('RESOURCE_HAS_DEPENDENCIES', 'has children'),
      );
    })
    .register('Bug', () => {
      throw new TypeError('undefined is not a function');
    });
}

test('a successful call echoes the id and adds Err: null', async () => {
  const r = await dispatchRequest(registry(), { method: 'KukeonV1.Ping', params: [{}], id: 3 }, base);
  assert.deepEqual(r, { id: 3, result: { OK: true, Version: 'test', Err: null }, error: null });
});

test('the handler sees args and context; ids of any JSON type are echoed verbatim', async () => {
  const r = await dispatchRequest(registry(), { method: 'KukeonV1.Echo', params: [{ A: 1 }], id: 'x' }, base);
  assert.deepEqual(r.result, { Args: { A: 1 }, Method: 'KukeonV1.Echo', Id: 'x', Err: null });
  const noId = await dispatchRequest(registry(), { method: 'KukeonV1.Echo', params: [{}] }, base);
  assert.equal(noId.id, null);
});

test("transport errors carry Go net/rpc's texts", async () => {
  const reg = registry();
  const cases: [unknown, string][] = [
    [{ method: 'KukeonV1.Foo', params: [{}], id: 1 }, "rpc: can't find method KukeonV1.Foo"],
    [{ method: 'Other.Ping', params: [{}], id: 1 }, "rpc: can't find service Other.Ping"],
    [{ method: 'Ping', params: [{}], id: 1 }, 'rpc: service/method request ill-formed: Ping'],
    [{ method: 'KukeonV1.Ping', id: 1 }, 'jsonrpc: request body missing params'],
    [{ method: 'KukeonV1.Ping', params: null, id: 1 }, 'jsonrpc: request body missing params'],
    [
      { method: 'KukeonV1.Ping', params: {}, id: 1 },
      'rpc: bad params for KukeonV1.Ping: params must be a one-element array',
    ],
    [
      { method: 'KukeonV1.Ping', params: ['x'], id: 1 },
      'rpc: bad params for KukeonV1.Ping: args must be an object',
    ],
    [
      { method: 'KukeonV1.Typed', params: [{ Name: 3 }], id: 1 },
      'rpc: bad params for KukeonV1.Typed: Name must be a string',
    ],
    [{ method: 42, params: [{}], id: 1 }, 'rpc: server cannot decode request: method must be a string'],
  ];
  for (const [request, text] of cases) {
    const r = await dispatchRequest(reg, request, base);
    assert.deepEqual(r, { id: 1, result: null, error: text });
  }
  assert.equal(
    (await dispatchRequest(reg, [1], base)).error,
    'rpc: server cannot decode request: request is not an object',
  );
});

test('parsed args reach the handler; a missing params element is the zero value', async () => {
  const r = await dispatchRequest(
    registry(),
    { method: 'KukeonV1.Typed', params: [{ Name: 'web' }], id: 1 },
    base,
  );
  assert.deepEqual(r.result, { Name: 'WEB', Err: null });
  const empty = await dispatchRequest(registry(), { method: 'KukeonV1.Echo', params: [], id: 2 }, base);
  assert.deepEqual((empty.result as { Args: unknown }).Args, {});
});

test('handler errors become the Err envelope, not the error field', async () => {
  const r = await dispatchRequest(registry(), { method: 'KukeonV1.Fail', params: [{}], id: 5 }, base);
  assert.deepEqual(r, {
    id: 5,
    result: { Err: { Kind: 'CellNotFound', Message: 'cell "c" not found', Code: 'CELL_NOT_FOUND' } },
    error: null,
  });
  const bug = await dispatchRequest(registry(), { method: 'KukeonV1.Bug', params: [{}], id: 6 }, base);
  assert.deepEqual(bug.result, { Err: { Kind: 'Unknown', Message: 'undefined is not a function' } });
});

test('a partial reply is kept next to Err', async () => {
  const r = await dispatchRequest(registry(), { method: 'KukeonV1.Partial', params: [{}], id: 1 }, base);
  assert.deepEqual(r.result, {
    Deleted: ['cell:a'],
    Err: { Kind: 'ResourceHasDependencies', Message: 'has children', Code: 'RESOURCE_HAS_DEPENDENCIES' },
  });
});

test('registering a bad or duplicate name throws; names are listed', () => {
  const reg = registry();
  assert.throws(() => reg.register('Ping', () => ({})), /already registered/);
  assert.throws(() => reg.register('bad.name', () => ({})), /invalid RPC method name/);
  assert.deepEqual(reg.names(), ['Bug', 'Echo', 'Fail', 'Partial', 'Ping', 'Typed']);
});

test('ctx.locks serialises handlers on one key and not across keys', async () => {
  const order: string[] = [];
  const reg = new MethodRegistry().register('Work', async (args: { Key: string; Tag: string }, ctx) =>
    ctx.locks.run(args.Key, async () => {
      order.push(`start ${args.Tag}`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`end ${args.Tag}`);
      return {};
    }),
  );
  const call = (Key: string, Tag: string) =>
    dispatchRequest(reg, { method: 'KukeonV1.Work', params: [{ Key, Tag }], id: Tag }, base);
  await Promise.all([call('cell/a', 'a1'), call('cell/a', 'a2'), call('cell/b', 'b1')]);
  assert.deepEqual(order.slice(0, 2), ['start a1', 'start b1']);
  assert.ok(order.indexOf('start a2') > order.indexOf('end a1'), order.join(','));
});

test('registerPing answers OK and the version', async () => {
  const reg = registerPing(new MethodRegistry(), '1.2.3');
  const r = await dispatchRequest(reg, { method: 'KukeonV1.Ping', params: [{}], id: 0 }, base);
  assert.deepEqual(r.result, { OK: true, Version: '1.2.3', Err: null });
});

test('every call is logged at debug with its duration', async () => {
  const lines: Record<string, unknown>[] = [];
  const { pino } = await import('pino');
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  await dispatchRequest(registry(), { method: 'KukeonV1.Ping', params: [{}], id: 1 }, { ...base, logger });
  await dispatchRequest(registry(), { method: 'KukeonV1.Fail', params: [{}], id: 2 }, { ...base, logger });
  assert.deepEqual(
    lines.map((l) => [l.msg, l.method, typeof l.ms]),
    [
      ['rpc call', 'KukeonV1.Ping', 'number'],
      ['rpc handler failed', 'KukeonV1.Fail', 'number'],
    ],
  );
});
