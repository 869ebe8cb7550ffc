/**
 * Parsing of the plugin's handshake line as go-plugin's client does it
 * (`client.go` Start): trimmed, split on "|", at least four fields.
 *
 * @module
 */

/** Where and how to reach a plugin. */
export interface PluginAddress {
  coreVersion: number;
  appVersion: number;
  network: string;
  address: string;
  protocol: string;
}

/**
 * Parses `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT`, with go-plugin's checks.
 *
 * @throws {SyntaxError} for anything Nomad's client would reject.
 */
export function parseHandshakeLine(line: string): PluginAddress {
  const parts = line.trim().split("|");
  if (parts.length < 4) {
    throw new SyntaxError(
      `Cannot parse handshake: "${line}" has fewer than 4 fields`,
    );
  }
  const address: PluginAddress = {
    coreVersion: Number(parts[0]),
    appVersion: Number(parts[1]),
    network: parts[2],
    address: parts[3],
    protocol: parts[4] || "netrpc",
  };
  if (address.coreVersion !== 1) {
    throw new SyntaxError(
      `Cannot use plugin: core protocol "${parts[0]}" is not 1`,
    );
  }
  if (address.appVersion !== 2) {
    throw new SyntaxError(
      `Cannot use plugin: app protocol "${parts[1]}" is not 2`,
    );
  }
  if (address.network !== "unix" && address.network !== "tcp") {
    throw new SyntaxError(
      `Cannot use plugin: network "${address.network}" is not unix or tcp`,
    );
  }
  if (address.protocol !== "grpc") {
    throw new SyntaxError(
      `Cannot use plugin: protocol "${address.protocol}" is not grpc`,
    );
  }
  return address;
}
