/** One `WWW-Authenticate` challenge: scheme (lower case) and its parameters (keys lower case). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

const tokenChar = /[\w!#$%&'*+.^`|~-]/;

/**
 * Parses `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`
 * (RFC 7235: quoted values may hold commas and escapes). Several challenges, in one header or
 * several, are returned in order.
 */
export function parseAuthChallenges(header: string | string[] | undefined): AuthChallenge[] {
  const headers = Array.isArray(header) ? header : header ? [header] : [];
  const out: AuthChallenge[] = [];
  for (const h of headers) {
    let i = 0;
    let cur: AuthChallenge | undefined;
    const skip = (re: RegExp): void => {
      while (i < h.length && re.test(h[i])) i++;
    };
    const token = (): string => {
      const start = i;
      skip(tokenChar);
      return h.slice(start, i);
    };
    while (i < h.length) {
      skip(/[\s,]/);
      const word = token();
      if (!word) break;
      skip(/\s/);
      if (h[i] !== '=') {
        cur = { scheme: word.toLowerCase(), params: {} };
        out.push(cur);
        continue;
      }
      i++;
      skip(/\s/);
      let value = '';
      if (h[i] === '"') {
        i++;
        while (i < h.length && h[i] !== '"') {
          if (h[i] === '\\') i++;
          value += h[i] ?? '';
          i++;
        }
        i++;
      } else {
        const start = i;
        skip(/[^,\s]/);
        value = h.slice(start, i);
      }
      if (cur) cur.params[word.toLowerCase()] = value;
    }
  }
  return out;
}
