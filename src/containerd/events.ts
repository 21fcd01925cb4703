import { type Any, type Timestamp, timestampToDate } from './types.js';
import { anyTypeName, decodeProtoAny } from './any.js';

export interface ContainerdEvent {
  namespace: string;
  /** e.g. `/tasks/exit`, `/containers/delete`, `/images/delete`. */
  topic: string;
  timestamp: Date | undefined;
  /** Payload type, e.g. `containerd.events.TaskExit`. */
  type: string;
  /** Decoded payload (snake_case fields); undefined for a type our protos don't define. */
  payload: Record<string, unknown> | undefined;
}

export interface TaskExitPayload {
  container_id: string;
  /** = container_id for the init process, the exec id otherwise. */
  id: string;
  pid: number;
  exit_status: number;
  exited_at: Timestamp | null;
}

export interface TaskStartPayload {
  container_id: string;
  pid: number;
}

export interface TaskDeletePayload {
  container_id: string;
  pid: number;
  exit_status: number;
  exited_at: Timestamp | null;
  id: string;
}

export interface TaskOOMPayload {
  container_id: string;
}

interface WireEnvelope {
  timestamp: Timestamp | null;
  namespace: string;
  topic: string;
  event: Any | null;
}

export function decodeEnvelope(env: WireEnvelope): ContainerdEvent {
  return {
    namespace: env.namespace,
    topic: env.topic,
    timestamp: timestampToDate(env.timestamp),
    type: env.event ? anyTypeName(env.event) : '',
    payload: env.event ? decodeProtoAny(env.event) : undefined,
  };
}

/** Typed view of a `/tasks/exit` event, or undefined for any other event. */
export function asTaskExit(ev: ContainerdEvent): TaskExitPayload | undefined {
  return ev.type === 'containerd.events.TaskExit' ? (ev.payload as unknown as TaskExitPayload) : undefined;
}

export function asTaskStart(ev: ContainerdEvent): TaskStartPayload | undefined {
  return ev.type === 'containerd.events.TaskStart' ? (ev.payload as unknown as TaskStartPayload) : undefined;
}

export function asTaskDelete(ev: ContainerdEvent): TaskDeletePayload | undefined {
  return ev.type === 'containerd.events.TaskDelete'
    ? (ev.payload as unknown as TaskDeletePayload)
    : undefined;
}

export function asTaskOOM(ev: ContainerdEvent): TaskOOMPayload | undefined {
  return ev.type === 'containerd.events.TaskOOM' ? (ev.payload as unknown as TaskOOMPayload) : undefined;
}

/** Filter for one namespace's task events (Subscribe is NOT limited by the namespace header). */
export function taskEventsFilter(namespace: string): string {
  return `namespace==${namespace},topic~="^/tasks/"`;
}
