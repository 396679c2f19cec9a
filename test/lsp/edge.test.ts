// The language server at the study's edge (issue 9, section 7), over a real stdio connection: a
// file-change event for a path under a linked folder never makes the server read the file behind the
// link and publish what it holds; the linked folder is reported instead.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOOD_NOTE, makeStudy, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";

const SECRET_CODE = "confidential-marker-7f3a";
let s: TmpStudy | undefined;
let c: Client | undefined;
let outside = "";

afterAll(async () => {
  await c?.stop();
  s?.cleanup();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

describe("file-change events under a linked folder", () => {
  it("the outside note is never read (nothing of it is published); the folder gets file-skipped", async () => {
    // w.md has a warning, so its diagnostics say when the study is loaded.
    s = makeStudy({ "notes/Magenta/w.md": GOOD_NOTE.replace("#gp-buy-in", "#old-code"), "notes/Cobalt/b.md": GOOD_NOTE.replace("Magenta", "Cobalt") });
    outside = mkdtempSync(join(tmpdir(), "fieldnotes-outside-"));
    c = await startClient({ folders: [s.root] });
    await waitFor(() => c!.published.get(s!.uri("notes/Magenta/w.md"))?.length, "the study's first diagnostics");
    // The folder leaves the study and a link to it takes its place; a note is written behind the link.
    execFileSync("bash", ["-c", 'mv notes/Cobalt "$1/Cobalt" && ln -s "$1/Cobalt" notes/Cobalt', "-", outside], { cwd: s.root });
    const secret = s.uri("notes/Cobalt/secret.md");
    writeFileSync(join(outside, "Cobalt", "secret.md"), GOOD_NOTE.replace("Magenta", "Cobalt").replace("#shared-learning", `#${SECRET_CODE}`));
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: secret, type: 1 }, { uri: s.uri("notes/Cobalt/b.md"), type: 2 }] });
    const folder = await waitFor(() => c!.published.get(s!.uri("notes/Cobalt"))?.[0], "the linked folder reported");
    expect(folder.code).toBe("file-skipped");
    expect(folder.message).toMatch(/The folder 'notes\/Cobalt' is a symbolic link/);
    expect(c.published.get(secret) ?? []).toEqual([]);
    expect(c.published.get(s.uri("notes/Cobalt/b.md")) ?? []).toEqual([]);
    expect(JSON.stringify([...c.published])).not.toContain(SECRET_CODE);
  }, 60_000);
});
