/**
 * The launches of an agent start before the runtime launch (PROTOCOL.md
 * §0): the fingerprint launch and the config validation launch.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { selfCommand } from "../../main.ts";
import {
  BasePluginService,
  type ConfigSchemaResponse,
  type PluginInfoResponse,
} from "../../src/gen/nomad/base.ts";
import { applyDefaults } from "../../src/nomad/config_defaults.ts";
import { encodeCtyObject } from "../../src/nomad/cty_encode.ts";
import { invoke, PluginClient } from "../../src/nomad/plugin_client.ts";

/** What Nomad's Kill saw: exit status, SIGKILL needed, duration. */
export type KillResult = Awaited<ReturnType<PluginClient["kill"]>>;

/** PluginInfo and ConfigSchema of the fingerprint launch. */
export interface FingerprintLaunch {
  info: PluginInfoResponse;
  schema: ConfigSchemaResponse;
  kill: KillResult;
}

/**
 * The agent's first launch (PROTOCOL.md §0 step 1): PluginInfo,
 * ConfigSchema, then Kill.
 */
export async function fingerprintLaunch(): Promise<FingerprintLaunch> {
  const plugin = await PluginClient.launch({ command: selfCommand() });
  try {
    const info = await invoke(plugin.base, BasePluginService.pluginInfo, {});
    const schema = await invoke(
      plugin.base,
      BasePluginService.configSchema,
      {},
    );
    return { info, schema, kill: await plugin.kill() };
  } finally {
    await ensureEnded(plugin);
  }
}

/**
 * The agent's second launch (PROTOCOL.md §0 step 2): SetConfig twice with
 * the plugin config (defaults applied as HCL decoding does) and without
 * nomad_config, then Kill.
 */
export async function validationLaunch(
  schema: ConfigSchemaResponse,
  pluginConfig: Record<string, unknown>,
): Promise<{ kill: KillResult }> {
  const plugin = await PluginClient.launch({ command: selfCommand() });
  try {
    const full = applyDefaults(schema.spec, pluginConfig);
    const msgpackConfig = encodeCtyObject(full, Object.keys(full));
    for (let i = 0; i < 2; i++) {
      await invoke(plugin.base, BasePluginService.setConfig, {
        msgpackConfig: Buffer.from(msgpackConfig),
        pluginApiVersion: "0.1.0",
        nomadConfig: undefined,
      });
    }
    return { kill: await plugin.kill() };
  } finally {
    await ensureEnded(plugin);
  }
}

/** Leaves no process or channel behind, also after a failed call. */
async function ensureEnded(plugin: PluginClient): Promise<void> {
  plugin.close();
  try {
    plugin.process.kill("SIGKILL");
  } catch {
    // Ended already, as it should have.
  }
  await plugin.exited;
  await plugin.extraStdout;
}
