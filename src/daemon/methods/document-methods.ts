import { ErrorCode } from '../../error-codes.js';
import { ControllerError, type Controller } from '../../controller/index.js';
import { argBytesText, argRemoveFlags, argString } from './wire-args.js';
import type { MethodHandlers } from '../../protocol/method-types.js';

/**
 * ApplyDocuments, DeleteDocuments, RefreshAll. Parse/validation failures of a stream come back in
 * `Err` (nothing applied); per-document failures are inside `Resources`.
 */
export function documentHandlers(
  c: Controller,
): Pick<MethodHandlers, 'ApplyDocuments' | 'DeleteDocuments' | 'RefreshAll'> {
  return {
    ApplyDocuments: async (args) => {
      if (argString(args, 'Team') !== '') {
        throw new ControllerError(ErrorCode.NOT_SUPPORTED, 'team apply is not supported by this build');
      }
      return { Result: { Resources: await c.applyDocuments(argBytesText(args, 'RawYAML')) } };
    },
    DeleteDocuments: async (args) => {
      const flags = argRemoveFlags(args);
      return { Result: { Resources: await c.deleteDocuments(argBytesText(args, 'RawYAML'), flags) } };
    },
    RefreshAll: async () => ({ Result: await c.refreshAll() }),
  };
}
