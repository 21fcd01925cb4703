import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyMethodName, MethodArgs, MethodReply } from '../protocol/method-types.js';
import type { KukeonApi } from './api/kukeon-api.js';
import type { ApiClass, Output } from './context.js';
import { runKuke, type KukeIo } from './main.js';

/** A recorded call of the fake API. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  cls: ApiClass;
  noDaemon?: boolean;
}

export type Handler = (args: Record<string, unknown>) => unknown;

/** An API answering from a table of handlers, recording every call (unit tests only). */
export class FakeApi {
  readonly calls: RecordedCall[] = [];
  readonly classes: { cls: ApiClass; noDaemon?: boolean }[] = [];

  constructor(private readonly handlers: Record<string, Handler>) {}

  factory = (cls: ApiClass, noDaemon?: boolean): KukeonApi => {
    this.classes.push({ cls, noDaemon });
    return {
      mode: cls === 'in-process' ? 'in-process' : 'daemon',
      call: async <M extends AnyMethodName>(method: M, args: MethodArgs<M>): Promise<MethodReply<M>> => {
        this.calls.push({ method, args: args as Record<string, unknown>, cls, noDaemon });
        const h = this.handlers[method];
        if (!h) throw new Error(`rpc: can't find method KukeonV1.${method}`);
        return (await h(args as Record<string, unknown>)) as MethodReply<M>;
      },
      close: async () => {},
    };
  };

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

/** A client configuration path that does not exist (and is not the default, so it is not created). */
export const noConfig = join(tmpdir(), `kuke-test-no-config-${process.pid}.yaml`);

class Buffered implements Output {
  text = '';
  write(s: string): void {
    this.text += s;
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kuke <argv>` in this process with captured output and an optional fake API. */
export async function runCli(
  argv: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    api?: FakeApi;
    now?: Date;
    uid?: number;
    stdin?: NodeJS.ReadableStream;
  } = {},
): Promise<RunResult> {
  const out = new Buffered();
  const err = new Buffered();
  const io: KukeIo = {
    env: options.env ?? { KUKE_CONFIGURATION: noConfig },
    out,
    err,
    api: options.api?.factory,
    now: options.now ? () => options.now as Date : undefined,
    uid: options.uid === undefined ? undefined : () => options.uid as number,
    stdin: options.stdin,
  };
  const code = await runKuke(argv, io, '0.1.0-test');
  return { code, stdout: out.text, stderr: err.text };
}
