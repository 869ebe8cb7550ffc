/**
 * Mutant: PluginInfo answers type 1, a value Nomad's PluginType enum does
 * not have (DRIVER is 2).
 *
 * @module
 */

import {
  type BasePluginServer,
  BasePluginService,
  type PluginType,
} from "../../../src/gen/nomad/base.ts";
import { baseService } from "../../../src/plugin/base_service.ts";
import { serveMutant } from "./_serve_mutant.ts";

await serveMutant({
  patchServer: (server, driver, logger) => {
    const real = baseService(driver, logger, "0.1.0");
    server.removeService(BasePluginService);
    const mutated: BasePluginServer = {
      ...real,
      pluginInfo: (call, callback) =>
        real.pluginInfo(
          call,
          (error, value) =>
            callback(error, value && { ...value, type: 1 as PluginType }),
        ),
    };
    server.addService(BasePluginService, mutated);
  },
});
