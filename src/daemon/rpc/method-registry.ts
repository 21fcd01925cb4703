import type { Logger } from '../../log.js';
import type { KeyedMutex } from '../../store/keyed-mutex.js';
import { SERVICE_NAME, transportErrorText } from '../../protocol/wire.js';

/** What a handler learns about the call besides its args. */
export interface RpcContext {
  /** `KukeonV1.<Method>` */
  method: string;
  /** The request id as the client sent it. */
  requestId: unknown;
  /** Stable per connection, for logs. */
  connectionId: number;
  /** Child logger bound to method, request and connection. */
  logger: Logger;
  /**
   * Per-resource locks shared by every request of the daemon (and, when the entry point passes
   * the same instance to the controller, by its background loops): `ctx.locks.run(key, fn)`.
   */
  locks: KeyedMutex;
}

/** A handler returns the reply fields besides `Err`; throwing becomes the `Err` envelope. */
export type RpcHandler<A = unknown, R extends object = object> = (args: A, ctx: RpcContext) => Promise<R> | R;

export interface MethodOptions<A> {
  /**
   * Validates and converts the raw args object. Throwing makes it a transport error
   * (`rpc: bad params …` in the `error` field), like an undecodable params object in Go.
   */
  parseArgs?: (raw: unknown) => A;
}

export interface RegisteredMethod {
  name: string;
  handler: RpcHandler<unknown, object>;
  parseArgs?: (raw: unknown) => unknown;
}

export type MethodLookup = { method: RegisteredMethod } | { error: string };

/** The methods one service (`KukeonV1`) offers. */
export class MethodRegistry {
  readonly service: string;
  private readonly methods = new Map<string, RegisteredMethod>();

  constructor(service: string = SERVICE_NAME) {
    this.service = service;
  }

  register<A = unknown, R extends object = object>(
    name: string,
    handler: RpcHandler<A, R>,
    options: MethodOptions<A> = {},
  ): this {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name))
      throw new TypeError(`invalid RPC method name ${JSON.stringify(name)}`);
    if (this.methods.has(name))
      throw new TypeError(`RPC method ${this.service}.${name} is already registered`);
    this.methods.set(name, {
      name,
      handler: handler as RpcHandler<unknown, object>,
      parseArgs: options.parseArgs as ((raw: unknown) => unknown) | undefined,
    });
    return this;
  }

  /** Method names, without the service prefix. */
  names(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** Resolves `Service.Method` with Go `net/rpc`'s failure texts. */
  lookup(serviceMethod: string): MethodLookup {
    const dot = serviceMethod.lastIndexOf('.');
    if (dot < 0) return { error: transportErrorText.illFormed(serviceMethod) };
    if (serviceMethod.slice(0, dot) !== this.service)
      return { error: transportErrorText.cantFindService(serviceMethod) };
    const method = this.methods.get(serviceMethod.slice(dot + 1));
    return method ? { method } : { error: transportErrorText.cantFindMethod(serviceMethod) };
  }
}
