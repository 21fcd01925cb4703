import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import { osErrorText } from '../os-error-text.js';

export async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/**
 * The bytes of `-f`: a file, `-` for stdin, or a directory (its `.yaml`/`.yml`/`.json` files in
 * lexical order, joined as one `---` separated stream).
 */
export async function readManifest(path: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (path === '-') return readStream(stdin);
  try {
    if (statSync(path).isDirectory()) {
      const files = readdirSync(path)
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort();
      return Buffer.from(files.map((f) => readFileSync(join(path, f), 'utf8')).join('\n---\n'));
    }
    return readFileSync(path);
  } catch (err) {
    throw new CliError(
      cliErrorCodes.failed,
      `failed to open file ${q(path)}: ${osErrorText('open', path, err)}`,
    );
  }
}
