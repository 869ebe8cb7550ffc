import assert from "node:assert/strict";
import {
  DebouncedWatch,
  denoWatchFs,
  type FsEvents,
} from "../../../src/fs/debounced_watch.ts";
import { REAL_TIMERS } from "../../../src/fs/timers.ts";

/** A watch that never reports anything, as watchFs does for symlinks. */
const blind = (): FsEvents => {
  const { promise, resolve } = Promise.withResolvers<void>();
  return {
    close: () => resolve(),
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        await promise;
        return { done: true, value: undefined };
      },
    }),
  };
};

async function changes(
  watchFs: typeof denoWatchFs,
  pollMs: number,
  act: (dir: string) => Promise<unknown>,
): Promise<number> {
  const dir = await Deno.makeTempDir();
  let calls = 0;
  const watch = new DebouncedWatch([dir], {
    watchFs,
    timers: REAL_TIMERS,
    debounceMs: 20,
    pollMs,
    onChange: () => calls++,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 30));
    await act(dir);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return calls;
  } finally {
    await watch.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DebouncedWatch's poll sees a symlink appear where events do not", async () => {
  const link = (dir: string) => Deno.symlink("/bin/sh", `${dir}/crun`);
  assert.equal(await changes(blind, 0, link), 0, "no poll, no event");
  assert.equal(await changes(blind, 50, link), 1, "one call from the poll");
});

Deno.test("DebouncedWatch's poll sees an entry leave", async () => {
  const calls = await changes(blind, 50, async (dir) => {
    await Deno.writeTextFile(`${dir}/conmon`, "");
    await new Promise((resolve) => setTimeout(resolve, 120));
    await Deno.remove(`${dir}/conmon`);
  });
  assert.equal(calls, 2);
});

Deno.test("DebouncedWatch collapses a burst of events into one call", async () => {
  const calls = await changes(denoWatchFs, 0, async (dir) => {
    for (let i = 0; i < 5; i++) await Deno.writeTextFile(`${dir}/f${i}`, "x");
  });
  assert.equal(calls, 1);
});

Deno.test("DebouncedWatch calls nothing when nothing changes", async () => {
  assert.equal(await changes(denoWatchFs, 50, () => Promise.resolve()), 0);
});
