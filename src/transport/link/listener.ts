import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Tree } from '../shm/tree.js';
import { SocketLink } from './socket-link.js';

/**
 * A Unix domain socket in a fresh private directory (mode 0700, so only this
 * user can even reach the socket) in the process tree's directory, removed
 * when the process or thread exits (or by its parent, or with the tree). Every accepted connection must prove the authkey before it is
 * handed on as a link.
 */
export class Listener {
  private constructor(
    readonly path: string,
    private readonly dir: string,
    private readonly server: net.Server,
    private readonly cleanup: () => void,
  ) {}

  static start(authkey: Uint8Array, onLink: (link: SocketLink) => void): Promise<Listener> {
    // In the process tree's directory, so that it goes with the tree even after a SIGKILL.
    const dir = mkdtempSync(join(Tree.get().dir, 'rxmp-'));
    chmodSync(dir, 0o700);
    const path = join(dir, 'broker.sock');
    const server = net.createServer((socket) => onLink(SocketLink.accept(socket, authkey)));
    const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
    process.once('exit', cleanup);
    return new Promise((resolve, reject) => {
      server.once('error', (error) => {
        process.off('exit', cleanup);
        cleanup();
        reject(error);
      });
      server.listen(path, () => {
        // Listening alone must not keep the process alive; the work it serves does.
        server.unref();
        resolve(new Listener(path, dir, server, cleanup));
      });
    });
  }

  close(): void {
    this.server.close();
    process.off('exit', this.cleanup);
    this.cleanup();
  }

  /** The private directory holding the socket (exposed for permission checks). */
  get directory(): string {
    return this.dir;
  }
}
