import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose assertions are chai deep-equals. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

/** Records `[frame, event]` pairs against a scheduler's clock. */
export class Timeline {
  readonly events: [number, string][] = [];
  constructor(private readonly scheduler: { now(): number }) {}
  log(event: string): void {
    this.events.push([this.scheduler.now(), event]);
  }
}
