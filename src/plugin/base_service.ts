/**
 * Nomad's BasePlugin service: identity and plugin configuration.
 *
 * @module
 */

import { type BasePluginServer, PluginType } from "../gen/nomad/base.ts";
import type { Driver } from "../driver/driver.ts";
import { parsePluginConfig } from "../driver/plugin_config.ts";
import type { Logger } from "../log/logger.ts";
import { decodeCtyObject } from "./cty_msgpack.ts";
import { unary } from "./rpc.ts";
import { PLUGIN_CONFIG_SPEC } from "./schemas.ts";

/** The name jobs use in `driver = "..."`. */
export const DRIVER_NAME = "milo";

/** The driver API version Nomad 0.9 and later speak. */
export const DRIVER_API_VERSION = "0.1.0";

/** Builds the BasePlugin handlers. */
export function baseService(
  driver: Driver,
  logger: Logger,
  version: string,
): BasePluginServer {
  return {
    pluginInfo: unary(logger, "PluginInfo", () => ({
      type: PluginType.DRIVER,
      pluginApiVersions: [DRIVER_API_VERSION],
      pluginVersion: version,
      name: DRIVER_NAME,
    })),

    configSchema: unary(logger, "ConfigSchema", () => ({
      spec: PLUGIN_CONFIG_SPEC,
    })),

    // Nomad calls this twice without nomad_config to validate the agent's
    // config, then once with it in the process that runs tasks.
    setConfig: unary(logger, "SetConfig", async (request) => {
      const config = parsePluginConfig(
        decodeCtyObject(request.msgpackConfig, "the plugin config"),
      );
      logger.debug("plugin configured", {
        state_dir: config.stateDir,
        runtime_launch: request.nomadConfig !== undefined,
        api_version: request.pluginApiVersion,
      });
      await driver.configure(config);
      return {};
    }),
  };
}
