// Helpers for the HTTP tests: a copy of a study in a temp folder, raw HTTP requests (custom Host headers,
// bytes as sent), polling.
import { request } from "node:http";
import { cpSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { Study } from "../../server/core/index.js";
import { listen, type ListenOptions, type RunningServer } from "../../server/http/serve.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const exampleStudy = join(repoRoot, "examples/deep-end");

export function copyStudy(src = exampleStudy): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "fieldnotes-http-"));
  cpSync(src, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * In the calling describe block: before its tests, a copy of the example study served by `listen` on a
 * free port of 127.0.0.1 (the study read without cache, `options` passed on); after them, the server
 * closed and the copy removed. The returned object's `server` and `dir` are set once beforeAll has run.
 */
export function serveCopyOfStudy(options: Omit<ListenOptions, "study" | "port"> = {}, before?: () => void): { server: RunningServer; dir: string } {
  const served = {} as { server: RunningServer; dir: string };
  let cleanup: (() => void) | undefined;
  beforeAll(async () => {
    before?.();
    const copy = copyStudy();
    cleanup = copy.cleanup;
    served.dir = copy.dir;
    served.server = await listen({ ...options, study: await Study.open(copy.dir, { cache: false }), port: 0 });
  }, 120_000);
  afterAll(async () => {
    await served.server?.close();
    cleanup?.();
  });
  return served;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; setHost?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, setHost: options.setHost ?? true, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export async function getJson<T = any>(port: number, path: string): Promise<T> {
  const r = await http(port, path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as T;
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function poll<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000, what = "condition"): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The Summary without its timestamp, for comparisons. */
export function stripGenerated<T extends { generatedAt?: string }>(s: T): Omit<T, "generatedAt"> {
  const { generatedAt: _, ...rest } = s;
  return rest;
}

/** Adds hostile text (HTML, Markdown table breakers, CSV formulas) to a copied study. */
export function addHostileNote(dir: string): string {
  const cfg = join(dir, "fieldnotes.yaml");
  writeFileSync(
    cfg,
    readFileSync(cfg, "utf8").replace(
      "  - id: Amber\n    name: Practice Amber",
      '  - id: Amber\n    name: "Amber <script>alert(1)</script> | =cmd"\n    motto: "=HYPERLINK(\\"http://evil.example\\",\\"x\\")"',
    ),
  );
  const file = "notes/Amber/2016-06-01-hostile.md";
  writeFileSync(
    join(dir, file),
    [
      "---",
      "practice: Amber",
      "date: 2016-06-01",
      "npt: [coherence]",
      "type: observation",
      'observer: "=1+1"',
      "level: [patient]",
      "---",
      "",
      '<img src=x onerror="alert(2)"> a | pipe, a "quote" and </blockquote><script>alert(3)</script> #gp-buy-in',
      "",
      "=SUM(A1:A2) starts like a formula #team-dynamics",
      "",
    ].join("\n"),
  );
  return file;
}
