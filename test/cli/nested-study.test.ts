// A study inside a study (SPEC section 1): a note belongs to its nearest study only. The outer study
// neither checks nor counts the notes of a folder holding its own fieldnotes.yaml.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASIC_CONFIG, GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

/** The pilot's own practice and code, unknown to the outer study. */
const PILOT_CONFIG = 'study: Pilot\nperiod: { start: 2015-01-01, end: 2016-12-31 }\nnotes: ["**/*.md"]\npractices:\n  - id: Teal\n';
const PILOT_CODEBOOK = "codes:\n  pilot-only:\n    label: Pilot only\n";
const PILOT_NOTE = "---\npractice: Teal\ndate: 2016-03-14\nnpt: coherence\ncodes: [pilot-only]\n---\n\nPiloting the form. #pilot-only\n";

function nestedStudy(): { outer: string; pilot: string } {
  // The outer study takes every Markdown file, so the pilot's notes match its globs too.
  const outer = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { config: BASIC_CONFIG.replace('notes: ["notes/**/*.md"]', 'notes: ["**/*.md"]') });
  const pilot = join(outer, "pilot");
  mkdirSync(join(pilot, "notes"), { recursive: true });
  writeFileSync(join(pilot, "fieldnotes.yaml"), PILOT_CONFIG);
  writeFileSync(join(pilot, "codebook.yaml"), PILOT_CODEBOOK);
  writeFileSync(join(pilot, "notes", "p1.md"), PILOT_NOTE);
  writeFileSync(join(pilot, "notes", "p2.md"), PILOT_NOTE);
  return { outer, pilot };
}

describe("a study inside a study", () => {
  it("check of the outer study neither checks nor counts the pilot's notes", async () => {
    const { outer } = nestedStudy();
    const r = await runCli(["check", outer, "--no-cache"]);
    expect(r.stdout + r.stderr).not.toMatch(/practice-unknown|code-unknown|pilot\//);
    expect(r.stdout).toContain("1 note checked");
    expect(r.code).toBe(0);
    const json = JSON.parse((await runCli(["check", outer, "--format", "json", "--no-cache"])).stdout);
    expect(JSON.stringify(json)).not.toContain("pilot/");
    const summary = JSON.parse((await runCli(["report", outer, "--no-cache"])).stdout);
    expect(summary.practices.map((p: { id: string }) => p.id)).not.toContain("Teal");
    expect(JSON.stringify(summary)).not.toContain("pilot-only");
  });

  it("check of the pilot (or a folder in it) checks the pilot's notes against the pilot's own config", async () => {
    const { pilot } = nestedStudy();
    for (const start of [pilot, join(pilot, "notes")]) {
      const r = await runCli(["check", start, "--no-cache"]);
      expect(r.stdout).toContain("2 notes checked: 0 errors");
      expect(r.code).toBe(0);
    }
  });
});
