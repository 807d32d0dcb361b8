import { expect } from 'chai';
import { SimpleQueue } from '../src/index.js';
import { simpleQueueConformance } from './conformance/simple-queue.suite.js';

simpleQueueConformance('in-process', async () => new SimpleQueue());

describe('SimpleQueue()', () => {
  it('takes no options: an argument is a TypeError at construction', () => {
    expect(() => new SimpleQueue({ maxsize: 3 } as never)).to.throw(TypeError, 'takes no options');
  });
});
