/** Lifecycle status fields shared by Realm, Space, Stack and Cell. */
import type { Timestamp } from './time.js';

export interface CommonStatus<S extends string> {
  state: S;
  cgroupPath: string;
  subtreeControllers?: string[];
  createdAt?: Timestamp;
  updatedAt?: Timestamp;
  readyAt?: Timestamp;
  reason?: string;
  message?: string;
  cgroupReady?: boolean;
  observedGeneration?: number;
}

/**
 * Stamping rule applied right before every persist: createdAt once, updatedAt always,
 * readyAt once the state is Ready.
 */
export function stampStatus<S extends string>(status: CommonStatus<S>, now: Timestamp, readyState: S): void {
  status.createdAt ??= now;
  status.updatedAt = now;
  if (status.readyAt === undefined && status.state === readyState) status.readyAt = now;
}
