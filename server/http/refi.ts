// REFI-QDA over HTTP (SPEC section 13): GET /api/export.qdpx downloads the study as a .qdpx, the same
// bytes as `fieldnotes export --format qdpx` for the same files.
import type { Hono } from "hono";
import type { Study } from "../core/study.js";
import { exportStudy } from "../core/refi/export.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** Registers GET (and HEAD) /api/export.qdpx, and 405 for its other methods. */
export function registerRefiRoutes(app: Hono, study: Study): void {
  app.get("/api/export.qdpx", () => {
    if (!study.config) {
      return new Response(JSON.stringify({ error: "The study configuration (fieldnotes.yaml) is invalid, so it cannot be exported; fix it and try again." }), {
        status: 503,
        headers: { "content-type": JSON_TYPE, "cache-control": "no-store", "x-content-type-options": "nosniff" },
      });
    }
    const result = exportStudy(study, "qdpx");
    const ascii = result.fileName.replace(/[^A-Za-z0-9._-]/g, "_");
    return new Response(result.bytes as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(result.fileName)}`,
        "content-length": String(result.bytes.length),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
  app.all("/api/export.qdpx", (c) => {
    c.header("allow", "GET, HEAD");
    return c.json({ error: `Method ${c.req.method} is not allowed here; use GET or HEAD.` }, 405);
  });
}
