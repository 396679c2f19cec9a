// `fieldnotes diff` (SPEC section 15) in a real temporary git repository, the study in a subfolder:
// each commit makes one known change, and the diff names exactly that.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BASIC_CODEBOOK, BASIC_CONFIG, cleanupTemp, ensureBuilt, runCli } from "../fixtures/helpers.js";
import { commitAll, git, makeRepo, writeFiles } from "./git.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

const S = "research/study";
const note = (date: string, front: string, body: string) => `---\npractice: Magenta\ndate: ${date}\n${front}\n---\n\n${body}\n`;
const MEETING = note(
  "2016-03-14",
  "npt: [coherence, cognitive-participation, collective-action]\nlevel: [patient, practice, community]\nassessment:\n  coherence: full\n  cognitive-participation: full\n  collective-action: partial",
  "The partners agreed to protect a weekly afternoon. #shared-learning #gp-buy-in",
);
const MEMO = note("2016-06-01", "type: memo\nnpt: collective-action\nassessment:\n  collective-action: full", "The rota is now run by the link worker.");
const BROKEN = note("2016-04-01", "npt: coherence", "A new idea. #not-in-codebook");
const FIXED = note("2016-04-01", "npt: coherence", "A new idea. #gp-buy-in");

let top: string;
const c: string[] = [];

beforeAll(() => {
  top = makeRepo();
  writeFiles(top, { [`${S}/fieldnotes.yaml`]: BASIC_CONFIG, [`${S}/codebook.yaml`]: BASIC_CODEBOOK, [`${S}/notes/Magenta/2016-03-14-meeting.md`]: MEETING });
  c.push(commitAll(top, "base"));
  writeFiles(top, { [`${S}/notes/Magenta/2016-06-01-memo.md`]: MEMO });
  c.push(commitAll(top, "memo turns Magenta full"));
  writeFiles(top, { [`${S}/notes/Magenta/2016-04-01-idea.md`]: BROKEN });
  c.push(commitAll(top, "an excluded note"));
  writeFiles(top, { [`${S}/notes/Magenta/2016-04-01-idea.md`]: FIXED });
  c.push(commitAll(top, "fixed"));
  writeFiles(top, { [`${S}/codebook.yaml`]: BASIC_CODEBOOK.replace("    npt: coherence\n", "    npt: coherence\n    deprecated: true\n") });
  c.push(commitAll(top, "deprecate shared-learning"));
}, 300_000);

async function diffJson(args: string[], cwd = join(top, S)) {
  const r = await runCli(["diff", ...args, "--format", "json"], cwd);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const NOTHING = { added: [], removed: [], newlyExcluded: [], noLongerExcluded: [] };
const NO_CODES = { added: [], removed: [], newlyDeprecated: [] };

describe("fieldnotes diff", () => {
  it("a memo that turns a practice full: the classification, the one assessment and the note", async () => {
    const d = await diffJson([c[0], c[1]]);
    expect(d.a).toEqual({ source: c[0], commit: c[0] });
    expect(d.practices).toEqual([{ practice: "Magenta", from: "partial", to: "full", reasons: [] }]);
    expect(d.assessments).toEqual([
      {
        practice: "Magenta",
        construct: "collective-action",
        from: { assessment: "partial", date: "2016-03-14", file: "notes/Magenta/2016-03-14-meeting.md" },
        to: { assessment: "full", date: "2016-06-01", file: "notes/Magenta/2016-06-01-memo.md" },
      },
    ]);
    expect(d.notes).toEqual({ ...NOTHING, added: ["notes/Magenta/2016-06-01-memo.md"] });
    expect(d.codes).toEqual(NO_CODES);
    expect(d.changed).toBe(true);
  }, 120_000);

  it("an excluded note added, then fixed, then a code deprecated", async () => {
    const added = await diffJson([c[1], c[2]]);
    expect([added.practices, added.assessments, added.codes]).toEqual([[], [], NO_CODES]);
    expect(added.notes).toEqual({ ...NOTHING, added: ["notes/Magenta/2016-04-01-idea.md"], newlyExcluded: [{ file: "notes/Magenta/2016-04-01-idea.md", rules: ["code-unknown"] }] });
    expect(added.diagnostics).toEqual({ a: { error: 0, warning: 0, information: 0 }, b: { error: 1, warning: 0, information: 0 } });

    const fixed = await diffJson([c[2], c[3]]);
    expect([fixed.practices, fixed.assessments, fixed.codes]).toEqual([[], [], NO_CODES]);
    expect(fixed.notes).toEqual({ ...NOTHING, noLongerExcluded: ["notes/Magenta/2016-04-01-idea.md"] });

    const deprecated = await diffJson([c[3], c[4]]);
    expect([deprecated.practices, deprecated.assessments, deprecated.notes]).toEqual([[], [], NOTHING]);
    expect(deprecated.codes).toEqual({ ...NO_CODES, newlyDeprecated: ["shared-learning"] });
    expect(deprecated.diagnostics.b.warning).toBe(1); // the meeting's #shared-learning is now code-deprecated
  }, 120_000);

  it("diff A A says plainly that nothing changed; B defaults to the working tree", async () => {
    const same = await runCli(["diff", c[2], c[2]], join(top, S));
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/No change of substance/);
    expect((await diffJson([c[4], c[4]])).changed).toBe(false);
    // The working tree equals HEAD: no change; then an unstaged, uncommitted memo shows up.
    expect((await diffJson(["HEAD"])).changed).toBe(false);
    writeFiles(top, { [`${S}/notes/Magenta/2016-07-01-memo.md`]: MEMO.replace("2016-06-01", "2016-07-01") });
    const status = git(top, "status", "--porcelain");
    const working = await diffJson(["HEAD"]);
    expect(working.b).toEqual({ source: "(working tree)", commit: null });
    expect(working.notes.added).toEqual(["notes/Magenta/2016-07-01-memo.md"]);
    expect(git(top, "status", "--porcelain")).toBe(status);
  }, 120_000);

  it("works from the repository top with PATH, and in Markdown names the changes", async () => {
    const r = await runCli(["diff", c[0], c[1], S], top);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| Magenta | partial | full |");
    expect(r.stdout).toContain("Added (1): `notes/Magenta/2016-06-01-memo.md`");
    expect(r.stdout).not.toContain("rota"); // no note text
    const two = await diffJson([c[0], S], top); // second argument a folder: PATH, B the working tree
    expect(two.b.source).toBe("(working tree)");
  }, 120_000);

  it("bad input: unknown revision, a revision before the study, outside git: one plain line, exit 2", async () => {
    const unknown = await runCli(["diff", "no-such-branch"], join(top, S));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fieldnotes: Unknown revision 'no-such-branch'/);
    const other = makeRepo();
    writeFiles(other, { "x.txt": "x" });
    const before = commitAll(other, "before");
    writeFiles(other, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK });
    commitAll(other, "study");
    const missing = await runCli(["diff", before], other);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Revision '.*' holds no study at the repository's top folder/);
    expect((await runCli(["diff"], other)).code).toBe(2);
    expect(readFileSync(join(other, "x.txt"), "utf8")).toBe("x");
  }, 120_000);
});
