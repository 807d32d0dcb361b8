import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * One waiting caller. The node is also the caller's ticket: cancelling removes
 * it in O(1), wherever it sits in the list.
 */
export interface WaitNode<W> {
  readonly waiter: W;
  /** Pending deadline, if the wait has a finite timeout. */
  deadline: Subscription | undefined;
  prev: WaitNode<W> | undefined;
  next: WaitNode<W> | undefined;
  /** False once the node has left the list (settled, expired or cancelled). */
  linked: boolean;
}

/** A FIFO of waiting callers with O(1) append, shift and removal from the middle. */
export class WaitList<W> {
  private head: WaitNode<W> | undefined;
  private tail: WaitNode<W> | undefined;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(waiter: W): WaitNode<W> {
    const node: WaitNode<W> = { waiter, deadline: undefined, prev: this.tail, next: undefined, linked: true };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count++;
    return node;
  }

  /**
   * Arms a deadline for `node`: after `timeout` ms on `scheduler`, the node is
   * removed and `onExpire` runs. Settling or cancelling first disarms it.
   */
  expireAfter(node: WaitNode<W>, timeout: number, scheduler: SchedulerLike, onExpire: (waiter: W) => void): void {
    node.deadline = scheduler.schedule(() => {
      node.deadline = undefined;
      if (this.remove(node)) onExpire(node.waiter);
    }, timeout);
  }

  shift(): W | undefined {
    const node = this.head;
    if (!node) return undefined;
    this.remove(node);
    return node.waiter;
  }

  peek(): W | undefined {
    return this.head?.waiter;
  }

  /** Every waiter, oldest first (do not change the list while iterating). */
  *values(): IterableIterator<W> {
    for (let node = this.head; node; node = node.next) yield node.waiter;
  }

  /** The oldest node whose waiter matches, left in place. */
  find(matches: (waiter: W) => boolean): WaitNode<W> | undefined {
    for (let node = this.head; node; node = node.next) if (matches(node.waiter)) return node;
    return undefined;
  }

  /** Removes `node` if it is still waiting; returns whether it was. */
  remove(node: WaitNode<W>): boolean {
    if (!node.linked) return false;
    node.linked = false;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
    if (node.deadline) {
      node.deadline.unsubscribe();
      node.deadline = undefined;
    }
    this.count--;
    return true;
  }

  /** Removes and returns every waiter, oldest first. */
  drain(): W[] {
    const out: W[] = [];
    for (let w = this.shift(); w !== undefined; w = this.shift()) out.push(w);
    return out;
  }
}
