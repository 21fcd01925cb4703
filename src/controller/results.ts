/**
 * Controller results: the resource plus "existed before / exists after / created"
 * facts, named as the original's result structs (and so as the kukeonv1 reply fields). "After"
 * facts are true on success, as in the original, except where noted.
 */
import type { Realm, Space, Stack } from '../model/resources.js';

export interface CreateRealmFacts {
  MetadataExistsPre: boolean;
  MetadataExistsPost: boolean;
  CgroupExistsPre: boolean;
  CgroupExistsPost: boolean;
  CgroupCreated: boolean;
  ContainerdNamespaceExistsPre: boolean;
  ContainerdNamespaceExistsPost: boolean;
  ContainerdNamespaceCreated: boolean;
  Created: boolean;
}

export interface CreateSpaceFacts {
  MetadataExistsPre: boolean;
  MetadataExistsPost: boolean;
  CgroupExistsPre: boolean;
  CgroupExistsPost: boolean;
  CgroupCreated: boolean;
  CNINetworkExistsPre: boolean;
  CNINetworkExistsPost: boolean;
  CNINetworkCreated: boolean;
  Created: boolean;
}

export interface CreateStackFacts {
  MetadataExistsPre: boolean;
  MetadataExistsPost: boolean;
  CgroupExistsPre: boolean;
  CgroupExistsPost: boolean;
  CgroupCreated: boolean;
  Created: boolean;
}

export interface GetRealmFacts {
  MetadataExists: boolean;
  CgroupExists: boolean;
  ContainerdNamespaceExists: boolean;
}

export interface GetSpaceFacts {
  MetadataExists: boolean;
  CgroupExists: boolean;
  CNINetworkExists: boolean;
}

export interface GetStackFacts {
  MetadataExists: boolean;
  CgroupExists: boolean;
}

export interface DeleteRealmFacts {
  Deleted: string[];
  MetadataDeleted: boolean;
  CgroupDeleted: boolean;
  ContainerdNamespaceDeleted: boolean;
}

export interface DeleteSpaceFacts {
  SpaceName: string;
  RealmName: string;
  MetadataDeleted: boolean;
  CgroupDeleted: boolean;
  CNINetworkDeleted: boolean;
  Deleted: string[];
}

export interface DeleteStackFacts {
  StackName: string;
  RealmName: string;
  SpaceName: string;
  MetadataDeleted: boolean;
  CgroupDeleted: boolean;
  Deleted: string[];
}

export interface PurgeRealmFacts {
  RealmDeleted: boolean;
  PurgeSucceeded: boolean;
  Force: boolean;
  Cascade: boolean;
  Deleted: string[];
  Purged: string[];
}

export interface PurgeSpaceFacts {
  MetadataDeleted: boolean;
  CgroupDeleted: boolean;
  CNINetworkDeleted: boolean;
  PurgeSucceeded: boolean;
  Force: boolean;
  Cascade: boolean;
  Deleted: string[];
  Purged: string[];
}

export interface PurgeStackFacts {
  Deleted: string[];
  Purged: string[];
}

/** A resource with the facts of the operation that produced it. */
export interface Outcome<M, F> {
  resource: M;
  facts: F;
}

export type RealmOutcome<F> = Outcome<Realm, F>;
export type SpaceOutcome<F> = Outcome<Space, F>;
export type StackOutcome<F> = Outcome<Stack, F>;

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
