import assert from "node:assert/strict";
import { join } from "node:path";
import { ExitWatcher, parseExitFile } from "../../../src/crun/mod.ts";

const alive = () => Promise.resolve(true);

// Writes like conmon's g_file_set_contents: a temporary file, then rename.
async function writeExit(dir: string, id: string, text: string) {
  await Deno.writeTextFile(join(dir, `.${id}.tmp`), text);
  await Deno.rename(join(dir, `.${id}.tmp`), join(dir, id));
}

async function withWatcher(
  fn: (dir: string, watcher: ExitWatcher) => Promise<void>,
  options: ConstructorParameters<typeof ExitWatcher>[1] = {},
) {
  const dir = await Deno.makeTempDir();
  // A long poll interval: the inotify path must do the work.
  const watcher = new ExitWatcher(dir, {
    pollIntervalMs: 60_000,
    isMonitorAlive: alive,
    ...options,
  });
  try {
    await fn(dir, watcher);
  } finally {
    await watcher.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("parseExitFile() reads conmon's exit codes", async (t) => {
  const rows: [string, number | null][] = [
    ["0", 0],
    ["3", 3],
    ["137", 137],
    ["-1", -1],
    ["143\n", 143],
    ["", null],
  ];
  for (const [text, expected] of rows) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(parseExitFile(text), expected);
    });
  }
  assert.throws(() => parseExitFile("killed"), SyntaxError);
});

Deno.test("waitForExit() resolves at once for a container that already exited", async () => {
  await withWatcher(async (dir, watcher) => {
    await writeExit(dir, "done", "3");

    assert.deepEqual(await watcher.waitForExit("done", 1), { exitCode: 3 });
  });
});

Deno.test("waitForExit() resolves when conmon writes the exit file", async () => {
  await withWatcher(async (dir, watcher) => {
    const exit = watcher.waitForExit("later", 1);

    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeExit(dir, "later", "137");

    assert.deepEqual(await exit, { exitCode: 137 });
  });
});

Deno.test("waitForExit() serves many waiters for the same and other ids", async () => {
  await withWatcher(async (dir, watcher) => {
    const ids = Array.from({ length: 20 }, (_, i) => `c${i % 10}`);
    const exits = ids.map((id) => watcher.waitForExit(id, 1));

    await Promise.all(
      Array.from({ length: 10 }, (_, i) => writeExit(dir, `c${i}`, `${i}`)),
    );

    const codes = (await Promise.all(exits)).map((exit) => exit.exitCode);
    assert.deepEqual(codes, ids.map((id) => Number(id.slice(1))));
  });
});

Deno.test("waitForExit() reports a monitor that died without an exit file", async () => {
  const dead = new Set([42]);
  await withWatcher(async (_dir, watcher) => {
    const exit = await watcher.waitForExit("orphan", 42);

    assert.deepEqual(exit, { exitCode: -1, monitorDied: true });
  }, { isMonitorAlive: (pid) => Promise.resolve(!dead.has(pid)) });
});

Deno.test("waitForExit() notices a monitor death on its periodic check", async () => {
  let monitorAlive = true;
  await withWatcher(async (_dir, watcher) => {
    const exit = watcher.waitForExit("dies", 7);
    await new Promise((resolve) => setTimeout(resolve, 30));

    monitorAlive = false;

    assert.deepEqual(await exit, { exitCode: -1, monitorDied: true });
  }, {
    pollIntervalMs: 10,
    isMonitorAlive: () => Promise.resolve(monitorAlive),
  });
});

Deno.test("waitForExit() rejects with the reason when its signal aborts", async () => {
  await withWatcher(async (_dir, watcher) => {
    const controller = new AbortController();
    const exit = watcher.waitForExit("slow", 1, controller.signal);

    controller.abort(new Error("task stopped"));

    await assert.rejects(exit, /task stopped/);
  });
});

Deno.test("close() rejects pending waits and refuses new ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const watcher = new ExitWatcher(dir, { isMonitorAlive: alive });
    const exit = watcher.waitForExit("never", 1);

    await watcher.close();

    await assert.rejects(exit, /^Error: Cannot wait for container "never"/);
    await assert.rejects(watcher.waitForExit("x", 1), /watcher is closed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("waitForExit() rejects when the exit directory is missing", async () => {
  const watcher = new ExitWatcher("/nonexistent/milo-exits");

  await assert.rejects(
    watcher.waitForExit("x", 1),
    /^Error: Cannot wait for container "x": /,
  );
  await watcher.close();
});
