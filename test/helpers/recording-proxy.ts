/**
 * A unix-socket proxy between `kuke` and kukeond that keeps every byte kukeond sent back: what a
 * test searches for a secret that must be in no RPC reply (docs/secrets.md, docs/images.md).
 */
import { createConnection, createServer } from 'node:net';

export interface RecordingProxy {
  /** The proxy's socket: point kuke's KUKEON_HOST at `unix://<socket>`. */
  socket: string;
  /** Every reply byte so far, as text. */
  replies(): string;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstreamSocket: string, socket: string): Promise<RecordingProxy> {
  const replies: Buffer[] = [];
  const proxy = createServer((client) => {
    const upstream = createConnection(upstreamSocket);
    client.pipe(upstream);
    upstream.on('data', (b: Buffer) => replies.push(Buffer.from(b)));
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(socket, r));
  return {
    socket,
    replies: () => Buffer.concat(replies).toString('utf8'),
    close: () => new Promise<void>((r) => proxy.close(() => r())),
  };
}
