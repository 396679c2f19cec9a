// `fieldnotes serve` over real HTTP on 127.0.0.1: a practice id in the wrong case gets a suggestion, the
// Summary's JSON is byte-for-byte the CLI's (key order too), the HTML report is built once per study
// version, and idle connections cannot pile up.
import { describe, it, expect } from "vitest";
import { connect, type Socket } from "node:net";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt, runCli } from "../fixtures/helpers.js";
import { http, poll, serveCopyOfStudy, stripGenerated } from "./helpers.js";

describe("GET /api/practices/:id", () => {
  const served = serveCopyOfStudy({ watch: false });

  it("an id in the wrong case or one letter off: 404 with 'Did you mean' and the suggestions", async () => {
    for (const [asked, meant] of [["magenta", "Magenta"], ["MAGENTA", "Magenta"], ["Magneta", "Magenta"]]) {
      const r = await http(served.server.port, `/api/practices/${asked}`);
      expect(r.status).toBe(404);
      const body = JSON.parse(r.text);
      expect(body.error).toBe(`No practice '${asked}' in fieldnotes.yaml. Did you mean '${meant}'?`);
      expect(body.suggestions).toEqual([meant]);
    }
    const none = JSON.parse((await http(served.server.port, "/api/practices/Zebra")).text);
    expect(none.error).toBe("No practice 'Zebra' in fieldnotes.yaml.");
    expect(none.suggestions).toBeUndefined();
  });
});

describe("the server and the CLI print the same Summary", () => {
  const served = serveCopyOfStudy({}, ensureBuilt);

  it("GET /api/summary and `fieldnotes report` are the same JSON text (byType key order included) after notes were re-read", async () => {
    // A note that leaves and comes back moves to the end of the server's notes map: the order notes are
    // read in must not show in the JSON.
    const rel = "notes/Magenta";
    const names = (await import("node:fs")).readdirSync(join(served.dir, rel)).filter((f) => f.endsWith(".md")).sort();
    const total = async () => JSON.parse((await http(served.server.port, "/api/health")).text).notes as number;
    const before = await total();
    for (const name of names.slice(0, 2)) {
      renameSync(join(served.dir, rel, name), join(served.dir, name + ".away"));
      await poll(async () => (await total()) === before - 1, 10_000, "the note to leave");
      renameSync(join(served.dir, name + ".away"), join(served.dir, rel, name));
      await poll(async () => (await total()) === before, 10_000, "the note to come back");
    }
    const fromServer = JSON.parse((await http(served.server.port, "/api/summary")).text);
    const cli = await runCli(["report", served.dir, "--no-cache"]);
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout);
    const magenta = (s: { practices: { id: string; byType: Record<string, number> }[] }) => Object.keys(s.practices.find((p) => p.id === "Magenta")!.byType);
    expect(magenta(fromServer)).toEqual(magenta(printed));
    expect(JSON.stringify(stripGenerated(fromServer))).toBe(JSON.stringify(stripGenerated(printed)));
  });
});

describe("load: the work per request is bounded", () => {
  const renders: { key: string; version: number }[] = [];
  const served = serveCopyOfStudy({ onRender: (key, version) => renders.push({ key, version }) });

  it("GET / for an unchanged study is rendered once whatever the number of requests, and once more after a change", async () => {
    const htmlRenders = () => renders.filter((r) => r.key === "report.html").length;
    const first = await Promise.all(Array.from({ length: 24 }, () => http(served.server.port, "/")));
    expect(first.map((r) => r.status)).toEqual(first.map(() => 200));
    expect(new Set(first.map((r) => r.headers.etag)).size).toBe(1);
    expect(htmlRenders()).toBe(1);

    const file = join(served.dir, "notes/Magenta", (await import("node:fs")).readdirSync(join(served.dir, "notes/Magenta")).find((f) => f.endsWith(".md"))!);
    writeFileSync(file, readFileSync(file, "utf8") + "\nOne more sentence.\n");
    const etag = first[0].headers.etag;
    await poll(async () => (await http(served.server.port, "/")).headers.etag !== etag, 10_000, "a new ETag");
    const settledRenders = htmlRenders();
    const second = await Promise.all(Array.from({ length: 24 }, () => http(served.server.port, "/")));
    expect(new Set(second.map((r) => r.headers.etag)).size).toBe(1);
    expect(htmlRenders()).toBe(settledRenders);
    expect(settledRenders).toBeGreaterThanOrEqual(2);
    // One render per version: never two for the same version.
    const versions = renders.filter((r) => r.key === "report.html").map((r) => r.version);
    expect(new Set(versions).size).toBe(versions.length);
  });

});

describe("load: idle connections are bounded", () => {
  const served = serveCopyOfStudy({ watch: false, limits: { headersTimeout: 400, requestTimeout: 1_000, keepAliveTimeout: 200, checkInterval: 100, maxConnections: 40 } });

  it("idle sockets beyond the maximum are closed at once, the rest after the headers timeout; a real client still gets in", async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    for (let i = 0; i < 120; i++) {
      const s = connect(served.server.port, "127.0.0.1");
      s.on("error", () => {});
      s.on("close", () => closed++);
      s.resume(); // read the server's 408 and FIN, so that 'close' is seen here
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => new Promise((r) => (s.readyState === "open" ? r(null) : s.once("connect", r).once("close", r)))));
    // Beyond 40 open connections the longest idle ones are closed: about 80 of 120 at once.
    await poll(async () => closed >= 120 - 40, 2_000, "connections beyond the maximum to close");
    const t0 = performance.now();
    const r = await http(served.server.port, "/api/health");
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1_000);
    // The rest never sent a request: closed after the headers timeout (400 ms, checked every 100 ms).
    await poll(async () => closed === 120, 3_000, "every idle socket to close");
    const serverSide = await new Promise<number>((r) => served.server.server.getConnections((_e, n) => r(n)));
    expect(serverSide).toBe(0);
    for (const s of sockets) s.destroy();
  });
});
