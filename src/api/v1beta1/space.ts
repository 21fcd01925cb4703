/** Space and its container defaults. */
import { z } from 'zod';
import { boolPtr, int, list, obj, str, struct } from './fields.js';
import { commonStatusShape, resourceMetadata } from './common.js';
import { capabilitiesSchema, resourcesSchema, tmpfsMountSchema } from './container.js';

export const egressAllowRuleSchema = obj({
  host: str('omit'),
  cidr: str('omit'),
  ports: list(int(), 'omit'),
});

export const egressPolicySchema = obj(
  { default: str('omit'), allow: list(egressAllowRuleSchema, 'omit') },
  'omit',
);

/** `readOnlyRootFilesystem` is optional here (unset differs from false). */
export const spaceContainerDefaultsSchema = obj(
  {
    user: str('omit'),
    readOnlyRootFilesystem: boolPtr(),
    capabilities: capabilitiesSchema,
    securityOpts: list(str(), 'omit'),
    tmpfs: list(tmpfsMountSchema(), 'omit'),
    resources: resourcesSchema,
  },
  'omit',
);

export const spaceDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: resourceMetadata(),
  spec: struct({
    realmId: str(),
    cniConfigPath: str('omit'),
    network: obj({ egress: egressPolicySchema, isolation: str('omit') }, 'omit'),
    defaults: obj({ container: spaceContainerDefaultsSchema }, 'omit'),
  }),
  status: struct(commonStatusShape('space', true)),
});
export type SpaceDoc = z.output<typeof spaceDocSchema>;
