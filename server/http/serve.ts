// `fieldnotes serve`: the Hono app on @hono/node-server, with the study watcher keeping the index fresh.
import { getRequestListener } from "@hono/node-server";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Study } from "../core/study.js";
import { createApp, allowedHosts } from "./app.js";
import { StudyWatcher, type WatchOptions } from "./watch.js";

export { createApp } from "./app.js";
export { StudyWatcher } from "./watch.js";

export interface ListenOptions {
  study: Study;
  /** 0 picks a free port (tests). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Access log and warnings (stderr in the CLI). */
  log?: (line: string) => void;
  /** Watch the study for changes (default true). */
  watch?: boolean;
  watchOptions?: WatchOptions;
  /** Bounds on connections (defaults: CONNECTION_LIMITS); tests pass short timeouts. */
  limits?: Partial<ConnectionLimits>;
  /** Called after each response body is built (not on a cache hit); see AppOptions.onRender. */
  onRender?: (key: string, version: number) => void;
}

/** How long and how many connections the server keeps: milliseconds and a count. */
export interface ConnectionLimits {
  /** A connection must send a request's headers within this time (an idle new socket is closed then). */
  headersTimeout: number;
  /** A whole request must arrive within this time. */
  requestTimeout: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeout: number;
  /** How often the timeouts above are enforced (Node checks them on a timer; its default is 30 s). */
  checkInterval: number;
  /** Open connections at most; beyond it the longest-idle connection is closed for the new one. */
  maxConnections: number;
  /**
   * Connections the kernel may hold before the server accepts them (listen(2)'s backlog, capped by
   * net.core.somaxconn). Node's default, 511, drops the SYNs of a larger burst: those clients, and a
   * real one among them, wait a second for their retry.
   */
  backlog: number;
}

/**
 * Slow, stalled or idle clients cannot hold the server: headers within 5 s (a new connection that
 * sends nothing is closed then), the whole request within 30 s, keep-alive idle 5 s, checked every
 * second; at most 1,000 connections, the longest idle closed first; a burst of up to 4,096 connections
 * waits in the kernel's queue instead of being dropped (20,000 idle sockets shut every other client
 * out for 20 s before these bounds).
 */
export const CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeout: 5_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  checkInterval: 1_000,
  maxConnections: 1_000,
  backlog: 4_096,
};

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  server: Server;
  watcher?: StudyWatcher;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "[::]") return "127.0.0.1";
  const h = host.replace(/^\[(.*)\]$/, "$1");
  return h.includes(":") ? `[${h}]` : h;
}

/** The server could not listen (port in use, no such address, not allowed): `message` is one plain line. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "ListenError";
  }
}

/** One plain line for a failed listen(), by errno code; every code gets words, never a stack. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): ListenError {
  const where = `${urlHost(host)}:${port}`;
  const code = err.code ?? "";
  const text =
    code === "EADDRINUSE"
      ? `port ${port} on ${host} is already in use; choose another with --port N (0 picks a free one).`
      : code === "EACCES" || code === "EPERM"
        ? `not allowed to listen on ${where} (ports below 1024 need administrator rights); choose another with --port N.`
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL" || code === "EAI_NONAME"
          ? `cannot listen on ${host}: no such address on this machine.`
          : code === "EAFNOSUPPORT"
            ? `cannot listen on ${host}: this machine does not support that kind of address.`
            : code === "EINVAL"
              ? `cannot listen on ${host}: not an address this machine can listen on.`
              : `cannot listen on ${where}: ${code || err.message.split("\n")[0]}.`;
  return new ListenError(text, code);
}

/** Starts the server and resolves once it listens (with the real port when given 0). */
export async function listen(options: ListenOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  // "[::1]" as in URLs is accepted; listen() wants the bare address.
  const bindHost = host.replace(/^\[(.*)\]$/, "$1");
  if (!bindHost || /[\s/]/.test(bindHost)) throw new ListenError(`cannot listen on '${host}': not a host name or address.`, "EINVAL");
  const watcher = options.watch === false ? undefined : new StudyWatcher(options.study, { log: options.log, ...options.watchOptions }).start();
  let port = options.port;
  const app = createApp(options.study, { port: () => port, host, settled: watcher ? () => watcher.settled() : undefined, log: options.log, onRender: options.onRender });
  const limits = { ...CONNECTION_LIMITS, ...options.limits };
  const listener = getRequestListener(app.fetch);
  let hosts = new Set<string>();
  // The Host check runs first here too, so a request without a Host header (or with one the adapter
  // cannot parse) gets the same 403 JSON as a foreign Host rather than a bare 400.
  const server = createServer({ requireHostHeader: false, connectionsCheckingInterval: limits.checkInterval }, (req, res) => {
    const host = req.headers.host?.toLowerCase();
    if (!host || !hosts.has(host)) {
      const body = JSON.stringify({ error: "Forbidden: this server answers only requests addressed to its own loopback address and port." });
      res.writeHead(403, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(req.method === "HEAD" ? undefined : body);
      options.log?.(`${req.method} ${(req.url ?? "/").split("?")[0]} 403 0.0ms`);
      return;
    }
    void listener(req, res);
  });
  server.requestTimeout = limits.requestTimeout;
  server.headersTimeout = limits.headersTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  boundConnections(server, limits.maxConnections);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, options.port));
      server.once("error", onError);
      try {
        server.listen(options.port, bindHost, limits.backlog, () => {
          server.off("error", onError);
          resolve();
        });
      } catch (err) {
        // listen() throws synchronously for some bad arguments (e.g. a malformed address)
        onError(err as NodeJS.ErrnoException);
      }
    });
  } catch (err) {
    watcher?.close();
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port, host);
  // Build the Summary once now (decodes every note's facts, warms the code paths), not on the first request.
  const warm = setImmediate(() => {
    try {
      if (options.study.config) options.study.summary();
    } catch {
      // an invalid study answers 503 per request; nothing to warm
    }
  });
  return {
    url: `http://${urlHost(host)}:${port}/`,
    port,
    host,
    server,
    watcher,
    close: () =>
      new Promise<void>((resolve) => {
        clearImmediate(warm);
        watcher?.close();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/**
 * Keeps at most `max` connections open: a new connection beyond it closes the connection that has been
 * idle longest (no request in progress), or is itself closed when every connection is busy.
 */
function boundConnections(server: Server, max: number): void {
  const open = new Set<Socket>();
  const idle = new Set<Socket>(); // insertion order: longest idle first
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    idle.add(socket);
    socket.once("close", () => {
      open.delete(socket);
      idle.delete(socket);
    });
    if (open.size > max) {
      const oldest = idle.values().next().value;
      (oldest && oldest !== socket ? oldest : socket).destroy();
    }
  });
  server.on("request", (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    res.once("close", () => {
      if (!socket.destroyed && open.has(socket)) idle.add(socket);
    });
  });
}

/** The CLI's `fieldnotes serve`: listens, prints the URL, logs requests; warns on a non-loopback address. */
export async function startServer(options: {
  study: Study;
  port: number;
  host: string;
  log: (s: string) => void;
  print: (s: string) => void;
}): Promise<RunningServer> {
  const host = options.host || "127.0.0.1";
  const running = await listen({ study: options.study, port: options.port, host, log: options.log });
  if (!isLoopback(host)) {
    options.log(
      `fieldnotes: WARNING: listening on ${host}, not on this computer's loopback address: anyone who can reach ${host} on the network can read ` +
        `the summaries and excerpts of these field notes. Use this only on a network you trust, and never for identifiable data.`,
    );
  }
  const name = options.study.config?.study;
  options.print(`fieldnotes: serving ${name ? `"${name}" ` : ""}at ${running.url}`);
  return running;
}
