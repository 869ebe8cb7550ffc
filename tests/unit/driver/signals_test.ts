import assert from "node:assert/strict";
import { join } from "node:path";
import {
  catchesSignal,
  normalizeSignal,
  signalNumber,
  untilSignalCaught,
} from "../../../src/driver/signals.ts";

Deno.test("normalizeSignal() accepts the spellings users write", () => {
  assert.equal(normalizeSignal("SIGTERM"), "SIGTERM");
  assert.equal(normalizeSignal("sigterm"), "SIGTERM");
  assert.equal(normalizeSignal(" int "), "SIGINT");
  assert.equal(normalizeSignal("USR1"), "SIGUSR1");
});

Deno.test("normalizeSignal() refuses names Linux does not have", () => {
  assert.equal(normalizeSignal("SIGFOO"), undefined);
  assert.equal(normalizeSignal(""), undefined);
  assert.equal(normalizeSignal("15"), undefined);
});

Deno.test("signalNumber() gives Linux's numbers", () => {
  assert.equal(signalNumber("SIGHUP"), 1);
  assert.equal(signalNumber("SIGINT"), 2);
  assert.equal(signalNumber("SIGKILL"), 9);
  assert.equal(signalNumber("SIGTERM"), 15);
  assert.equal(signalNumber("SIGSYS"), 31);
  assert.equal(signalNumber("TERM"), undefined);
});

Deno.test("catchesSignal() reads a live process's handlers", () => {
  const handler = () => {};
  Deno.addSignalListener("SIGUSR2", handler);
  try {
    assert.equal(catchesSignal(Deno.pid, signalNumber("SIGUSR2")!), true);
    // Nobody here handles SIGTTIN.
    assert.equal(catchesSignal(Deno.pid, signalNumber("SIGTTIN")!), false);
  } finally {
    Deno.removeSignalListener("SIGUSR2", handler);
  }
});

/** A fake procfs whose process 42 catches the signals in `mask`. */
function fakeProc(dir: string, mask: string): void {
  Deno.mkdirSync(join(dir, "42"), { recursive: true });
  Deno.writeTextFileSync(
    join(dir, "42", "status"),
    `Name:\tjava\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n` +
      `SigCgt:\t${mask}\n`,
  );
}

Deno.test("catchesSignal() reads SigCgt bit by bit; null when gone", () => {
  const dir = Deno.makeTempDirSync();
  try {
    fakeProc(dir, "0000000000004002"); // SIGINT (bit 1) and SIGTERM (bit 14)
    assert.equal(catchesSignal(42, 2, dir), true);
    assert.equal(catchesSignal(42, 15, dir), true);
    assert.equal(catchesSignal(42, 1, dir), false);
    assert.equal(catchesSignal(43, 2, dir), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("untilSignalCaught() waits for the handler, the exit or the timeout", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    fakeProc(dir, "0000000000000000");
    const options = { intervalMs: 5, procRoot: dir };
    assert.equal(await untilSignalCaught(42, 2, 30, options), false);

    const waiting = untilSignalCaught(42, 2, 5000, options);
    setTimeout(() => fakeProc(dir, "0000000000000002"), 20);
    assert.equal(await waiting, true);

    fakeProc(dir, "0000000000000000");
    let running = true;
    const exited = untilSignalCaught(42, 2, 5000, {
      ...options,
      keepWaiting: () => running,
    });
    setTimeout(() => running = false, 20);
    const started = performance.now();
    assert.equal(await exited, false);
    assert.ok(performance.now() - started < 1000, "gave up once it exited");
    assert.equal(await untilSignalCaught(43, 2, 5000, options), false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
