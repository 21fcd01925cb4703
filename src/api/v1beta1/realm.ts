/** Realm. */
import { z } from 'zod';
import { bool, list, obj, str, struct } from './fields.js';
import { commonStatusShape, resourceMetadata } from './common.js';

export const registryCredentialsSchema = obj({
  username: str(),
  password: str('omit'),
  serverAddress: str('omit'),
  passwordSecret: str('omit'),
});

export const realmDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: resourceMetadata(),
  spec: struct({ namespace: str(), registryCredentials: list(registryCredentialsSchema, 'omit') }),
  status: struct({ ...commonStatusShape('realm', true), containerdNamespaceReady: bool('omit') }),
});
export type RealmDoc = z.output<typeof realmDocSchema>;
