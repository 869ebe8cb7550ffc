/**
 * The compiled executable: one file that serves the plugin protocol with
 * nothing read from the repository at run time.
 */

import assert from "node:assert/strict";
import { compile } from "../../scripts/compile.ts";
import { invoke, PluginClient } from "../../src/nomad/plugin_client.ts";
import { BasePluginService } from "../../src/gen/nomad/base.ts";

const denort = Deno.env.get("DENORT_BIN");

Deno.test({
  name: denort
    ? "deno task compile builds one binary that serves PluginInfo"
    : "deno task compile (skipped: DENORT_BIN is not set, and deno compile " +
      "cannot download denort without network access)",
  ignore: !denort,
  sanitizeResources: false, // grpc-js keeps its channel timers alive
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "milo-compile-" });
    try {
      const binary = `${dir}/milo`;
      assert.equal((await compile(binary)).code, 0);

      // Started from outside the repo, so nothing in it can help.
      const plugin = await PluginClient.launch({ command: [binary] });
      const info = await invoke(plugin.base, BasePluginService.pluginInfo, {});
      assert.equal(info.name, "milo");
      assert.equal(info.type, 2);
      const killed = await plugin.kill();
      assert.equal(killed.forced, false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
