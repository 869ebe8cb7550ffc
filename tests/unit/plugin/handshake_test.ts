import assert from "node:assert/strict";
import {
  handshakeLine,
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  readHandshake,
} from "../../../src/plugin/handshake.ts";
import { parseHandshakeLine } from "../../../src/nomad/handshake_line.ts";

Deno.test("readHandshake() accepts Nomad's cookie and version list", () => {
  const request = readHandshake({
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_PROTOCOL_VERSIONS: "1,2",
    TMPDIR: "/var/tmp",
  });
  assert.equal(request.cookieOk, true);
  assert.equal(request.protocolVersion, 2);
  assert.equal(request.socketDir, "/var/tmp");
});

Deno.test("readHandshake() rejects a missing or wrong cookie", () => {
  assert.equal(readHandshake({}).cookieOk, false);
  assert.equal(readHandshake({ [MAGIC_COOKIE_KEY]: "nope" }).cookieOk, false);
});

Deno.test("readHandshake() finds no version when 2 is not offered", () => {
  const request = readHandshake({
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_PROTOCOL_VERSIONS: "3, 4",
  });
  assert.equal(request.protocolVersion, undefined);
});

Deno.test("readHandshake() prefers PLUGIN_UNIX_SOCKET_DIR over TMPDIR", () => {
  const request = readHandshake({
    PLUGIN_UNIX_SOCKET_DIR: "/run/sock",
    TMPDIR: "/var/tmp",
  });
  assert.equal(request.socketDir, "/run/sock");
  assert.equal(readHandshake({}).socketDir, "/tmp");
});

Deno.test("handshakeLine() is the line go-plugin's client parses", () => {
  const line = handshakeLine("/tmp/plugin-milo-1");
  assert.equal(line, "1|2|unix|/tmp/plugin-milo-1|grpc|\n");
  assert.deepEqual(parseHandshakeLine(line), {
    coreVersion: 1,
    appVersion: 2,
    network: "unix",
    address: "/tmp/plugin-milo-1",
    protocol: "grpc",
  });
});

Deno.test("parseHandshakeLine() rejects what Nomad's client rejects", async (t) => {
  const cases: [string, string][] = [
    ["1|2|unix", "fewer than 4 fields"],
    ["2|2|unix|/tmp/x|grpc|", "core protocol"],
    ["1|1|unix|/tmp/x|grpc|", "app protocol"],
    ["1|2|udp|/tmp/x|grpc|", "network"],
    ["1|2|unix|/tmp/x", "netrpc"],
    ["1|2|unix|/tmp/x|netrpc|", "netrpc"],
  ];
  for (const [line, message] of cases) {
    await t.step(line, () => {
      assert.throws(() => parseHandshakeLine(line), new RegExp(message));
    });
  }
});
