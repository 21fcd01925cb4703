/**
 * What an operation on a resource found and did: the "existed before / exists after / created"
 * facts, named as the original's result structs and so as the kukeonv1 reply fields. The
 * controller returns them and the wire replies carry them next to the document, so both read
 * them from here. "After" facts are true on success, except where noted.
 */

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

export interface CreateCellFacts {
  MetadataExistsPre: boolean;
  MetadataExistsPost: boolean;
  CgroupExistsPre: boolean;
  CgroupExistsPost: boolean;
  CgroupCreated: boolean;
  RootContainerExistsPre: boolean;
  RootContainerExistsPost: boolean;
  RootContainerCreated: boolean;
  StartedPre: boolean;
  StartedPost: boolean;
  Started: boolean;
  Created: boolean;
  Containers: { Name: string; ExistsPre: boolean; ExistsPost: boolean; Created: boolean }[];
}

export interface RefreshAllReport {
  RealmsFound: string[];
  SpacesFound: string[];
  StacksFound: string[];
  CellsFound: string[];
  ContainersFound: string[];
  RealmsUpdated: string[];
  SpacesUpdated: string[];
  StacksUpdated: string[];
  CellsUpdated: string[];
  ContainersUpdated: string[];
  Errors: string[];
}

export type ApplyAction = 'created' | 'updated' | 'unchanged' | 'failed';

/** One line of the apply reply (lower-case keys as printed by `-o json`). */
export interface ApplyResult {
  index: number;
  kind: string;
  name: string;
  action: ApplyAction;
  error?: string;
  changes?: string[];
  details?: Record<string, string>;
}

export type DeleteAction = 'deleted' | 'not found' | 'failed';

export interface DeleteResult {
  index: number;
  kind: string;
  name: string;
  action: DeleteAction;
  error?: string;
  /** Children a cascade removed (`space:<n>`, `stack:<n>`, `cell:<n>`). */
  cascaded?: string[];
  details?: Record<string, string>;
}
