/**
 * A minimal Chrome DevTools Protocol client for the plugin's V8 inspector
 * (the plugin started with `--inspect=127.0.0.1:PORT`).
 *
 * @module
 */

/** A minimal CDP client: requests and their answers, no events. */
export class Inspector {
  #socket: WebSocket;
  #next = 1;
  #pending = new Map<number, (result: unknown) => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      this.#pending.get(message.id)?.(message.result);
      this.#pending.delete(message.id);
    };
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`))
      .json();
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise((ok, fail) => {
      socket.onopen = ok;
      socket.onerror = fail;
    });
    return new Inspector(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    const { promise, resolve } = Promise.withResolvers<T>();
    this.#pending.set(id, resolve as (result: unknown) => void);
    this.#socket.send(JSON.stringify({ id, method, params }));
    return promise;
  }

  close() {
    this.#socket.close();
  }
}

/** A free-looking loopback port for `--inspect`. */
export function inspectorPort(): number {
  return 9300 + Math.floor(Math.random() * 600);
}
