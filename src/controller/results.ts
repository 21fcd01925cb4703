/**
 * Controller results: the resource plus "existed before / exists after / created"
 * facts, named as the original's result structs (and so as the kukeonv1 reply fields). "After"
 * facts are true on success, as in the original, except where noted.
 */
import type { Realm, Space, Stack } from '../model/resources.js';

// The facts themselves are shared with the wire replies: one definition, in the model.
export type * from '../model/operation-facts.js';

/** A resource with the facts of the operation that produced it. */
export interface Outcome<M, F> {
  resource: M;
  facts: F;
}

export type RealmOutcome<F> = Outcome<Realm, F>;
export type SpaceOutcome<F> = Outcome<Space, F>;
export type StackOutcome<F> = Outcome<Stack, F>;

/**
 * The create facts every scope shares (its metadata and cgroup, before and after), in reply key
 * order; the kind's own facts and `Created` follow.
 */
export const scopeCreateFacts = (r: {
  metadataExistedBefore: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}) => ({
  MetadataExistsPre: r.metadataExistedBefore,
  MetadataExistsPost: true,
  CgroupExistsPre: r.cgroupExistedBefore,
  CgroupExistsPost: true,
  CgroupCreated: r.cgroupCreated,
});

/** Flags of delete and purge. */
export interface RemoveFlags {
  force: boolean;
  cascade: boolean;
  /** `--timeout`: grace period of every task before SIGKILL (unset: each container's own). */
  graceMs?: number;
}

/** The grace override of a delete: `--force` kills at once, else `--timeout`, else unset. */
export const deleteGraceMs = (f: Pick<RemoveFlags, 'force' | 'graceMs'>): number | undefined =>
  f.force ? 0 : f.graceMs;
