import { SimpleQueue } from '../src/index.js';
import { simpleQueueConformance } from './conformance/simple-queue.suite.js';

simpleQueueConformance('in-process', async () => new SimpleQueue());
