// A study inside a study over a real stdio connection: each note is routed to its nearest study, so a
// pilot's notes never get the outer study's practice-unknown or code-unknown, whichever loads last,
// and a pilot that appears or goes later takes its notes from the outer study or gives them back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG, GOOD_NOTE, makeStudy, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const PILOT_CONFIG = 'study: Pilot\nperiod: { start: 2015-01-01, end: 2016-12-31 }\nnotes: ["**/*.md"]\npractices:\n  - id: Teal\n';
const PILOT_CODEBOOK = "codes:\n  pilot-only:\n    label: Pilot only\n";
const PILOT_NOTE = "---\npractice: Teal\ndate: 2016-03-14\nnpt: coherence\ncodes: [pilot-only]\n---\n\nPiloting the form. #pilot-only\n";
/** Unknown to the pilot: a note with it gets the pilot's code-unknown, not the outer's. */
const PILOT_NOTE_WRONG_CODE = PILOT_NOTE.replace("#pilot-only", "#gp-buy-in");

describe("a study inside a study", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy(
      {
        "notes/Magenta/a.md": GOOD_NOTE,
        "pilot/fieldnotes.yaml": PILOT_CONFIG,
        "pilot/codebook.yaml": PILOT_CODEBOOK,
        "pilot/notes/p1.md": PILOT_NOTE,
        "pilot/notes/p2.md": PILOT_NOTE_WRONG_CODE,
      },
      { config: CONFIG.replace('notes: ["notes/**/*.md"]', 'notes: ["**/*.md"]') },
    );
    c = await startClient({ folders: [s.root] });
    await waitFor(() => c.logs.some((l) => /2 studies, .* notes indexed/.test(l)), "both studies indexed");
  }, 180_000);
  afterAll(async () => {
    await c.stop();
    s.cleanup();
  });
  const codes = (rel: string) => (c.published.get(s.uri(rel)) ?? []).map((d) => d.code);
  const settle = (rel: string) => c.conn.sendRequest("textDocument/hover", { textDocument: { uri: s.uri(rel) }, position: { line: 1, character: 1 } });

  it("the pilot's notes get the pilot's diagnostics only", async () => {
    await waitFor(() => codes("pilot/notes/p2.md").length, "the pilot's code-unknown");
    expect(codes("pilot/notes/p1.md")).toEqual([]);
    expect(codes("pilot/notes/p2.md")).toEqual(["code-unknown"]);
    expect(c.published.get(s.uri("pilot/notes/p2.md"))![0].message).toContain("gp-buy-in");
    expect(c.logs.find((l) => /notes indexed/.test(l))).toMatch(/2 studies, 3 notes indexed/);
  });

  it("an open pilot note is checked by the pilot, and its code's definition is the pilot's codebook", async () => {
    const rel = "pilot/notes/p1.md";
    c.open(s.uri(rel), PILOT_NOTE);
    await settle(rel);
    expect(codes(rel)).toEqual([]);
    const def = (await c.conn.sendRequest("textDocument/definition", { textDocument: { uri: s.uri(rel) }, position: { line: 4, character: 10 } })) as { uri: string };
    expect(def.uri).toBe(s.uri("pilot/codebook.yaml"));
    c.close(s.uri(rel));
  });

  it("a pilot created later takes its notes from the outer study; deleted, it gives them back", async () => {
    mkdirSync(join(s.root, "later/notes"), { recursive: true });
    writeFileSync(join(s.root, "later/notes/l1.md"), PILOT_NOTE);
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: s.uri("later/notes/l1.md"), type: 1 }] });
    // Under the outer study, its practice and code are unknown.
    await waitFor(() => codes("later/notes/l1.md").includes("practice-unknown"), "the outer study's practice-unknown");
    writeFileSync(join(s.root, "later/fieldnotes.yaml"), PILOT_CONFIG);
    writeFileSync(join(s.root, "later/codebook.yaml"), PILOT_CODEBOOK);
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: s.uri("later/fieldnotes.yaml"), type: 1 }] });
    await waitFor(() => c.published.get(s.uri("later/notes/l1.md"))?.length === 0, "the new pilot's (clean) diagnostics");
    await settle("notes/Magenta/a.md");
    expect(codes("later/notes/l1.md")).toEqual([]);
    rmSync(join(s.root, "later/fieldnotes.yaml"));
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: s.uri("later/fieldnotes.yaml"), type: 3 }] });
    await waitFor(() => codes("later/notes/l1.md").includes("practice-unknown"), "the outer study's diagnostics again");
  });

  it("with no workspace folder: a pilot note opened after an outer note goes to the pilot", async () => {
    const bare = await startClient({ folders: [] });
    try {
      bare.open(s.uri("notes/Magenta/a.md"), GOOD_NOTE);
      await bare.conn.sendRequest("textDocument/hover", { textDocument: { uri: s.uri("notes/Magenta/a.md") }, position: { line: 1, character: 1 } });
      const p2 = s.uri("pilot/notes/p2.md");
      bare.open(p2, PILOT_NOTE_WRONG_CODE);
      await waitFor(() => bare.published.get(p2)?.length, "the pilot note's diagnostics");
      await bare.conn.sendRequest("textDocument/hover", { textDocument: { uri: p2 }, position: { line: 1, character: 1 } });
      expect(bare.published.get(p2)!.map((d) => d.code)).toEqual(["code-unknown"]);
    } finally {
      await bare.stop();
    }
  });
});
