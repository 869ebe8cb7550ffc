import assert from "node:assert/strict";
import {
  errorText,
  formatLine,
  formatTimestamp,
  Logger,
} from "../../../src/log/logger.ts";

const HCLOG_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

Deno.test("formatTimestamp() has exactly six fractional digits", () => {
  assert.equal(
    formatTimestamp(Date.UTC(2026, 11, 3, 19, 14, 5) * 1000 + 7),
    "2026-12-03T19:14:05.000007Z",
  );
  assert.match(formatTimestamp(Date.now() * 1000), HCLOG_TIMESTAMP);
});

Deno.test("formatLine() keeps the @ keys strings and flattens fields", () => {
  const entry = JSON.parse(formatLine("warn", "task exited", "milo", {
    task_id: "a/b/c",
    error: new Error("outer", { cause: new Error("inner") }),
    big: 10n,
    "@message": 42,
    skipped: undefined,
  }));
  assert.equal(entry["@level"], "warn");
  assert.equal(entry["@message"], "task exited");
  assert.equal(entry["@module"], "milo");
  assert.match(entry["@timestamp"], HCLOG_TIMESTAMP);
  assert.equal(entry.task_id, "a/b/c");
  assert.equal(entry.error, "outer: inner");
  assert.equal(entry.big, "10");
  assert.equal("skipped" in entry, false);
});

Deno.test("Logger drops lines below its level and adds fields", () => {
  const lines: string[] = [];
  const logger = new Logger({ level: "info", sink: (l) => lines.push(l) })
    .named("driver").with({ task_id: "t1" });
  logger.debug("hidden");
  logger.info("shown", { pid: 7 });
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]);
  assert.equal(entry["@module"], "driver");
  assert.equal(entry.task_id, "t1");
  assert.equal(entry.pid, 7);
});

Deno.test("errorText() joins causes without repeating them", () => {
  const inner = new Error("jar missing");
  const outer = new Error('Cannot start task "web": jar missing', {
    cause: inner,
  });
  assert.equal(errorText(outer), 'Cannot start task "web": jar missing');
  assert.equal(errorText("plain"), "plain");
});
