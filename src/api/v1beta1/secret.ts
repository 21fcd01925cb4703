/** Secret. No labels, no status. */
import { z } from 'zod';
import { str, struct } from './fields.js';

export const secretDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({ name: str(), realm: str(), space: str('omit'), stack: str('omit'), cell: str('omit') }),
  spec: struct({ data: str() }),
});
export type SecretDoc = z.output<typeof secretDocSchema>;
