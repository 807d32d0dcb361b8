import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mutual HMAC challenge–response, as Python's multiprocessing.connection
 * does: each side proves it knows the authkey without sending it, and each
 * nonce is fresh so an answer cannot be replayed.
 *
 *   listener → client   GREETING (magic + 32-byte nonce)
 *   client → listener   HMAC(authkey, listener nonce) + 32-byte client nonce
 *   listener → client   HMAC(authkey, client nonce)          (or it hangs up)
 *
 * No frame is read from a client before its answer has been verified.
 */
export const MAGIC = Buffer.from('RXMP/1 ');
export const NONCE_BYTES = 32;
export const DIGEST_BYTES = 32;
export const GREETING_BYTES = MAGIC.byteLength + NONCE_BYTES;
export const ANSWER_BYTES = DIGEST_BYTES + NONCE_BYTES;

export function nonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

export function digest(authkey: Uint8Array, challenge: Uint8Array): Buffer {
  return createHmac('sha256', authkey).update(challenge).digest();
}

export function verify(authkey: Uint8Array, challenge: Uint8Array, answer: Uint8Array): boolean {
  const expected = digest(authkey, challenge);
  return answer.byteLength === expected.byteLength && timingSafeEqual(expected, answer);
}

export function greeting(challenge: Buffer): Buffer {
  return Buffer.concat([MAGIC, challenge]);
}

/** The listener nonce inside a greeting, or `undefined` if it is not one. */
export function readGreeting(bytes: Buffer): Buffer | undefined {
  if (bytes.byteLength !== GREETING_BYTES || !bytes.subarray(0, MAGIC.byteLength).equals(MAGIC)) return undefined;
  return bytes.subarray(MAGIC.byteLength);
}
