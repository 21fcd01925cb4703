import { CliError, cliErrorCodes } from '../cli-error.js';

/** `kuke get -o`: the table forms, the document forms, and `name` (`<kind>/<name>` lines). */
export type GetOutput = 'table' | 'wide' | 'yaml' | 'json' | 'name';

/** Parses `-o` case-insensitively; `''`/undefined is the table. */
export function parseGetOutput(raw: string | undefined): GetOutput {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return 'table';
  if (v === 'table' || v === 'wide' || v === 'yaml' || v === 'json' || v === 'name') return v;
  throw new CliError(
    cliErrorCodes.invalidOutput,
    `invalid output format: ${raw} (supported: yaml, json, table, wide, name)`,
  );
}

/** `apply -o` / `delete -f -o`: human (undefined) or a document form. */
export function parseDocOutput(raw: string | undefined): 'json' | 'yaml' | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = raw.toLowerCase();
  if (v === 'json' || v === 'yaml') return v;
  throw new CliError(
    cliErrorCodes.invalidOutput,
    `invalid --output ${JSON.stringify(raw)}: want json or yaml`,
  );
}
