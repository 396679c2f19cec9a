// The served Summary against the independent oracle in /work/shared (../shared from the repo root):
// expected.json of make-study.mjs, field by field, and each practice's evidence count.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Study } from "../../server/core/index.js";
import { listen, type RunningServer } from "../../server/http/serve.js";
import { getJson, repoRoot } from "./helpers.js";

const generator = resolve(repoRoot, "../shared/corpus/make-study.mjs");
const haveShared = existsSync(generator);
if (!haveShared) console.warn(`Skipping the corpus oracle test: ${generator} is not there (the shared folder is absent).`);

describe.skipIf(!haveShared)("served Summary = expected.json of the shared generator", () => {
  for (const seed of [3, 11]) {
    describe(`300 notes, seed ${seed}, 5% broken`, () => {
      let dir: string;
      let server: RunningServer;
      let expected: any;
      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "fieldnotes-corpus-"));
        const out = join(dir, "study");
        execFileSync(process.execPath, [generator, "--out", out, "--notes", "300", "--seed", String(seed), "--broken", "0.05"]);
        expected = JSON.parse(readFileSync(join(out, "expected.json"), "utf8"));
        const study = await Study.open(out, { cache: false });
        server = await listen({ study, port: 0, watch: false });
      });
      afterAll(async () => {
        await server?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it("totals, rule, excluded and groups", async () => {
        const s = await getJson(server.port, "/api/summary");
        expect(s.totals).toEqual(expected.totals);
        expect(s.rule).toEqual(expected.rule);
        expect(s.excluded).toEqual(expected.excluded);
        expect(expected.excluded.length).toBeGreaterThan(0);
        for (const g of ["full", "partial", "unassessed"]) {
          expect(s.groups[g].practices, g).toEqual(expected.groups[g].practices);
          expect(Object.keys(s.groups[g].attributes).sort(), g).toEqual(Object.keys(expected.groups[g].attributes).sort());
          for (const [name, value] of Object.entries<any>(expected.groups[g].attributes)) {
            if ("mean" in value) {
              expect(s.groups[g].attributes[name].mean).toBeCloseTo(value.mean, 9);
              expect(s.groups[g].attributes[name].min).toBe(value.min);
              expect(s.groups[g].attributes[name].max).toBe(value.max);
            } else expect(s.groups[g].attributes[name]).toEqual(value);
          }
        }
      });

      it("every practice, field by field, and its evidence count", async () => {
        const s = await getJson(server.port, "/api/summary");
        expect(s.practices.map((p: any) => p.id)).toEqual(expected.practices.map((p: any) => p.id));
        for (const [i, want] of expected.practices.entries()) {
          const got = s.practices[i];
          for (const key of Object.keys(want)) {
            if (key === "_evidenceSegments") continue;
            expect(got[key], `${want.id}.${key}`).toEqual(want[key]);
          }
          const detail = await getJson(server.port, `/api/practices/${encodeURIComponent(want.id)}`);
          expect(detail.evidence.length, `${want.id} evidence`).toBe(want._evidenceSegments);
        }
      });

      it("the CSV matrix by construct and by code agrees with expected.json", async () => {
        const { http } = await import("./helpers.js");
        const rows = (await http(server.port, "/api/matrix.csv?by=construct")).text.trimEnd().split("\r\n").map((l) => l.split(","));
        expected.practices.forEach((p: any, i: number) => {
          expect(rows[i + 1][0]).toBe(p.id);
          expect(rows[i + 1].slice(1).map(Number)).toEqual(rows[0].slice(1).map((c) => p.constructs[c].notes));
        });
        const codes = (await http(server.port, "/api/matrix.csv?by=code")).text.trimEnd().split("\r\n").map((l) => l.split(","));
        expected.practices.forEach((p: any, i: number) => {
          expect(codes[i + 1].slice(1).map(Number)).toEqual(codes[0].slice(1).map((c) => p.codes[c]?.notes ?? 0));
        });
      });
    });
  }
});
