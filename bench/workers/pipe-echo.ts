import type { Connection } from '../../src/index.js';

/** Sends every message straight back until the peer ends its stream. */
export default async function pipeEcho(conn: Connection<number>): Promise<void> {
  for await (const message of conn) await conn.send(message);
  await conn.close();
}
