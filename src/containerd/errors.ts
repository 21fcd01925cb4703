import { ErrorCode } from '../error-codes.js';
import { existsSync } from 'node:fs';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { KukeonError } from '../errors.js';

export interface ContainerdErrorInfo {
  /** gRPC status code (numeric, see @grpc/grpc-js `status`), undefined for client-side failures. */
  grpcCode?: number;
  /** containerd's own message (gRPC `details`); runtime/runc failures put runc's text here. */
  details?: string;
  /** `Service/Method` that failed, e.g. `Tasks/Create`. */
  method?: string;
  cause?: unknown;
}

/** Any failure talking to containerd. Subclasses narrow it down by gRPC status. */
export class ContainerdError extends KukeonError {
  readonly grpcCode?: number;
  readonly details: string;
  readonly method?: string;

  constructor(message: string, info: ContainerdErrorInfo = {}, code: string = ErrorCode.CONTAINERD_ERROR) {
    super(code, message, { cause: info.cause });
    this.grpcCode = info.grpcCode;
    this.details = info.details ?? '';
    this.method = info.method;
  }
}

export class ContainerdNotFoundError extends ContainerdError {
  constructor(message: string, info: ContainerdErrorInfo = {}) {
    super(message, info, ErrorCode.CONTAINERD_NOT_FOUND);
  }
}

export class ContainerdAlreadyExistsError extends ContainerdError {
  constructor(message: string, info: ContainerdErrorInfo = {}) {
    super(message, info, ErrorCode.CONTAINERD_ALREADY_EXISTS);
  }
}

export class ContainerdFailedPreconditionError extends ContainerdError {
  constructor(message: string, info: ContainerdErrorInfo = {}) {
    super(message, info, ErrorCode.CONTAINERD_FAILED_PRECONDITION);
  }
}

export class ContainerdInvalidArgumentError extends ContainerdError {
  constructor(message: string, info: ContainerdErrorInfo = {}) {
    super(message, info, ErrorCode.CONTAINERD_INVALID_ARGUMENT);
  }
}

/** The daemon cannot be reached (socket missing, daemon stopped or restarting) or a ref is locked. */
export class ContainerdUnavailableError extends ContainerdError {
  readonly socket?: string;
  constructor(message: string, info: ContainerdErrorInfo & { socket?: string } = {}) {
    super(message, info, ErrorCode.CONTAINERD_UNAVAILABLE);
    this.socket = info.socket;
  }
}

/** Refused client-side: deleting a container whose task still runs breaks containerd. */
export class ContainerdTaskAliveError extends ContainerdError {
  constructor(message: string, info: ContainerdErrorInfo = {}) {
    super(message, info, ErrorCode.CONTAINERD_TASK_ALIVE);
  }
}

/** A client-side deadline (e.g. waiting for a task to exit) passed. */
export class ContainerdTimeoutError extends ContainerdError {
  constructor(message: string, info: ContainerdErrorInfo = {}) {
    super(message, info, ErrorCode.CONTAINERD_TIMEOUT);
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * Maps a grpc-js error to a typed ContainerdError. `socket` lets a connection failure name the
 * socket path and say whether it exists, which is the usual cause.
 */
export function fromGrpcError(err: unknown, method: string, socket?: string): ContainerdError {
  if (err instanceof ContainerdError) return err;
  if (!isServiceError(err)) {
    const msg = err instanceof Error ? err.message : String(err);
    return new ContainerdError(`containerd ${method}: ${msg}`, { method, cause: err });
  }
  const details = err.details ?? '';
  const info: ContainerdErrorInfo = { grpcCode: err.code, details, method, cause: err };
  const what = `containerd ${method}: ${details || GrpcStatus[err.code]}`;
  switch (err.code) {
    case GrpcStatus.NOT_FOUND:
      return new ContainerdNotFoundError(what, info);
    case GrpcStatus.ALREADY_EXISTS:
      return new ContainerdAlreadyExistsError(what, info);
    case GrpcStatus.FAILED_PRECONDITION:
      return new ContainerdFailedPreconditionError(what, info);
    case GrpcStatus.INVALID_ARGUMENT:
      return new ContainerdInvalidArgumentError(what, info);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new ContainerdTimeoutError(`containerd ${method}: no answer before the deadline`, info);
    case GrpcStatus.UNAVAILABLE: {
      if (socket !== undefined && !existsSync(socket)) {
        return new ContainerdUnavailableError(
          `containerd socket ${socket} does not exist: is containerd running with this address? (${method})`,
          { ...info, socket },
        );
      }
      const where = socket !== undefined ? ` at ${socket}` : '';
      return new ContainerdUnavailableError(`containerd${where} unavailable: ${method}: ${details}`, {
        ...info,
        socket,
      });
    }
    default:
      return new ContainerdError(what, info);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ContainerdNotFoundError;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ContainerdAlreadyExistsError;
}

export function isFailedPrecondition(err: unknown): boolean {
  return err instanceof ContainerdFailedPreconditionError;
}

export function isUnavailable(err: unknown): boolean {
  return err instanceof ContainerdUnavailableError;
}

/**
 * containerd lost its connection to the task's shim mid-call ("ttrpc: closed"): the shim exited,
 * e.g. a cell's shared shim once its last task was deleted while another Delete was in flight.
 */
export function isShimConnectionClosed(err: unknown): boolean {
  return err instanceof ContainerdError && /ttrpc: closed/.test(err.message);
}
