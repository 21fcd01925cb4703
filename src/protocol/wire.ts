/**
 * kukeonv1 wire shapes and the transport-level error texts. The texts are Go
 * `net/rpc`'s, so a Go client and our client read the same thing. Shared by daemon and client.
 */

export const SERVICE_NAME = 'KukeonV1';

/** `{"method":"KukeonV1.<M>","params":[args],"id":n}` */
export interface RpcRequest {
  method: string;
  params: [unknown];
  id: number;
}

/** `{"id":n,"result":…,"error":null}`; `error` is a transport failure, never an application one. */
export interface RpcResponse {
  id: unknown;
  result: unknown;
  error: string | null;
}

export const transportErrorText = {
  illFormed: (serviceMethod: string) => `rpc: service/method request ill-formed: ${serviceMethod}`,
  cantFindService: (serviceMethod: string) => `rpc: can't find service ${serviceMethod}`,
  cantFindMethod: (serviceMethod: string) => `rpc: can't find method ${serviceMethod}`,
  missingParams: 'jsonrpc: request body missing params',
  badParams: (serviceMethod: string, reason: string) => `rpc: bad params for ${serviceMethod}: ${reason}`,
  cannotDecode: (reason: string) => `rpc: server cannot decode request: ${reason}`,
  shuttingDown: 'rpc: server is shutting down',
  readTimeout: (ms: number) => `rpc: request not received completely within ${ms}ms`,
  bufferBudget: 'rpc: server is out of request buffer space, retry later',
  unserializable: (reason: string) => `rpc: reply cannot be encoded: ${reason}`,
} as const;

/** Serialises one wire object the conventional way: JSON followed by a newline. */
export function encodeFrame(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
