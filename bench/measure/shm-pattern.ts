/**
 * The 1 MiB both sides of the shared-memory row write and expect, chunk after
 * chunk: byte i is i mod 251 (a prime, so the pattern does not line up with
 * chunks or pages). bench/python/mp_shared.py builds the same bytes.
 */
export const CHUNK = 1 << 20;

export function pattern(): Uint8Array {
  const chunk = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) chunk[i] = i % 251;
  return chunk;
}
