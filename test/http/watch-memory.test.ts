// `serve` keeps its index in step through StudyWatcher → Study.changeFiles: what it retains must not
// grow with the number of versions a saved note has had (each version's facts stayed cached before).
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Study } from "../../server/core/index.js";
import { StudyWatcher } from "../../server/http/watch.js";
import { collectGarbage } from "../../server/lsp/memory.js";

const root = mkdtempSync(join(tmpdir(), "fieldnotes-watch-memory-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bigNote(i: number): string {
  const paragraphs = Array.from({ length: 120 }, (_, k) => `Paragraph ${k} of save ${i}: the practice manager talked about the rota and #gp-buy-in again.`);
  return `---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n${paragraphs.join("\n\n")}\n`;
}

describe("serve: memory over many saves", () => {
  it("250 saves of one 15 KB note, applied through the watcher, retain less than 8 MB", async () => {
    writeFileSync(join(root, "fieldnotes.yaml"), 'study: T\nperiod: { start: 2015-01-01, end: 2016-12-31 }\nnotes: ["notes/**/*.md"]\npractices:\n  - id: Magenta\n');
    writeFileSync(join(root, "codebook.yaml"), "codes:\n  gp-buy-in:\n    label: GP buy-in\n");
    mkdirSync(join(root, "notes"));
    writeFileSync(join(root, "notes/a.md"), bigNote(0));
    const study = await Study.open(root, { workers: 1 });
    const watcher = new StudyWatcher(study, { debounceMs: 1 }).start();
    try {
      const save = async (i: number) => {
        writeFileSync(join(root, "notes/a.md"), bigNote(i));
        const v = study.version;
        for (let t = 0; t < 2000 && study.version === v; t++) await new Promise((r) => setTimeout(r, 2));
        await watcher.settled();
      };
      for (let i = 1; i <= 20; i++) await save(i);
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      for (let i = 21; i <= 270; i++) await save(i);
      collectGarbage();
      const grew = (process.memoryUsage().heapUsed - before) / 1048576;
      expect(study.notes.get("notes/a.md")!.facts.segments[0].text).toContain("save 270");
      expect(grew).toBeLessThan(8);
    } finally {
      watcher.close();
    }
  }, 180_000);
});
