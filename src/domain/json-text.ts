/**
 * A value that is already JSON text. Hot list endpoints page through stored JSON and hand it to the
 * HTTP layer as is, skipping a parse and a re-serialization per item.
 */
export class JsonText {
  constructor(
    readonly text: string,
    /** For a list envelope: how many items its `data` holds. */
    readonly itemCount?: number,
  ) {}
}
