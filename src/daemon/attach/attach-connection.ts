import type { Socket } from 'node:net';
import { KukeonError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { TerminalTask } from '../../runner/terminal-host.js';
import {
  ATTACH_MAGIC,
  encodeFrame,
  exitPayload,
  FrameDecoder,
  FrameType,
  LineReader,
  parseResize,
  type AttachRequest,
} from '../../protocol/attach-frames.js';
import { toErrEnvelope } from '../../protocol/error-envelope.js';
import type { SessionClient } from './terminal-session.js';
import type { TerminalSessions } from './terminal-sessions.js';

export interface AttachBackend {
  /** Validates the request (cell, container, attachable, running) and says where the terminal is. */
  resolve(request: AttachRequest): Promise<TerminalTask>;
  sessions: TerminalSessions;
  logger: Logger;
}

/** A header line longer than this is not a client of ours. */
const MAX_HEADER_BYTES = 4096;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Output queued for a client that does not read; past it the client is dropped (it can re-attach). */
const MAX_QUEUED_OUTPUT_BYTES = 8 << 20;

class AttachRequestError extends KukeonError {
  constructor(message: string) {
    super('INVALID_ATTACH_REQUEST', message);
  }
}

function parseRequest(line: string): AttachRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new AttachRequestError('attach request is not JSON');
  }
  const r = raw as Record<string, unknown>;
  const text = (k: string): string => {
    const v = r[k];
    if (typeof v !== 'string' || v === '') throw new AttachRequestError(`attach request: ${k} is required`);
    return v;
  };
  const size = (k: string): number => {
    const v = r[k] ?? 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff)
      throw new AttachRequestError(`attach request: ${k} must be an integer 0..65535`);
    return v;
  };
  return {
    realm: text('realm'),
    space: text('space'),
    stack: text('stack'),
    cell: text('cell'),
    container: text('container'),
    cols: size('cols'),
    rows: size('rows'),
  };
}

/**
 * Serves one attach connection of the daemon socket: the handshake (magic line, request line,
 * answer line), then frames both ways between the client and the container's terminal session.
 * Closing the connection detaches; it never affects the workload.
 */
export function serveAttach(socket: Socket, firstChunk: Buffer, backend: AttachBackend): void {
  const log = backend.logger;
  const magic = Buffer.from(ATTACH_MAGIC);
  const header = new LineReader(MAX_HEADER_BYTES + magic.length);
  const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS).unref();
  let started = false;
  socket.on('error', (err) => log.debug({ err }, 'attach connection error'));

  const fail = (err: unknown): void => {
    clearTimeout(timer);
    if (!(err instanceof KukeonError)) log.warn({ err }, 'attach failed');
    socket.end(JSON.stringify({ error: toErrEnvelope(err) }) + '\n');
    socket.removeAllListeners('data');
    socket.resume();
  };

  const begin = async (request: AttachRequest, rest: Buffer): Promise<void> => {
    const task = await backend.resolve(request);
    const session = await backend.sessions.ensure(task);
    clearTimeout(timer);
    if (socket.destroyed) return;
    socket.write(JSON.stringify({ ok: true }) + '\n');
    const client: SessionClient = {
      output: (chunk) => {
        if (socket.destroyed) return;
        socket.write(encodeFrame(FrameType.Output, chunk));
        if (socket.writableLength > MAX_QUEUED_OUTPUT_BYTES) {
          log.warn({ container: task.containerdId }, 'attach client does not read its output; dropping it');
          socket.destroy();
        }
      },
      ended: (status) => {
        if (!socket.destroyed) socket.end(encodeFrame(FrameType.Exit, exitPayload(status)));
      },
    };
    const decoder = new FrameDecoder();
    const onFrames = (chunk: Buffer): void => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        log.debug({ err }, 'attach stream broken');
        socket.destroy();
        return;
      }
      for (const f of frames) {
        if (f.type === FrameType.Input) session.write(f.payload);
        else if (f.type === FrameType.Resize) {
          const size = parseResize(f.payload);
          if (size) void session.resize(size.cols, size.rows);
        }
      }
    };
    socket.on('close', () => session.detach(client));
    session.attach(client);
    // The client's size, and a SIGWINCH so full-screen programs redraw for the new client.
    if (request.cols > 0 && request.rows > 0) await session.resize(request.cols, request.rows);
    socket.removeAllListeners('data');
    socket.on('data', onFrames);
    if (rest.length) onFrames(rest);
  };

  const onData = (chunk: Buffer): void => {
    if (started) return;
    let got;
    try {
      got = header.push(chunk);
    } catch (err) {
      socket.destroy(err as Error);
      return;
    }
    if (!got) return;
    started = true;
    // The magic line first, then the request line.
    if (got.line + '\n' !== ATTACH_MAGIC) {
      socket.destroy();
      return;
    }
    const second = new LineReader(MAX_HEADER_BYTES);
    const onRequest = (more: Buffer): void => {
      let line;
      try {
        line = second.push(more);
      } catch (err) {
        socket.destroy(err as Error);
        return;
      }
      if (!line) return;
      socket.removeAllListeners('data');
      socket.pause();
      let request: AttachRequest;
      try {
        request = parseRequest(line.line);
      } catch (err) {
        fail(err);
        return;
      }
      begin(request, line.rest).then(
        () => socket.resume(),
        (err: unknown) => fail(err),
      );
    };
    socket.removeAllListeners('data');
    socket.on('data', onRequest);
    onRequest(got.rest);
  };
  socket.on('data', onData);
  onData(firstChunk);
}
