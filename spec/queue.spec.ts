import { Queue } from '../src/index.js';
import { queueConformance } from './conformance/queue.suite.js';

queueConformance('in-process', async (options) => new Queue(options));
