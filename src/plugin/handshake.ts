/**
 * The go-plugin handshake as Nomad performs it (go-plugin v1.8.0
 * `server.go` Serve, `client.go` Start).
 *
 * @module
 */

/** The environment variable carrying Nomad's magic cookie. */
export const MAGIC_COOKIE_KEY = "NOMAD_PLUGIN_MAGIC_COOKIE";

/** Nomad's magic cookie value (nomad `plugins/base/plugin.go`). */
export const MAGIC_COOKIE_VALUE =
  "e4327c2e01eabfd75a8a67adb114fb34a757d57eee7728d857a8cec6e91a7255";

/** go-plugin's core protocol version, field 1 of the handshake line. */
export const CORE_PROTOCOL_VERSION = 1;

/** Nomad's plugin protocol version, field 2 of the handshake line. */
export const APP_PROTOCOL_VERSION = 2;

/** Shown when the binary is run by hand instead of by Nomad. */
export const NOT_A_PLUGIN_MESSAGE = [
  "This binary is a Nomad task driver plugin (Milo). It is not meant to be",
  "run directly: put it in the Nomad client's plugin_dir and reference it",
  'with a plugin "milo" {} block in the agent configuration.',
  "",
  "To try it without Nomad, run:  milo run <jar> [-- args...]",
  "For the other commands, run:   milo help",
].join("\n");

/** What the client's environment asks of the plugin. */
export interface HandshakeRequest {
  /** True when the magic cookie is present and right. */
  cookieOk: boolean;
  /** The app protocol version both sides support, or undefined. */
  protocolVersion?: number;
  /** Directory for the listening socket. */
  socketDir: string;
  /** Group that should own the socket, if the client asked for one. */
  socketGroup?: string;
}

/**
 * Reads the handshake variables from an environment.
 *
 * The version list is comma-separated; go-plugin picks the highest version
 * both sides know and, when none matches, still answers with its own so the
 * client can report the mismatch. Milo only speaks version 2.
 */
export function readHandshake(
  env: Record<string, string | undefined>,
): HandshakeRequest {
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? "")
    .split(",")
    .map((text) => Number.parseInt(text.trim(), 10))
    .filter(Number.isInteger);
  return {
    cookieOk: env[MAGIC_COOKIE_KEY] === MAGIC_COOKIE_VALUE,
    protocolVersion: versions.includes(APP_PROTOCOL_VERSION)
      ? APP_PROTOCOL_VERSION
      : undefined,
    socketDir: env.PLUGIN_UNIX_SOCKET_DIR || env.TMPDIR || "/tmp",
    socketGroup: env.PLUGIN_UNIX_SOCKET_GROUP || undefined,
  };
}

/**
 * Formats the one stdout line that tells the client where to connect:
 * `CORE|APP|unix|<path>|grpc|` (the empty sixth field is the server
 * certificate, unused without AutoMTLS).
 */
export function handshakeLine(socketPath: string): string {
  return [
    CORE_PROTOCOL_VERSION,
    APP_PROTOCOL_VERSION,
    "unix",
    socketPath,
    "grpc",
    "",
  ].join("|") + "\n";
}

/** Linux limits a unix socket path (sun_path) to 107 bytes plus a NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;
