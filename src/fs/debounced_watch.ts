/**
 * A non-recursive filesystem watch whose events collapse into one call
 * after a quiet period.
 *
 * Deno.watchFs does not report a symlink created in a watched directory
 * (deno#27560), and tools and JDKs are often installed as symlinks. With
 * `pollMs` the watch also stats each watched path that often and counts a
 * change of its inode, mtime or existence as an event: entries appearing
 * in or leaving a directory change its mtime, symlinks included. A poll
 * costs one stat per path and never spawns anything.
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
  #debounceMs: number;
  #onChange: () => void;
  #paths: string[];
  #pollMs: number;
  #pollTimer: unknown;
  #signatures?: Promise<string[]>;

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
      /** Also stat the paths this often (0 or unset: never). */
      pollMs?: number;
    },
  ) {
    this.#timers = options.timers;
    this.#debounceMs = options.debounceMs;
    this.#onChange = options.onChange;
    this.#paths = paths;
    this.#pollMs = options.pollMs ?? 0;
    this.#events = options.watchFs(paths);
    this.#loop = this.#run();
    if (this.#pollMs > 0) {
      this.#signatures = signatures(paths);
      this.#schedulePoll();
    }
  }

  async #run(): Promise<void> {
    for await (const _ of this.#events) {
      if (this.#closed) break;
      this.#event();
    }
  }

  #event(): void {
    this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#onChange();
    }, this.#debounceMs);
  }

  #schedulePoll(): void {
    this.#pollTimer = this.#timers.setTimeout(async () => {
      const before = await this.#signatures;
      const now = signatures(this.#paths);
      this.#signatures = now;
      const after = await now;
      if (this.#closed) return;
      if (after.some((signature, i) => signature !== before?.[i])) {
        this.#event();
      }
      this.#schedulePoll();
    }, this.#pollMs);
  }

  /** Stops the watch and any pending call. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timers.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    try {
      this.#events.close();
    } catch {
      // Already closed.
    }
    await this.#loop.catch(() => {});
  }
}

/** Inode and mtime of each path ("-" when it does not exist). */
function signatures(paths: string[]): Promise<string[]> {
  return Promise.all(paths.map(async (path) => {
    try {
      const info = await Deno.stat(path);
      return `${info.ino}:${info.mtime?.getTime()}`;
    } catch {
      return "-";
    }
  }));
}
