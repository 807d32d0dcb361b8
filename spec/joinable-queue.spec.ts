import { JoinableQueue } from '../src/index.js';
import { joinableQueueConformance } from './conformance/joinable-queue.suite.js';
import { queueConformance } from './conformance/queue.suite.js';

// A JoinableQueue is a Queue first: the whole Queue suite holds for it too.
queueConformance('JoinableQueue in-process', async (options) => new JoinableQueue(options));
joinableQueueConformance('in-process', async (options) => new JoinableQueue(options));
