import type { Message, PipeDataMsg } from './protocol/index.js';

/**
 * Splits one message that carries a list (items, pipe data, tags) into two
 * that mean the same in order, for a batch too large for one frame: puts and
 * fetched items become two runs of items (the second run of leased items
 * names its own first delivery tag), lists of tags two lists, pipe data two
 * runs of sequence numbers. `undefined` when there is nothing to split.
 */
export function splitMessage(message: Message): [Message[], Message[]] | undefined {
  switch (message.t) {
    case 'put': {
      if (message.items.length < 2) return undefined;
      const [a, b] = cut(message.items);
      return [[{ ...message, items: a }], [{ ...message, items: b }]];
    }
    case 'items': {
      // Leased items name their first delivery tag: the second run starts where the first ends.
      if (message.items.length < 2) return undefined;
      const [a, b] = cut(message.items);
      return [[{ ...message, items: a }], [{ ...message, tag: message.tag + a.length, items: b }]];
    }
    case 'requeue':
    case 'done':
    case 'giveback': {
      if (message.tags.length < 2) return undefined;
      const [a, b] = cut(message.tags);
      return [[{ ...message, tags: a }], [{ ...message, tags: b }]];
    }
    case 'pdata': {
      if (message.data.length < 2) return undefined;
      const k = Math.ceil(message.data.length / 2);
      const first: PipeDataMsg = { ...message, data: message.data.slice(0, k) };
      const second: PipeDataMsg = { ...message, seq: message.seq + k, data: message.data.slice(k) };
      delete first.raw;
      delete second.raw;
      const raw = message.raw ?? [];
      const rawFirst = raw.filter((i) => i < k);
      const rawSecond = raw.filter((i) => i >= k).map((i) => i - k);
      if (rawFirst.length > 0) first.raw = rawFirst;
      if (rawSecond.length > 0) second.raw = rawSecond;
      return [[first], [second]];
    }
    default:
      return undefined;
  }
}

function cut<T>(list: readonly T[]): [T[], T[]] {
  const k = Math.ceil(list.length / 2);
  return [list.slice(0, k), list.slice(k)];
}
