/**
 * JoinableQueue task accounting: every accepted put opens a task, every
 * `taskDone` closes one, and joiners are released when none are open.
 *
 * Python counts `task_done()` against puts; rxmp counts it against items a
 * consumer actually got, which each handle checks before closing a task here.
 */
export class TaskLedger {
  private open = 0;
  private joiners: (() => void)[] = [];

  get unfinished(): number {
    return this.open;
  }

  opened(count = 1): void {
    this.open += count;
  }

  /** Closes `count` tasks; releases every joiner when none are left open. */
  closed(count = 1): void {
    if (count > this.open) {
      throw new RangeError(`taskDone() called too many times: ${count} done, ${this.open} unfinished`);
    }
    this.open -= count;
    if (this.open === 0 && this.joiners.length > 0) {
      const release = this.joiners;
      this.joiners = [];
      for (const j of release) j();
    }
  }

  /** Calls `release` when no task is open (at once if none is). Returns a canceller. */
  join(release: () => void): () => void {
    if (this.open === 0) {
      release();
      return noop;
    }
    this.joiners.push(release);
    return () => {
      const i = this.joiners.indexOf(release);
      if (i >= 0) this.joiners.splice(i, 1);
    };
  }
}

function noop(): void {}
