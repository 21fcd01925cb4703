import { connect, type Socket } from 'node:net';
import { fromErrEnvelope } from '../protocol/error-envelope.js';
import {
  ATTACH_MAGIC,
  encodeFrame,
  FrameDecoder,
  FrameType,
  LineReader,
  resizePayload,
  type AttachRequest,
} from '../protocol/attach-frames.js';
import { KukeonError } from '../errors.js';
import { clientErrorCodes, dialError } from './daemon-client-errors.js';

/** How an attach ended: the workload exited, the daemon hung up, or we detached. */
export type AttachEnd =
  { kind: 'exited'; exitStatus: number | undefined } | { kind: 'hangup' } | { kind: 'detached' };

export interface AttachStream {
  /** Bytes for the terminal (a paste is split into frames of at most 64 KiB). */
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  /** Leaves the session (the workload keeps running). */
  detach(): void;
  /** Resolves once when the attach ends, whichever way. */
  readonly ended: Promise<AttachEnd>;
}

const INPUT_FRAME_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens an attach session on the daemon socket: the handshake of protocol/attach-frames.ts,
 * then output frames go to `onOutput`. Rejects with the daemon's error (same codes and text as
 * an RPC reply) when the container cannot be attached.
 */
export function openAttach(
  socketPath: string,
  request: AttachRequest,
  onOutput: (chunk: Buffer) => void,
): Promise<AttachStream> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ path: socketPath });
    let settled = false;
    const timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error('i/o timeout');
      err.code = 'ETIMEDOUT';
      socket.destroy();
      if (!settled) reject(dialError(socketPath, err));
      settled = true;
    }, CONNECT_TIMEOUT_MS);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!settled) reject(dialError(socketPath, err));
      settled = true;
    });
    socket.once('connect', () => {
      socket.write(ATTACH_MAGIC + JSON.stringify(request) + '\n');
    });
    const answer = new LineReader(64 * 1024);
    const onAnswer = (chunk: Buffer): void => {
      let got;
      try {
        got = answer.push(chunk);
      } catch (err) {
        socket.destroy();
        reject(
          new KukeonError(
            clientErrorCodes.protocol,
            `bad attach answer from kukeond: ${(err as Error).message}`,
          ),
        );
        settled = true;
        return;
      }
      if (!got) return;
      clearTimeout(timer);
      socket.off('data', onAnswer);
      let parsed: { ok?: boolean; error?: unknown };
      try {
        parsed = JSON.parse(got.line) as typeof parsed;
      } catch {
        parsed = {};
      }
      if (parsed.ok !== true) {
        socket.destroy();
        settled = true;
        reject(
          parsed.error
            ? fromErrEnvelope(parsed.error, {})
            : new KukeonError(clientErrorCodes.protocol, `bad attach answer from kukeond: ${got.line}`),
        );
        return;
      }
      settled = true;
      resolve(stream(socket, got.rest, onOutput));
    };
    socket.on('data', onAnswer);
    socket.once('close', () => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(new KukeonError(clientErrorCodes.connectionLost, 'kukeond closed the attach connection'));
      }
    });
  });
}

function stream(socket: Socket, rest: Buffer, onOutput: (chunk: Buffer) => void): AttachStream {
  let end: AttachEnd | undefined;
  let finish: (e: AttachEnd) => void = () => undefined;
  const ended = new Promise<AttachEnd>((resolve) => {
    finish = (e) => {
      end ??= e;
      resolve(end);
    };
  });
  const decoder = new FrameDecoder();
  const onData = (chunk: Buffer): void => {
    let frames;
    try {
      frames = decoder.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const f of frames) {
      if (f.type === FrameType.Output) onOutput(f.payload);
      else if (f.type === FrameType.Exit) {
        const status = f.payload.length === 4 ? f.payload.readInt32BE(0) : -1;
        finish({ kind: 'exited', exitStatus: status < 0 ? undefined : status });
      }
    }
  };
  socket.on('data', onData);
  socket.on('error', () => undefined);
  socket.once('close', () => finish({ kind: 'hangup' }));
  if (rest.length) onData(rest);
  return {
    write(data) {
      for (let i = 0; i < data.length; i += INPUT_FRAME_BYTES)
        socket.write(encodeFrame(FrameType.Input, data.subarray(i, i + INPUT_FRAME_BYTES)));
    },
    resize(cols, rows) {
      if (cols > 0 && rows > 0) socket.write(encodeFrame(FrameType.Resize, resizePayload(cols, rows)));
    },
    detach() {
      finish({ kind: 'detached' });
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    },
    ended,
  };
}
