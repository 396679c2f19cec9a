// `fieldnotes serve` under load, over real HTTP on 127.0.0.1 (issue 9, section 7 "Load"): the work per
// request is bounded. A study version's Summary is serialised once whatever the number of concurrent
// requests; a request whose client has left before it is answered costs no render; a burst of
// connections larger than Node's default listen backlog is accepted, not dropped; the HTML report rebuilt
// after one practice changed is the page a fresh process renders. Figures (latency, p99)
// are in bench/http.mjs, not here.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Study } from "../../server/core/index.js";
import { createApp } from "../../server/http/app.js";
import { listen } from "../../server/http/serve.js";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt, runCli } from "../fixtures/helpers.js";
import { copyStudy, http, poll, serveCopyOfStudy } from "./helpers.js";

describe("load: one serialisation per study version", () => {
  const renders: { key: string; version: number }[] = [];
  const served = serveCopyOfStudy({ watch: false, onRender: (key, version) => renders.push({ key, version }) });

  it("32 concurrent GET /api/summary (and 32 more, gzip and not) build the Summary's JSON once and send the same bytes", async () => {
    const summaries = () => renders.filter((r) => r.key === "summary").length;
    const first = await Promise.all(Array.from({ length: 32 }, () => http(served.server.port, "/api/summary")));
    expect(first.map((r) => r.status)).toEqual(first.map(() => 200));
    expect(new Set(first.map((r) => r.text)).size).toBe(1);
    expect(summaries()).toBe(1);
    const again = await Promise.all(
      Array.from({ length: 32 }, (_, i) => http(served.server.port, "/api/summary", { headers: i % 2 ? { "accept-encoding": "gzip" } : {} })),
    );
    expect(again.filter((r) => r.headers["content-encoding"] === "gzip").length).toBe(16);
    expect(again.filter((r) => !r.headers["content-encoding"]).every((r) => r.text === first[0].text)).toBe(true);
    expect(summaries()).toBe(1);
  });
});

describe("load: a request whose client has gone is not rendered", () => {
  let server: Server;
  let port = 0;
  let cleanup: () => void;
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  let waiting = 0;
  const renders: string[] = [];
  const log: string[] = [];
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = copyStudy());
    const study = await Study.open(dir, { cache: false });
    // The app as `listen` builds it, with a freshness gate the test opens: a request waits at the gate
    // as it would wait for the index to catch up with a burst of file changes.
    const app = createApp(study, {
      port: () => port,
      settled: () => {
        waiting++;
        return gate;
      },
      log: (line) => log.push(line),
      onRender: (key) => renders.push(key),
    });
    server = createServer(getRequestListener(app.fetch));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    server?.closeAllConnections();
    cleanup?.();
  });

  it("GET / from a client that disconnects while its request waits builds no report; the next client's request does", async () => {
    gate = new Promise((r) => (release = r));
    const client: Socket = connect(port, "127.0.0.1");
    client.on("error", () => {});
    await new Promise((r) => client.once("connect", r));
    client.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await poll(async () => waiting >= 1, 5_000, "the request to reach the freshness gate");
    client.destroy();
    await poll(async () => (await new Promise<number>((r) => server.getConnections((_e, n) => r(n)))) === 0, 5_000, "the server to see the client go");
    release();
    await poll(async () => log.some((l) => l.startsWith("GET / ")), 5_000, "the abandoned request to finish");
    expect(renders.filter((k) => k === "report.html")).toEqual([]);
    expect(log.find((l) => l.startsWith("GET / "))).toMatch(/^GET \/ 499 /);

    const r = await http(port, "/");
    expect(r.status).toBe(200);
    expect(r.text).toContain("<!doctype html>");
    expect(renders.filter((k) => k === "report.html")).toEqual(["report.html"]);
  });
});

describe("load: the HTML report rebuilds only the changed practice's drill-down, and nothing stale", () => {
  const served = serveCopyOfStudy({}, ensureBuilt);

  it("after notes of one practice change (new evidence, a note moved out, a note's practice changed), GET / is the page a fresh study renders", async () => {
    // The same page as built by another process from the files alone (`report --format html`, whose
    // links are to the files rather than the server's /notes/ pages): no state of this server in it.
    const time = (html: string) => html.replace(/<time datetime="[^"]*">[^<]*<\/time>/, "<time></time>");
    const fresh = async () => {
      const r = await runCli(["report", served.dir, "--format", "html", "--no-cache"]);
      expect(r.code, r.stderr).toBe(0);
      return time(r.stdout);
    };
    const asFiles = (html: string) => time(html).replaceAll('href="/notes/', 'href="');
    const page = async () => {
      const r = await http(served.server.port, "/");
      expect(r.status).toBe(200);
      return r;
    };
    let etag = (await page()).headers.etag;
    expect(asFiles((await page()).text)).toBe(await fresh());
    const magenta = join(served.dir, "notes/Magenta");
    const [a, b] = readdirSync(magenta).filter((f) => f.endsWith(".md")).sort();
    const edits: [string, (t: string) => string][] = [
      [a, (t) => t + "\nA new sentence about the link worker's referrals. #gp-buy-in\n"],
      [b, (t) => t.replace(/^practice: Magenta$/m, "practice: Ochre")],
      [a, (t) => t.replace(/#gp-buy-in/g, "#understanding-the-role")],
    ];
    for (const [file, edit] of edits) {
      writeFileSync(join(magenta, file), edit(readFileSync(join(magenta, file), "utf8")));
      await poll(async () => (await page()).headers.etag !== etag, 10_000, "a new version of the report");
      const now = await page();
      etag = now.headers.etag;
      expect(asFiles(now.text)).toBe(await fresh());
    }
  });
});

describe("load: a burst of connections larger than Node's default listen backlog is accepted, not dropped", () => {
  let cleanup: () => void;
  let study: Study;
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = copyStudy());
    study = await Study.open(dir, { cache: false });
  });
  afterAll(() => cleanup?.());

  /** The kernel's count of connections dropped because a listen queue was full (Linux: TcpExt ListenOverflows). */
  function listenOverflows(): number | undefined {
    if (!existsSync("/proc/net/netstat")) return undefined;
    const [names, values] = readFileSync("/proc/net/netstat", "utf8")
      .split("\n")
      .filter((l) => l.startsWith("TcpExt:"))
      .map((l) => l.split(/\s+/));
    const i = names?.indexOf("ListenOverflows") ?? -1;
    return i > 0 ? Number(values[i]) : undefined;
  }

  /**
   * Opens `n` connections while the server cannot accept (this process, the server's too, is kept
   * busy), waits until the server has accepted them all (`waitForAll`) or until the kernel has counted
   * a drop, and returns how many the kernel dropped for a full listen queue meanwhile (each of those
   * clients waits a second or more for its retry).
   */
  async function burst(backlog: number | undefined, n: number, waitForAll: boolean): Promise<number> {
    const server = await listen({ study, port: 0, watch: false, limits: { maxConnections: 10 * n, ...(backlog ? { backlog } : {}) } });
    let accepted = 0;
    server.server.on("connection", () => accepted++);
    const sockets: Socket[] = [];
    const before = listenOverflows()!;
    try {
      for (let i = 0; i < n; i++) {
        const s = connect(server.port, "127.0.0.1");
        s.on("error", () => {});
        sockets.push(s);
      }
      await new Promise((r) => process.nextTick(r)); // the connect(2) calls are made on the next tick
      const until = Date.now() + 100;
      while (Date.now() < until); // the kernel completes the handshakes while nothing is accepted
      if (waitForAll) {
        // Dropped SYNs are retried after 1, 3, 7, 15 s: a loaded machine needs the longer wait.
        await poll(async () => accepted === n, 60_000, `all ${n} connections to be accepted`);
      } else {
        // The kernel counts a drop when it happens, during the burst: no need to wait for the retries
        // (on a loaded machine some clients give up before they are accepted).
        await poll(async () => listenOverflows()! > before, 10_000, "the kernel to count a dropped connection").catch(() => undefined);
      }
      return listenOverflows()! - before;
    } finally {
      for (const s of sockets) s.destroy();
      await server.close();
    }
  }

  it.skipIf(listenOverflows() === undefined)("1,200 connections opened together: none dropped (with Node's default backlog, 511, about 690 are)", async () => {
    const n = 1200;
    // The control: with Node's default the kernel's queue overflows.
    expect(await burst(511, n, false)).toBeGreaterThan(0);
    expect(await burst(undefined, n, true)).toBe(0);
  }, 150_000);
});
