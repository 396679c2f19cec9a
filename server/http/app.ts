// The Hono app of `fieldnotes serve` (SPEC section 8): middleware (access log, Host check, freshness)
// and the routes. Kept free of the node server so tests and other hosts can call `app.fetch` directly.
import { Hono, type Context } from "hono";
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { IncomingMessage } from "node:http";
import type { Study } from "../core/study.js";
import { renderMarkdown, renderHtml, segmentsCsv, servedHref, themes } from "../report/index.js";
import { esc } from "../report/svg.js";
import { PRINT_SCRIPT } from "../report/html.js";
import { registerRefiRoutes } from "./refi.js";
import { ANALYSIS_ROUTES, matrixHandler, registerAnalysisRoutes } from "./analysis.js";
import { closest, didYouMean } from "../core/suggest.js";
import { studyFor } from "./asof.js";
import { registerAgreement } from "./agreement.js";

/** The HTML report may run its one print script and nothing else (a script smuggled in by a note could not run). */
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash("sha256").update(PRINT_SCRIPT).digest("base64")}'; img-src data:; base-uri 'none'; form-action 'none'`;

export interface AppOptions {
  /** The port the server listens on (a function when it is only known after listening on port 0). */
  port: number | (() => number);
  /** The address given with --host (default 127.0.0.1); `H:PORT` is then an accepted Host too. */
  host?: string;
  /** Resolves when the index has caught up with every file change seen so far (the watcher's). */
  settled?: () => Promise<void>;
  /** One line per request: method, path (no query), status, milliseconds. Never note text. */
  log?: (line: string) => void;
  /**
   * Called after each response body is built (a cache miss), with its cache key and the study version
   * it reflects; every other request for that key and version is answered from the cache. For tests
   * and diagnostics.
   */
  onRender?: (key: string, version: number) => void;
}

/** The routes of SPEC section 8 (GET and HEAD only; other methods get 405). */
export const ROUTES = ["/api/health", "/api/summary", "/api/practices/:id", "/api/diagnostics", "/api/matrix.csv", "/api/segments.csv", "/api/report.md", "/api/agreement", "/", ...ANALYSIS_ROUTES] as const;

const PRACTICE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const COMPRESS_MIN = 1024;
const CACHE_MAX = 64;

const TYPES = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
} as const;

interface Rendered {
  version: number;
  etag: string;
  body: Buffer;
  gzip?: Buffer;
  type: string;
  status: number;
}

/** Accepted `Host` values: loopback names (and the --host address) with the port, lower case. */
export function allowedHosts(port: number, host?: string): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (host) {
    const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
    hosts.add(h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`);
  }
  return hosts;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding.trim() !== "gzip" && coding.trim() !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}

/**
 * Whether the client of this request has gone (its socket closed or half-closed by the client), so
 * no response can reach it. False when the app is called without a node socket (`app.request`).
 */
export function clientGone(c: Context): boolean {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  return !!socket && (socket.destroyed || !socket.writable);
}

export function createApp(study: Study, options: AppOptions) {
  const app = new Hono();
  const instance = randomBytes(4).toString("hex");
  const portOf = typeof options.port === "function" ? options.port : () => options.port as number;
  let hostsFor = -1;
  let hosts = new Set<string>();
  const cache = new Map<string, Rendered>();
  const log = options.log;

  /**
   * Answers from the per-version cache (rendering on a miss): ETag from the server instance, the index
   * version and the route + normalised query; 304 on If-None-Match; gzip for larger bodies when accepted.
   */
  function send(c: Context, key: string, type: keyof typeof TYPES, render: () => string | { status: number; body: string }): Response {
    let entry = cache.get(key);
    if (!entry || entry.version !== study.version) {
      const out = render();
      const { status, body } = typeof out === "string" ? { status: 200, body: out } : out;
      const version = study.version;
      options.onRender?.(key, version);
      entry = { version, etag: `"${instance}-${version}-${Buffer.from(key).toString("base64url")}"`, body: Buffer.from(body), type: TYPES[type], status };
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(key, entry);
    }
    const headers: Record<string, string> = {
      "content-type": entry.type,
      etag: entry.etag,
      "cache-control": "no-cache",
      vary: "Accept-Encoding",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    };
    if (type === "html") {
      headers["content-security-policy"] = CSP;
    }
    if (entry.status === 200 && etagMatches(c.req.header("if-none-match"), entry.etag)) {
      return new Response(null, { status: 304, headers: { etag: entry.etag, "cache-control": "no-cache", vary: "Accept-Encoding" } });
    }
    let body = entry.body;
    if (body.length >= COMPRESS_MIN && acceptsGzip(c.req.header("accept-encoding"))) {
      entry.gzip ??= gzipSync(entry.body, { level: 6 });
      body = entry.gzip;
      headers["content-encoding"] = "gzip";
    }
    headers["content-length"] = String(body.length);
    return new Response(body as Uint8Array<ArrayBuffer>, { status: entry.status, headers });
  }

  const jsonError = (c: Context, status: 400 | 403 | 404 | 405 | 500 | 503, error: string, extra: object = {}) =>
    c.json({ error, ...extra }, status, { "x-content-type-options": "nosniff", "cache-control": "no-store" });

  const configError = (c: Context) =>
    jsonError(c, 503, "The study configuration (fieldnotes.yaml) is invalid, so there is no summary; fix it and try again.", {
      diagnostics: study.configDiagnostics.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, range: d.range })),
    });

  // Access log: method, path without the query string, status, time. Nothing from the notes.
  app.use("*", async (c, next) => {
    const start = performance.now();
    await next();
    log?.(`${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - start).toFixed(1)}ms`);
  });

  // DNS rebinding defence: only loopback names (or --host) with our port are accepted.
  app.use("*", async (c, next) => {
    const port = portOf();
    if (port !== hostsFor) {
      hosts = allowedHosts(port, options.host);
      hostsFor = port;
    }
    const host = c.req.header("host")?.toLowerCase();
    if (!host || !hosts.has(host)) return jsonError(c, 403, "Forbidden: this server answers only requests addressed to its own loopback address and port.");
    await next();
  });

  // Freshness: answer only once the index reflects every file change already seen.
  app.use("*", async (c, next) => {
    if (options.settled) {
      // Let file events that arrived together with this request be delivered first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await options.settled();
    }
    // A client that left while its request waited gets nothing built for it: under load, abandoned
    // requests would otherwise each cost a render of a version nobody reads.
    if (clientGone(c)) return new Response(null, { status: 499 });
    await next();
  });

  app.get("/api/health", (c) => send(c, "health", "json", () => JSON.stringify({ status: "ok", notes: study.notes.size })));

  app.get("/api/summary", (c) => {
    if (!study.config) return configError(c);
    const v = studyFor(study, c);
    if ("error" in v) return jsonError(c, 400, v.error);
    return send(c, `summary${v.key}`, "json", () => JSON.stringify(v.study.summary()));
  });

  app.get("/api/practices/:id", (c) => {
    const id = c.req.param("id");
    if (!PRACTICE_ID.test(id) || id.length > 200) return jsonError(c, 404, "No such practice: a practice id is letters, digits, '-' and '_'.");
    if (!study.config) return configError(c);
    if (!study.config.practices.some((p) => p.id === id)) {
      const near = closest(id, study.config.practices.map((p) => p.id));
      return jsonError(c, 404, `No practice '${id}' in fieldnotes.yaml.${didYouMean(near)}`, near.length ? { suggestions: near } : {});
    }
    const v = studyFor(study, c);
    if ("error" in v) return jsonError(c, 400, v.error);
    return send(c, `practice:${id}${v.key}`, "json", () => JSON.stringify(v.study.practiceDetail(id)));
  });

  app.get("/api/diagnostics", (c) => send(c, "diagnostics", "json", () => JSON.stringify(study.diagnosticsReport())));

  const kit = { send, jsonError, configError };
  app.get("/api/matrix.csv", matrixHandler(study, kit));
  registerAnalysisRoutes(app, study, kit);

  app.get("/api/segments.csv", (c) => {
    const v = studyFor(study, c);
    if ("error" in v) return jsonError(c, 400, v.error);
    return send(c, `segments${v.key}`, "csv", () => segmentsCsv(v.study));
  });

  registerRefiRoutes(app, study);

  app.get("/api/report.md", (c) => {
    if (!study.config) return configError(c);
    const v = studyFor(study, c);
    if ("error" in v) return jsonError(c, 400, v.error);
    return send(c, `report.md${v.key}`, "md", () => renderMarkdown(v.study.summary(), study.codebook, { themes: themes(v.study), href: servedHref }));
  });

  app.get("/", (c) => {
    if (!study.config) {
      return send(c, "config-error", "html", () => ({
        status: 503,
        body:
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fieldnotes: configuration invalid</title></head><body>` +
          `<h1>The study configuration is invalid</h1><p>Fix <code>fieldnotes.yaml</code>; this page shows the report again once it is valid.</p><ul>` +
          study.configDiagnostics.map((d) => `<li>line ${d.range.start.line + 1}: ${esc(d.message)}</li>`).join("") +
          `</ul></body></html>\n`,
      }));
    }
    const v = studyFor(study, c);
    if ("error" in v) return jsonError(c, 400, v.error);
    return send(c, `report.html${v.key}`, "html", () => renderHtml(v.study, { href: servedHref }));
  });

  registerAgreement(app, study);

  // Known routes, other methods: 405 (HEAD is answered by the GET routes).
  for (const route of ROUTES) {
    app.all(route, (c) => {
      c.header("allow", "GET, HEAD");
      return jsonError(c, 405, `Method ${c.req.method} is not allowed here; use GET or HEAD.`);
    });
  }

  app.notFound((c) => jsonError(c, 404, "Not found. Routes: " + ROUTES.join(", ")));

  app.onError((err, c) => {
    options.log?.(`fieldnotes: error answering ${c.req.method} ${c.req.path}: ${err.name}`);
    return jsonError(c, 500, "Internal error while building this response.");
  });

  return app;
}
