import { readFile } from 'node:fs/promises';
import { parseServerConfiguration, type ServerConfiguration } from '../api/index.js';
import { ServerConfigurationError } from '../api/server-configuration.js';

/** Reads the configuration file; a missing file is "all defaults" (undefined). */
export async function loadConfigurationFile(path: string): Promise<ServerConfiguration | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServerConfigurationError(
      `load server configuration: read "${path}": ${(err as Error).message}: server configuration is invalid`,
    );
  }
  return parseServerConfiguration(text, path);
}
