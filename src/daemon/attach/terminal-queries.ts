/**
 * Escape sequences by which a program asks its terminal something: the terminal answers by
 * typing the reply into the program's input. busybox ash asks for the cursor position (`ESC[6n`)
 * at every prompt. Replayed from the scrollback to a client that attaches later, each old query
 * would be answered again by the new terminal, and the shell would read replies it never asked
 * for as typed input (`^[[6;5R` on its command line). The replay drops them; live output keeps
 * them (the program is waiting for that answer).
 *
 * Dropped: DSR (`ESC[5n`, `ESC[6n`, `ESC[?6n` and other `n` reports), DA (`ESC[c`, `ESC[0c`,
 * `ESC[>c`, `ESC[=c`), window reports (`ESC[14t`, `ESC[18t`…), DECRQM (`ESC[?25$p`), XTVERSION
 * (`ESC[>q`) and OSC colour queries (`ESC]11;?BEL`).
 */
const QUERY = new RegExp(
  [
    '\\x1b\\[[?>=]?[\\d;]*[nc]', // DSR, DA
    '\\x1b\\[\\??[\\d;]*\\$p', // DECRQM
    '\\x1b\\[>[\\d;]*q', // XTVERSION
    '\\x1b\\[(?:1[1-9]|2[0-2])(?:;\\d*)*t', // window state and size reports
    '\\x1b\\](?:4;\\d+|1\\d);\\?(?:\\x07|\\x1b\\\\)', // OSC colour queries
  ].join('|'),
  'g',
);

/** `chunk` without terminal queries. */
export function withoutTerminalQueries(chunk: Buffer): Buffer {
  const text = chunk.toString('latin1');
  const out = text.replace(QUERY, '');
  return out.length === text.length ? chunk : Buffer.from(out, 'latin1');
}
