import { barrierConformance } from '../conformance/barrier.suite.js';
import { conditionConformance } from '../conformance/condition.suite.js';
import { eventConformance } from '../conformance/event.suite.js';
import { lockConformance } from '../conformance/lock.suite.js';
import { rlockConformance } from '../conformance/rlock.suite.js';
import { semaphoreConformance } from '../conformance/semaphore.suite.js';
import { sharedArrayConformance } from '../conformance/shared-array.suite.js';
import { sharedMemoryConformance } from '../conformance/shared-memory.suite.js';
import { valueConformance } from '../conformance/value.suite.js';
import '../support/shm-leaks.js';
import { PEERS } from '../support/shared-peers.js';

for (const peer of PEERS) {
  sharedMemoryConformance(peer);
  valueConformance(peer);
  sharedArrayConformance(peer);
  lockConformance(peer);
  rlockConformance(peer);
  semaphoreConformance(peer);
  eventConformance(peer);
  conditionConformance(peer);
  barrierConformance(peer);
}
