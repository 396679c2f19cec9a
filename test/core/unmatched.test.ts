// file-unmatched kept current as files come and go (refresh and watcher events), and one walk of the
// tree serves both the notes and the unmatched files.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Study } from "../../server/core/index.js";
import { GOOD_NOTE, cleanupTemp, makeStudy } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());

const unmatchedOn = (study: Study) => study.configFileDiagnostics.filter((d) => d.rule === "file-unmatched").map((d) => d.message.split("'")[1]);

describe("file-unmatched", () => {
  it("follows refresh and file events", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "other/x.md": "x" });
    const study = await Study.open(root, { cache: false, workers: 1 });
    expect(study.unmatched).toEqual(["other/x.md"]);
    expect(unmatchedOn(study)).toEqual(["other/x.md"]);
    expect(study.fileDiagnostics().find((f) => f.file === "fieldnotes.yaml")?.diagnostics.map((d) => d.rule)).toEqual(["file-unmatched"]);
    writeFileSync(join(root, "notes/Magenta/b.markdown"), GOOD_NOTE);
    expect(study.changeFiles(["notes/Magenta/b.markdown"])).toEqual(["fieldnotes.yaml"]);
    expect(study.unmatched).toEqual(["notes/Magenta/b.markdown", "other/x.md"]);
    rmSync(join(root, "other/x.md"));
    mkdirSync(join(root, "more"));
    writeFileSync(join(root, "more/y.MD"), "y");
    expect(await study.refresh()).toContain("fieldnotes.yaml");
    expect(study.unmatched).toEqual(["more/y.MD", "notes/Magenta/b.markdown"]);
    expect(study.changeFiles(["templates/t.md", "notes/Magenta/photo.png"])).toEqual([]);
  });

  it("leaves out always-ignored places and a nested study's notes", async () => {
    const root = makeStudy({
      "notes/Magenta/a.md": GOOD_NOTE,
      "pilot/fieldnotes.yaml": "study: Pilot\npractices:\n  - id: P\n",
      "pilot/notes/P/x.md": GOOD_NOTE,
      "docs/README.md": "# docs",
      "a/templates/t.md": "t",
      "a/.hidden/h.md": "h",
      "stray.md": "s",
    });
    const study = await Study.open(root, { cache: false, workers: 1 });
    expect(study.unmatched).toEqual(["stray.md"]);
    writeFileSync(join(root, "pilot/notes/P/y.md"), GOOD_NOTE);
    expect(study.changeFiles(["pilot/notes/P/y.md", "a/templates/t.md"])).toEqual([]);
  });
});
