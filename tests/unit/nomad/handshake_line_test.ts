import assert from "node:assert/strict";
import { parseHandshakeLine } from "../../../src/nomad/handshake_line.ts";

// The rejections are covered with the plugin's side in
// tests/unit/plugin/handshake_test.ts; these are the lines go-plugin's
// client also accepts.

Deno.test("parseHandshakeLine() accepts what go-plugin's client accepts", async (t) => {
  const rows: [string, string, string, string][] = [
    [
      "the Go server's line",
      "1|2|unix|/tmp/plugin9|grpc|\n",
      "unix",
      "/tmp/plugin9",
    ],
    ["no certificate field", "1|2|unix|/tmp/p|grpc", "unix", "/tmp/p"],
    [
      "surrounding whitespace",
      "  1|2|unix|/tmp/p|grpc|  \r\n",
      "unix",
      "/tmp/p",
    ],
    [
      "tcp, as on Windows",
      "1|2|tcp|127.0.0.1:10000|grpc|",
      "tcp",
      "127.0.0.1:10000",
    ],
  ];
  for (const [label, line, network, address] of rows) {
    await t.step(label, () => {
      assert.deepEqual(parseHandshakeLine(line), {
        coreVersion: 1,
        appVersion: 2,
        network,
        address,
        protocol: "grpc",
      });
    });
  }
});

Deno.test("parseHandshakeLine() rejects a banner printed before the handshake", () => {
  assert.throws(
    () => parseHandshakeLine("Starting Milo 0.1.0..."),
    (error) =>
      error instanceof SyntaxError && /fewer than 4 fields/.test(error.message),
  );
});
