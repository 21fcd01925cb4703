/**
 * A non-string YAML scalar together with its source text. Go's YAML decoder lets any scalar fill a
 * string field using the text as written (`user: 1000` → "1000", `image: 3.9` → "3.9"), while
 * integer and bool fields take the resolved value. Keeping both lets each schema leaf choose.
 * JSON input never produces these (Go's JSON decoder is strict about types, and so are we).
 */
export class RawScalar {
  constructor(
    readonly value: number | boolean | bigint,
    readonly source: string,
  ) {}
}
