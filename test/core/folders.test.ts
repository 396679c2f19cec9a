// practice-folder-mismatch (SPEC section 6): a note in another practice's folder, with none of its
// own, is warned about, on a study opened from disk (cold and warm cache, identical copies).
import { afterAll, describe, expect, it } from "vitest";
import { Study } from "../../server/core/index.js";
import { practiceFolderMismatch } from "../../server/core/folders.js";
import { GOOD_NOTE, cleanupTemp, makeStudy } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());

const rulesOf = (study: Study, rel: string) => study.notes.get(rel)!.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}:${d.rule}:${d.severity}`);

describe("practice-folder-mismatch", () => {
  it("warns on a note copied into another practice's folder (same content as the original), on cold and warm runs", async () => {
    const root = makeStudy({
      "notes/Magenta/a.md": GOOD_NOTE,
      "notes/Cobalt/a-copy.md": GOOD_NOTE, // practice: Magenta
      "notes/Cobalt/2016/Magenta-visit/b.md": GOOD_NOTE, // a folder named after another practice is not "Magenta"
      "notes/Cobalt/Magenta/c.md": GOOD_NOTE, // a folder named after its own practice: fine
      "notes/shared/d.md": GOOD_NOTE, // no practice folder at all: fine
    });
    for (const cache of [true, true, false]) {
      const study = await Study.open(root, { cache, workers: 1, today: "2016-06-01" });
      expect(rulesOf(study, "notes/Magenta/a.md")).toEqual([]);
      expect(rulesOf(study, "notes/Cobalt/a-copy.md")).toEqual(["1:10:practice-folder-mismatch:warning"]);
      expect(rulesOf(study, "notes/Cobalt/2016/Magenta-visit/b.md")).toEqual(["1:10:practice-folder-mismatch:warning"]);
      expect(rulesOf(study, "notes/Cobalt/Magenta/c.md")).toEqual([]);
      expect(rulesOf(study, "notes/shared/d.md")).toEqual([]);
      const d = study.notes.get("notes/Cobalt/a-copy.md")!.diagnostics[0];
      expect(d.message).toMatch(/folder of practice 'Cobalt'.*practice: Magenta/);
      expect(d.data?.suggestions).toEqual(["Cobalt"]);
      expect(study.notes.get("notes/Cobalt/a-copy.md")!.excluded).toBe(false); // a warning: still counted
    }
  });

  it("follows the editor's text, and a disable comment silences it", async () => {
    const root = makeStudy({ "notes/Cobalt/x.md": GOOD_NOTE });
    const study = await Study.open(root, { cache: false, workers: 1, today: "2016-06-01" });
    expect(rulesOf(study, "notes/Cobalt/x.md")).toEqual(["1:10:practice-folder-mismatch:warning"]);
    study.setNoteText("notes/Cobalt/x.md", GOOD_NOTE.replace("practice: Magenta", "practice: Cobalt"));
    expect(rulesOf(study, "notes/Cobalt/x.md")).toEqual([]);
    study.setNoteText("notes/Cobalt/x.md", GOOD_NOTE.replace("---\npractice", "---\n# <!-- fieldnotes-disable-next-line practice-folder-mismatch -->\npractice"));
    expect(rulesOf(study, "notes/Cobalt/x.md")).toEqual([]);
  });

  it("compares ids exactly, and names the folder nearest the note", () => {
    const range = { start: { line: 1, character: 10 }, end: { line: 1, character: 17 } };
    const ids = new Set(["Magenta", "Cobalt", "Teal"]);
    expect(practiceFolderMismatch("notes/cobalt/x.md", { id: "Magenta", range }, ids)).toBeUndefined();
    expect(practiceFolderMismatch("Teal/notes/Cobalt/x.md", { id: "Magenta", range }, ids)?.data?.suggestions).toEqual(["Cobalt"]);
    expect(practiceFolderMismatch("notes/Cobalt.md", { id: "Magenta", range }, ids)).toBeUndefined(); // a file, not a folder
  });
});
