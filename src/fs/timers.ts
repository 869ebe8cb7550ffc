/**
 * The clock and timers the detector uses, injectable so tests control
 * time instead of sleeping.
 *
 * @module
 */

/** The timer functions the detector needs. */
export interface Timers {
  /** Schedules `fn` after `ms`; returns an id for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; unknown ids are ignored. */
  clearTimeout(id: unknown): void;
}

/** The real timers. */
export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** The real clock, milliseconds since the epoch. */
export const REAL_CLOCK: () => number = () => Date.now();
