/** The checks message shapes are made of (see `protocol/*.ts` and `validate.ts`). */

export type Check = (value: unknown) => boolean;

/** The largest count a message may carry (credits, acks): far beyond any real window. */
export const MAX_COUNT = 2 ** 30;

export const isString: Check = (v) => typeof v === 'string';
export const count =
  (max: number): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
export const isCount = count(MAX_COUNT);
export const isSeq = count(Number.MAX_SAFE_INTEGER);
export const isArray: Check = (v) => Array.isArray(v);
export const isTags: Check = (v) => Array.isArray(v) && v.every(isSeq);
export const isCounts: Check = (v) => Array.isArray(v) && v.every(isCount);
export const isAddress: Check = (v) =>
  typeof v === 'object' &&
  v !== null &&
  isString((v as { id: unknown }).id) &&
  ['string', 'undefined'].includes(typeof (v as { path: unknown }).path);
/**
 * An error's description (see `error-codec.ts`): a name and a message at
 * least. Its other parts are decoded leniently (anything malformed there is
 * left out), so only what an Error cannot do without is checked here.
 */
export const isErrorInfo: Check = (v) =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  isString((v as { name: unknown }).name) &&
  isString((v as { message: unknown }).message);
export const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);

/** The fields one message type must carry, and what each must be. */
export type Shape = Record<string, Check>;
