/**
 * A non-recursive filesystem watch whose events collapse into one call
 * after a quiet period.
 *
 * @module
 */

import type { Timers } from "./timers.ts";

/** What the detector needs from a watcher; Deno.FsWatcher fits. */
export interface FsEvents extends AsyncIterable<unknown> {
  /** Stops the watch and ends the iteration. */
  close(): void;
}

/** Opens a watch on paths; the default is a non-recursive Deno.watchFs. */
export type WatchFs = (paths: string[]) => FsEvents;

/** The default {@linkcode WatchFs}. */
export const denoWatchFs: WatchFs = (paths) =>
  Deno.watchFs(paths, { recursive: false });

/** Calls `onChange` once events on the watched paths pause for `debounceMs`. */
export class DebouncedWatch {
  #events: FsEvents;
  #loop: Promise<void>;
  #timer: unknown;
  #timers: Timers;
  #closed = false;

  /**
   * Starts watching.
   *
   * @throws {Deno.errors.NotFound} when a path does not exist.
   */
  constructor(
    paths: string[],
    options: {
      watchFs: WatchFs;
      timers: Timers;
      debounceMs: number;
      onChange: () => void;
    },
  ) {
    this.#timers = options.timers;
    this.#events = options.watchFs(paths);
    this.#loop = this.#run(options.debounceMs, options.onChange);
  }

  async #run(debounceMs: number, onChange: () => void): Promise<void> {
    for await (const _ of this.#events) {
      if (this.#closed) break;
      this.#timers.clearTimeout(this.#timer);
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = undefined;
        onChange();
      }, debounceMs);
    }
  }

  /** Stops the watch and any pending call. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      this.#events.close();
    } catch {
      // Already closed.
    }
    await this.#loop.catch(() => {});
  }
}
