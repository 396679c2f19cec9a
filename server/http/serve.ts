// `fieldnotes serve`: the Hono app on @hono/node-server, with the study watcher keeping the index fresh.
import { getRequestListener } from "@hono/node-server";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
}

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
  const app = createApp(options.study, { port: () => port, host, settled: watcher ? () => watcher.settled() : undefined, log: options.log });
  const listener = getRequestListener(app.fetch);
  let hosts = new Set<string>();
  // The Host check runs first here too, so a request without a Host header (or with one the adapter
  // cannot parse) gets the same 403 JSON as a foreign Host rather than a bare 400.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
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
  // Slow or stalled clients cannot hold the server: whole request 30 s, headers 10 s, idle keep-alive 5 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, options.port));
      server.once("error", onError);
      try {
        server.listen(options.port, bindHost, () => {
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
