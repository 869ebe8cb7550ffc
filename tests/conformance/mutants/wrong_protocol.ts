/**
 * Mutant: the handshake line announces "netrpc" instead of "grpc", which
 * Nomad's client (gRPC only) refuses.
 *
 * @module
 */

import { handshakeLine } from "../../../src/plugin/handshake.ts";
import { serveMutant } from "./_serve_mutant.ts";

await serveMutant({
  handshakeLine: (socketPath) =>
    handshakeLine(socketPath).replace("|grpc|", "|netrpc|"),
});
