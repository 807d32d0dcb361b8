/**
 * An item that arrived already encoded from another process. The owner's
 * queue stores it as it came and forwards the same bytes to remote
 * consumers; only a consumer in the owner's own thread decodes it.
 */
export class Encoded {
  constructor(readonly bytes: Uint8Array) {}
}
