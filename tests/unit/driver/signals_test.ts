import assert from "node:assert/strict";
import { normalizeSignal } from "../../../src/driver/signals.ts";

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
