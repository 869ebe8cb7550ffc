/**
 * Mutant: the health service answers SERVING for "milo" instead of
 * go-plugin's "plugin", so go-plugin's Ping fails.
 *
 * @module
 */

import {
  HealthCheckResponse_ServingStatus as Serving,
  type HealthServer,
  HealthService,
} from "../../../src/gen/grpc/health.ts";
import { serveMutant } from "./_serve_mutant.ts";

await serveMutant({
  patchServer: (server) => {
    const statusOf = (service: string) =>
      service === "milo" ? Serving.SERVING : Serving.SERVICE_UNKNOWN;
    server.removeService(HealthService);
    const mutated: HealthServer = {
      check: (call, callback) =>
        callback(null, { status: statusOf(call.request.service) }),
      watch: (call) => call.write({ status: statusOf(call.request.service) }),
    };
    server.addService(HealthService, mutated);
  },
});
