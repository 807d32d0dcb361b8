import type { ErrorInfo } from '../error-codec.js';
import type { Address } from './link.js';
import { isAddress, isArray, isSeq, isString, isTags, optional, type Shape } from './checks.js';

// ---- pipes between the homes of their two ends --------------------------------
//
// Each direction of a pipe numbers its messages from 1 (`seq`). The reader's
// home reports how far it has received and consumed; the writer keeps what
// is not yet consumed, so it knows its window exactly and, when the reader
// moves, resends from `received + 1`. Duplicates are dropped by `seq`.

/**
 * Messages `seq`, `seq + 1`, … for end `e` of pipe `p`: values (sent with
 * `send`), except those at the indexes in `raw`, which are bytes (`sendBytes`).
 */
export interface PipeDataMsg {
  t: 'pdata';
  p: string;
  e: number;
  seq: number;
  data: unknown[];
  raw?: number[];
}
/** The writer toward end `e` ended its stream at `seq` (on an error if given). */
export interface PipeEndMsg {
  t: 'pend';
  p: string;
  e: number;
  seq: number;
  error?: ErrorInfo;
}
/** End `e`'s reader has received up to `received` and consumed up to `consumed`. */
export interface PipeAckMsg {
  t: 'pack';
  p: string;
  e: number;
  received: number;
  consumed: number;
}
/** End `e`'s reader is closed: its writer's sends fail (broken pipe). */
export interface PipeClosedMsg {
  t: 'pclosed';
  p: string;
  e: number;
}
/** The writer toward end `e` knows its reader closed: sends fail from now on. */
export interface PipeClosedOkMsg {
  t: 'pclosedok';
  p: string;
  e: number;
}
/** End `e` is leaving the sender's home: hold on until its new home says hello. */
export interface PipeMovingMsg {
  t: 'pmoving';
  p: string;
  e: number;
}
/** End `e` lives at `home` (the sender) now, with its reader this far along. */
export interface PipeHelloMsg {
  t: 'phello';
  p: string;
  e: number;
  home: Address;
  received: number;
  consumed: number;
  /** The reader of end `e` is already closed: the writer's sends fail at once. */
  closed?: true;
}
/** To the pipe's registry: end `e`, after its `gen`-th move, lives at `home` (or, without one, is on its way there). */
export interface PipeRegisterMsg {
  t: 'preg';
  p: string;
  e: number;
  gen: number;
  home?: Address;
}
/** To the pipe's registry: end `e`, on its `gen`-th move, went to a process that has exited. */
export interface PipeLostMsg {
  t: 'plost';
  p: string;
  e: number;
  gen: number;
}
/**
 * To the pipe's registry: end `e`, after its `gen`-th move, is closed and
 * owes its peer nothing (it will never move again); its home forgot it.
 */
export interface PipeDoneMsg {
  t: 'pdone';
  p: string;
  e: number;
  gen: number;
}
/**
 * From the registry: end `e` was lost with a process that exited; its peer's
 * reader sees EOF, its writer a broken pipe, once no link from runtime `at`
 * (where the end had arrived, if it had) may still carry what it sent.
 */
export interface PipeGoneMsg {
  t: 'pgone';
  p: string;
  e: number;
  at?: string;
}
/** From the registry: end `e` lives at `home`. */
export interface PipeWhereMsg {
  t: 'pwhere';
  p: string;
  e: number;
  home: Address;
}

export type PipeMsg =
  | PipeDataMsg
  | PipeEndMsg
  | PipeAckMsg
  | PipeClosedMsg
  | PipeClosedOkMsg
  | PipeMovingMsg
  | PipeHelloMsg
  | PipeRegisterMsg
  | PipeLostMsg
  | PipeDoneMsg
  | PipeGoneMsg
  | PipeWhereMsg;

const isEnd = (v: unknown): boolean => v === 0 || v === 1;
const pipe = { p: isString, e: isEnd };

/** The fields each pipe message must carry, checked before anything is applied. */
export const PIPE_SHAPES: Record<PipeMsg['t'], Shape> = {
  pdata: { ...pipe, seq: isSeq, data: isArray, raw: optional(isTags) },
  pend: { ...pipe, seq: isSeq },
  pack: { ...pipe, received: isSeq, consumed: isSeq },
  pclosed: pipe,
  pclosedok: pipe,
  pmoving: pipe,
  phello: { ...pipe, home: isAddress, received: isSeq, consumed: isSeq },
  preg: { ...pipe, gen: isSeq, home: optional(isAddress) },
  plost: { ...pipe, gen: isSeq },
  pdone: { ...pipe, gen: isSeq },
  pgone: { ...pipe, at: optional(isString) },
  pwhere: { ...pipe, home: isAddress },
};
