import { CliError, cliErrorCodes, q } from '../cli-error.js';

/** One clause of a label selector. */
export type SelectorClause =
  | { op: 'eq'; key: string; value: string }
  | { op: 'ne'; key: string; value: string }
  | { op: 'exists'; key: string }
  | { op: 'absent'; key: string };

export type Selector = SelectorClause[];

function invalid(message: string): CliError {
  return new CliError(cliErrorCodes.invalidSelector, message);
}

function parseClause(raw: string): SelectorClause {
  const c = raw.trim();
  const ne = c.indexOf('!=');
  if (ne >= 0) {
    const key = c.slice(0, ne).trim();
    const value = c.slice(ne + 2).trim();
    if (key === '') throw invalid(`invalid selector clause ${q(c)}: empty key`);
    if (value === '') throw invalid(`invalid selector clause ${q(c)}: empty value after '!='`);
    return { op: 'ne', key, value };
  }
  const eq = c.indexOf('=');
  if (eq >= 0) {
    const key = c.slice(0, eq).trim();
    const value = c.slice(c.startsWith('==', eq) ? eq + 2 : eq + 1).trim();
    if (key === '') throw invalid(`invalid selector clause ${q(c)}: empty key`);
    if (value === '') throw invalid(`invalid selector clause ${q(c)}: empty value after '='`);
    return { op: 'eq', key, value };
  }
  if (c.startsWith('!')) {
    const key = c.slice(1).trim();
    if (key === '') throw invalid(`invalid selector clause ${q(c)}: empty key after '!'`);
    return { op: 'absent', key };
  }
  return { op: 'exists', key: c };
}

/** Parses `k=v,k!=v,k,!k` (AND of clauses); errors are raised before any RPC. */
export function parseSelector(text: string): Selector {
  return text.split(',').map((part) => {
    if (part.trim() === '') throw invalid(`invalid selector ${q(text)}: empty clause`);
    return parseClause(part);
  });
}

export function matchesSelector(
  selector: Selector,
  labels: Record<string, string> | null | undefined,
): boolean {
  const l = labels ?? {};
  return selector.every((c) => {
    const has = Object.prototype.hasOwnProperty.call(l, c.key);
    switch (c.op) {
      case 'eq':
        return has && l[c.key] === c.value;
      case 'ne':
        return !has || l[c.key] !== c.value;
      case 'exists':
        return has;
      case 'absent':
        return !has;
    }
  });
}
