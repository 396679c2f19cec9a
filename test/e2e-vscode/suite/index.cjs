// The end-to-end suite run inside a real VS Code (code-server) with the extension in development
// mode. Each scenario waits by polling. Results: see harness.cjs.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vscode = require("vscode");
const { Suite, waitFor, assert, diagCode, fieldnotesDiagnostics } = require("./harness.cjs");

const EXT_ID = "fieldnotes.fieldnotes";
const BROKEN = "notes/Cobalt/2016-06-01-observation.md";

function studyRoot() {
  return vscode.workspace.workspaceFolders[0].uri.fsPath;
}
function uriOf(rel) {
  return vscode.Uri.file(path.join(studyRoot(), ...rel.split("/")));
}
function listNotes(dir = path.join(studyRoot(), "notes")) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listNotes(p));
    else if (e.name.endsWith(".md")) out.push(p);
  }
  return out.sort();
}
/** Code ids of the codebook, in order (a light reading of codebook.yaml: two-space-indented keys under `codes:`). */
function codebookIds() {
  const text = fs.readFileSync(path.join(studyRoot(), "codebook.yaml"), "utf8");
  const ids = [];
  let inCodes = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^codes:\s*$/.test(line)) inCodes = true;
    else if (/^\S/.test(line)) inCodes = false;
    else if (inCodes) {
      const m = /^ {2}([a-z0-9]+(?:-[a-z0-9]+)*):/.exec(line);
      if (m) ids.push(m[1]);
    }
  }
  return ids;
}
/** Finds `#code` inline in note bodies: [{file, line, character}] (character of the code's first letter). */
function inlineUses(code) {
  const uses = [];
  const re = new RegExp(`(^|[\\s(\\[{"'])#${code}(?![A-Za-z0-9-])`, "g");
  for (const f of listNotes()) {
    const lines = fs.readFileSync(f, "utf8").split(/\r?\n/);
    let fence = 0;
    let inBody = false;
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && lines[i] === "---" && !inBody) {
        inBody = true;
        continue;
      }
      if (!inBody || i === 0) continue;
      if (/^\s*(```|~~~)/.test(lines[i])) fence ^= 1;
      if (fence) continue;
      let m;
      re.lastIndex = 0;
      while ((m = re.exec(lines[i]))) uses.push({ file: f, line: i, character: m.index + m[1].length + 1 });
    }
  }
  return uses;
}
/** Inline uses of a code in the broken note (excluded from the counts). */
function countBrokenUses(code) {
  const broken = path.join(studyRoot(), ...BROKEN.split("/"));
  return inlineUses(code).some((u) => u.file === broken) ? 1 : 0;
}
function hoverText(hovers) {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : c.value))
    .join("\n");
}

async function run() {
  const suite = new Suite("dev");
  let api;
  const root = studyRoot();
  const serverBuilt = fs.existsSync(path.join(__dirname, "..", "..", "..", "extension", "dist", "server.js"));

  await suite.test("extension activates in the study", async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert(ext, `extension ${EXT_ID} not found`);
    await waitFor("activation", () => ext.isActive, 60000);
    api = ext.exports;
    assert(api && typeof api.statusBarText === "function", "activate() returned no API");
    await waitFor("the study to be found", () => api.studies().length === 1, 30000);
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ["fieldnotes.newNote", "fieldnotes.openSummary", "fieldnotes.openSummaryInBrowser", "fieldnotes.checkStudy", "fieldnotes.restartServer", "fieldnotes.showOutput"]) {
      assert(cmds.includes(c), `command ${c} not registered`);
    }
  });

  await suite.test("diagnostics for the broken note (code-unknown, source fieldnotes), unopened", async () => {
    const uri = uriOf(BROKEN);
    const diags = await waitFor(
      `code-unknown on ${BROKEN}`,
      () => {
        const d = fieldnotesDiagnostics(uri);
        return d.some((x) => diagCode(x) === "code-unknown") && d;
      },
      90000,
    );
    const d = diags.find((x) => diagCode(x) === "code-unknown");
    assert(d.severity === vscode.DiagnosticSeverity.Error, `severity ${d.severity}`);
    assert(d.range.start.line > 0, "range should point at the code, not the file start");
  });

  await suite.test("status bar shows the study name and error/warning counts", async () => {
    const name = api.studies()[0].name;
    let t = "";
    const text = await waitFor("status bar with errors", () => {
      t = api.statusBarText();
      const m = /\$\(error\) (\d+)\s+\$\(warning\) (\d+)/.exec(t);
      return t.includes(name.slice(0, 20)) && m && Number(m[1]) > 0 && t;
    }, 30000).catch((e) => {
      throw new Error(`${e.message}; status bar: '${t}'`);
    });
    let errors = 0;
    for (const [, ds] of vscode.languages.getDiagnostics()) errors += ds.filter((d) => d.source === "fieldnotes" && d.severity === vscode.DiagnosticSeverity.Error).length;
    assert(text.includes(`$(error) ${errors}`), `status '${text}' but ${errors} errors`);
  });

  await suite.test("completion after # offers the codebook's codes", async () => {
    const ids = codebookIds();
    assert(ids.length > 0, "no codes in codebook.yaml");
    const doc = await vscode.workspace.openTextDocument(uriOf(BROKEN));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const last = doc.lineCount - 1;
    const end = doc.lineAt(last).range.end;
    await editor.edit((b) => b.insert(end, (doc.lineAt(last).text.length ? "\n\nReception again " : "Reception again ") + "#"));
    const pos = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(pos, pos);
    try {
      let labels = [];
      try {
        await waitFor("completion items with codes", async () => {
          const l = await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", doc.uri, pos, "#");
          labels = l.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
          return ids.some((id) => labels.includes(id));
        }, 60000, 250);
      } catch (e) {
        throw new Error(`${e.message}; got: ${labels.slice(0, 20).join(", ")}`);
      }
      const missing = ids.filter((id) => !labels.includes(id));
      assert(missing.length === 0, `codes missing from completion: ${missing.join(", ")}`);
    } finally {
      // Screenshot, pass or fail: squiggles and the suggest widget open in the real editor.
      await vscode.window.showTextDocument(doc, { preview: false, selection: new vscode.Selection(pos, pos) });
      await vscode.commands.executeCommand("editor.action.triggerSuggest");
      await suite.screenshot("completion");
      await vscode.commands.executeCommand("hideSuggestWidget");
      await vscode.commands.executeCommand("workbench.action.files.revert");
    }
  });

  await suite.test("hover on an inline code shows its description", async () => {
    const ids = codebookIds();
    const text = fs.readFileSync(path.join(root, "codebook.yaml"), "utf8");
    const code = ids.find((id) => inlineUses(id).length > 0 && new RegExp(`\\n  ${id}:[\\s\\S]*?\\n    description:`).test(text)) || ids.find((id) => inlineUses(id).length > 0);
    assert(code, "no code used inline in the notes");
    const use = inlineUses(code)[0];
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(use.file));
    const pos = new vscode.Position(use.line, use.character + 1);
    const label = new RegExp(`\\n  ${code}:\\s*\\n(?:    .*\\n)*?    label:\\s*(.+)`).exec(text);
    const descr = new RegExp(`\\n  ${code}:\\s*\\n(?:    .*\\n)*?    description:\\s*(.+)`).exec(text);
    const want = (descr ? descr[1] : label ? label[1] : code).trim().replace(/^["'>|]\s*/, "").slice(0, 25);
    const hover = await waitFor("hover", async () => {
      const h = await vscode.commands.executeCommand("vscode.executeHoverProvider", doc.uri, pos);
      const t = hoverText(h || []);
      return t.includes(want) && t;
    }, 60000, 250);
    assert(hover.length > 0, "empty hover");
  });

  await suite.test("New Note creates the note from the template and opens it at the body", async () => {
    const practice = api.studies()[0].practices[0].id;
    const created = await vscode.commands.executeCommand("fieldnotes.newNote", { study: root, practice, type: "interview", date: "2016-07-01" });
    const expected = path.join(root, "notes", practice, "2016-07-01-interview.md");
    assert(created === expected, `created ${created}, expected ${expected}`);
    const text = fs.readFileSync(expected, "utf8");
    assert(new RegExp(`^---\\r?\\n[\\s\\S]*practice: ${practice}\\b`).test(text), `frontmatter lacks practice:\n${text}`);
    assert(/date: 2016-07-01/.test(text), "date missing");
    assert(/type: interview/.test(text), "type missing");
    const ed = vscode.window.activeTextEditor;
    assert(ed && ed.document.uri.fsPath === expected, "the new note is not the active editor");
    const closing = text.split(/\r?\n/).indexOf("---", 1);
    assert(ed.selection.active.line > closing, `cursor on line ${ed.selection.active.line}, frontmatter ends on ${closing}`);
    const again = await vscode.commands.executeCommand("fieldnotes.newNote", { study: root, practice, type: "interview", date: "2016-07-01" });
    assert(again === path.join(root, "notes", practice, "2016-07-01-interview-2.md"), `second note: ${again}`);
    assert(fs.readFileSync(expected, "utf8") === text, "the first note was overwritten");
  });

  await suite.test("evidence links open the note at the line", async () => {
    const f = path.relative(root, listNotes()[0]).split(path.sep).join("/");
    const ed = await api.openEvidence(root, f, 3);
    assert(ed.document.uri.fsPath === path.join(root, f), "wrong file");
    assert(ed.selection.active.line === 2, `line ${ed.selection.active.line}`);
    const ed2 = await api.openEvidence(root, vscode.Uri.file(path.join(root, f)).toString() + "#L2");
    assert(ed2.selection.active.line === 1, `file URL line ${ed2.selection.active.line}`);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  await suite.test("Open Integration Summary serves the study and shows the report", async () => {
    if (!fs.existsSync(path.join(__dirname, "..", "..", "..", "extension", "dist", "cli.js"))) return "skip";
    const url = await vscode.commands.executeCommand("fieldnotes.openSummary", root);
    assert(typeof url === "string" && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(url), `url ${url}`);
    const res = await fetch(new URL("api/health", url));
    const body = await res.json();
    assert(res.status === 200 && body.status === "ok", `health ${res.status} ${JSON.stringify(body)}`);
    const again = await vscode.commands.executeCommand("fieldnotes.openSummary", root);
    assert(again === url, "the running server was not reused");
    const html = await (await fetch(url)).text();
    assert(/<html/i.test(html), "GET / is not HTML");
    await suite.screenshot("summary");
  });

  await suite.test("clicking an evidence link in the summary opens the note at its line", async () => {
    if (!process.env.FIELDNOTES_E2E_SCREENSHOTS) return "skip"; // needs the runner to click in the page
    const clicked = await suite.ask("click-evidence");
    assert(clicked && clicked.file, `the runner found no evidence link to click: ${JSON.stringify(clicked)}`);
    const want = path.join(root, ...clicked.file.split("/"));
    const ed = await waitFor(`an editor on ${clicked.file}`, () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === want && e;
    }, 20000);
    assert(ed.selection.active.line === Number(clicked.line) - 1, `cursor on line ${ed.selection.active.line + 1}, link said ${clicked.line}`);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  await suite.test("Check Study opens the Problems view with the server running", async () => {
    await vscode.commands.executeCommand("fieldnotes.checkStudy");
    const client = api.client();
    assert(client && client.isRunning(), "language client not running");
  });

  await suite.test("Restart Server brings diagnostics back", async () => {
    if (!serverBuilt) return "skip";
    await vscode.commands.executeCommand("fieldnotes.restartServer");
    await waitFor("client running", () => api.client() && api.client().isRunning(), 30000);
    await waitFor("diagnostics after restart", () => fieldnotesDiagnostics(uriOf(BROKEN)).some((d) => diagCode(d) === "code-unknown"), 60000);
  });

  await suite.test("a crashed language server is restarted, telling the user once", async () => {
    if (!serverBuilt) return "skip";
    for (let i = 1; i <= 2; i++) {
      const proc = api.client()._serverProcess; // vscode-languageclient/node's child process (private)
      if (!proc || !proc.pid) return "skip";
      process.kill(proc.pid, "SIGKILL");
      await waitFor(`stop ${i} noticed`, () => api.serverStops().stops === i, 20000);
      await waitFor(`server ${i} restarted`, () => {
        const p = api.client()._serverProcess;
        return api.client().isRunning() && p && p.pid !== proc.pid;
      }, 30000);
    }
    assert(api.serverStops().messages === 1, `messages shown: ${api.serverStops().messages}`);
    await waitFor("diagnostics after the crash", () => fieldnotesDiagnostics(uriOf(BROKEN)).some((d) => diagCode(d) === "code-unknown"), 60000);
  });

  /**
   * Writes a Magenta note with `body` (never opened before, so no earlier scenario's editor holds it),
   * runs `fn` with a counter of its diagnostics of `rule`, then resets `setting` and deletes the note.
   */
  async function withSettingOnNewNote(name, body, rule, setting, fn) {
    const rel = `notes/Magenta/2016-05-09-e2e-${name}.md`;
    const file = path.join(studyRoot(), ...rel.split("/"));
    const config = vscode.workspace.getConfiguration("fieldnotes");
    const count = () => fieldnotesDiagnostics(uriOf(rel)).filter((d) => diagCode(d) === rule).length;
    fs.writeFileSync(file, `---\npractice: Magenta\ndate: 2016-05-09\nnpt: coherence\n---\n\n${body}\n`);
    try {
      await waitFor(`${rule} on the new note`, () => count() === 1, 60000);
      await fn({ rel, count, set: (value) => config.update(setting, value, vscode.ConfigurationTarget.Workspace) });
    } finally {
      await config.update(setting, undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(file, { force: true });
    }
    return rel;
  }

  await suite.test("fieldnotes.identifiers.enabled: false hides identifier warnings, true brings them back; a deleted note loses its diagnostics", async () => {
    const body = "The link worker wrote to jo.bloggs@example.org about the referral form.";
    const rel = await withSettingOnNewNote("identifier", body, "identifier-suspected", "identifiers.enabled", async ({ count, set }) => {
      await set(false);
      await waitFor("identifier warning hidden", () => count() === 0, 30000);
      await set(undefined);
      await waitFor("identifier warning back", () => count() === 1, 30000);
    });
    await waitFor("the deleted note's diagnostics cleared", () => fieldnotesDiagnostics(uriOf(rel)).length === 0, 30000);
  });

  await suite.test("fieldnotes.diagnostics.scope: openFiles checks only open notes; workspace checks them all again", async () => {
    const body = "The practice manager asked about the huddle. #no-such-code";
    await withSettingOnNewNote("scope", body, "code-unknown", "diagnostics.scope", async ({ rel, count, set }) => {
      await set("openFiles");
      await waitFor("no diagnostics for the unopened note", () => count() === 0, 30000);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uriOf(rel)));
      await waitFor("diagnostics once the note is open", () => count() === 1, 30000);
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
      await set(undefined);
      await waitFor("diagnostics with the workspace scope again", () => count() === 1, 30000);
    });
    // No check that this deleted note's diagnostics go: VS Code keeps a closed document for a while,
    // and while it is open its text counts (the scenario above checks a deleted unopened note).
  });

  await suite.test("the Fieldnotes view container shows the codebook with each code's use", async () => {
    const wb = api.workbench();
    assert(wb, "no workbench in the extension's API");
    await vscode.commands.executeCommand("workbench.view.extension.fieldnotes");
    const ids = codebookIds();
    const rows = await waitFor("the Codebook view's codes", async () => {
      await wb.refresh();
      const r = wb.codebook.codesOf(root);
      return r.length === ids.length && r;
    }, 60000, 500);
    assert(JSON.stringify(rows.map((r) => r.id)) === JSON.stringify(ids), `codes ${rows.map((r) => r.id).join(",")} vs codebook ${ids.join(",")}`);
    // Segment counts: every inline use of a code in a paragraph of its own line range counts once per
    // segment; the example writes one use per segment, so the count of distinct (file, segment) pairs
    // is bounded by the inline uses and is positive exactly when the code is used inline.
    for (const r of rows) {
      const uses = inlineUses(r.id).length;
      assert((r.segments > 0) === (uses > 0), `${r.id}: ${r.segments} segments but ${uses} inline uses`);
      assert(r.segments <= uses, `${r.id}: ${r.segments} segments > ${uses} inline uses`);
      assert(r.notes >= new Set(inlineUses(r.id).map((u) => u.file)).size - countBrokenUses(r.id), `${r.id}: ${r.notes} notes`);
    }
    const top = wb.codebook.getChildren();
    assert(top.length > 0 && top.every((n) => n.kind === "code"), "the Codebook view's top level is not the code hierarchy");
    const item = wb.codebook.getTreeItem(top[0]);
    assert(/\d+ notes? · \d+ segments?/.test(String(item.description)), `description '${item.description}'`);
    await suite.screenshot("codebook-view");
  });

  await suite.test("the Practices view shows each practice's integration with its reasons", async () => {
    const wb = api.workbench();
    const practices = await waitFor("practices", async () => {
      await wb.practices.refresh();
      const p = wb.practices.getChildren().filter((n) => n.kind === "practice");
      return p.length === api.studies()[0].practices.length && p;
    }, 60000, 500);
    const partial = practices.find((n) => n.practice.integration === "partial");
    assert(partial, "no partially integrated practice in the example");
    const item = wb.practices.getTreeItem(partial);
    assert(String(item.description).includes("partially integrated"), `description '${item.description}'`);
    const children = wb.practices.getChildren(partial);
    assert(children.some((c) => c.label === partial.practice.reasons[0]), "the reasons are not listed under the practice");
    assert(children.filter((c) => c.id.startsWith("construct:")).length === 4, "not one row per construct");
  });

  await suite.test("choosing a code fills the Segments view; a row opens the note at the segment", async () => {
    const wb = api.workbench();
    const code = wb.codebook.codesOf(root).filter((c) => c.segments > 0).sort((a, b) => b.segments - a.segments)[0];
    assert(code, "no code with segments");
    const result = await vscode.commands.executeCommand("fieldnotes.showSegments", { root, code: code.id });
    assert(result && result.total === code.segments, `Segments view: ${result && result.total} segments, the Codebook says ${code.segments}; ${wb.segments.error || ""}`);
    const groups = wb.segments.getChildren();
    assert(groups.length > 0 && groups.every((g) => g.kind === "note"), "segments are not grouped by note");
    const row = wb.segments.getChildren(groups[0])[0];
    const item = wb.segments.getTreeItem(row);
    assert(item.command && item.command.command === "fieldnotes.openSegment", "a row does not open its segment");
    await suite.screenshot("segments-view");
    const ed = await vscode.commands.executeCommand(item.command.command, ...item.command.arguments);
    assert(ed.document.uri.fsPath === path.join(root, ...row.row.file.split("/")), `opened ${ed.document.uri.fsPath}`);
    assert(ed.selection.start.line === row.row.line - 1, `cursor on line ${ed.selection.start.line + 1}, segment at ${row.row.line}`);
    assert(ed.document.getText(ed.selection).includes(`#${code.id}`), "the selection does not hold the segment's code");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  await suite.test("codebook.yaml has a CodeLens with each code's use", async () => {
    const uri = vscode.Uri.file(path.join(root, "codebook.yaml"));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lenses = await waitFor("code lenses", async () => {
      const l = await vscode.commands.executeCommand("vscode.executeCodeLensProvider", uri);
      return l && l.length === codebookIds().length && l;
    }, 60000, 500);
    for (const l of lenses) assert(/^\d+ notes? · \d+ segments?$/.test(l.command.title), `lens '${l.command.title}'`);
    assert(lenses.every((l) => l.command.command === "fieldnotes.showSegments"), "a lens does not show segments");
    await suite.screenshot("codelens");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  await suite.test("a coded note gets margin marks and its practice and date in the status bar", async () => {
    const wb = api.workbench();
    const code = codebookIds().find((id) => inlineUses(id).length > 0);
    const use = inlineUses(code).find((u) => !u.file.endsWith(BROKEN.split("/").pop()));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(use.file));
    await vscode.window.showTextDocument(doc, { preview: false });
    const applied = await waitFor("margin marks", () => {
      const a = wb.marks.applied.get(doc.uri.toString());
      return a && Object.keys(a).length > 0 && a;
    }, 60000, 250);
    const lines = Object.values(applied).flat();
    assert(lines.some((l) => l <= use.line + 1), `marks at ${lines.join(",")} but a code on line ${use.line + 1}`);
    const practice = /\npractice:\s*(\S+)/.exec(doc.getText())[1];
    const status = await waitFor("note status", () => wb.noteStatusText().includes(practice) && wb.noteStatusText(), 10000);
    assert(/\d{4}-\d{2}-\d{2}/.test(status), `status '${status}'`);
    await suite.screenshot("margin-marks");
    await vscode.workspace.getConfiguration("fieldnotes").update("segments.highlight", false, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor("marks off", () => Object.keys(wb.marks.applied.get(doc.uri.toString()) || {}).length === 0, 20000);
    } finally {
      await vscode.workspace.getConfiguration("fieldnotes").update("segments.highlight", undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  await suite.test("Export Study as REFI-QDA writes a .qdpx", async () => {
    const out = path.join(require("node:os").tmpdir(), `fieldnotes-e2e-${process.pid}.qdpx`);
    fs.rmSync(out, { force: true });
    const written = await vscode.commands.executeCommand("fieldnotes.exportRefi", { study: root, out });
    assert(written === out, `the command returned ${written}`);
    const head = fs.readFileSync(out).subarray(0, 2).toString("latin1");
    assert(head === "PK", `not a ZIP: ${JSON.stringify(head)}`);
    fs.rmSync(out, { force: true });
  });

  await suite.test("the getting-started walkthrough is registered", async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    const walks = (ext.packageJSON.contributes && ext.packageJSON.contributes.walkthroughs) || [];
    const w = walks.find((x) => x.id === "fieldnotes.gettingStarted");
    assert(w && w.steps.length >= 5, "no walkthrough with five steps");
    for (const step of w.steps) {
      const md = step.media && step.media.markdown;
      assert(md && fs.existsSync(path.join(ext.extensionPath, md)), `step ${step.id}: media ${md} missing`);
    }
    await vscode.commands.executeCommand("workbench.action.openWalkthrough", `${EXT_ID}#fieldnotes.gettingStarted`, false);
    await suite.screenshot("walkthrough");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  await suite.test("rename a code changes the codebook and every note", async () => {
    const ids = codebookIds();
    const counts = ids.map((id) => [id, new Set(inlineUses(id).map((u) => u.file)).size]).sort((a, b) => b[1] - a[1]);
    const [code, nfiles] = counts[0];
    assert(nfiles > 0, "no code is used inline");
    const newId = `${code}-renamed`;
    const uses = inlineUses(code);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(uses[0].file));
    const pos = new vscode.Position(uses[0].line, uses[0].character + 1);
    const edit = await vscode.commands.executeCommand("vscode.executeDocumentRenameProvider", doc.uri, pos, newId);
    assert(edit && edit.size > 0, "no rename edit");
    const touched = edit.entries().map(([u]) => u.fsPath);
    assert(touched.includes(path.join(root, "codebook.yaml")), `codebook not in the edit: ${touched.join(", ")}`);
    const cbEdits = edit.get(vscode.Uri.file(path.join(root, "codebook.yaml")));
    const ok = await vscode.workspace.applyEdit(edit);
    assert(ok, "applyEdit failed");
    const cbDoc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root, "codebook.yaml")));
    assert(new RegExp(`\\n  ${newId}:`).test(cbDoc.getText()), `codebook document not renamed; edits: ${JSON.stringify(cbEdits)}`);
    for (const [u] of edit.entries()) {
      await waitFor(`${path.relative(root, u.fsPath)} saved`, async () => {
        const d = await vscode.workspace.openTextDocument(u);
        if (d.isDirty) await d.save();
        return !d.isDirty;
      }, 15000, 200);
    }
    const cb = fs.readFileSync(path.join(root, "codebook.yaml"), "utf8");
    assert(new RegExp(`\\n  ${newId}:`).test(cb), "codebook key not renamed");
    assert(!new RegExp(`\\n  ${code}:`).test(cb), "old codebook key still there");
    assert(inlineUses(code).length === 0, `uses of #${code} remain: ${inlineUses(code).map((u) => path.relative(root, u.file) + ":" + (u.line + 1)).join(", ")}`);
    assert(inlineUses(newId).length === uses.length, `#${newId} used ${inlineUses(newId).length} times, expected ${uses.length}`);
    await waitFor("no code-unknown for the renamed code", () => {
      for (const [, ds] of vscode.languages.getDiagnostics()) {
        if (ds.some((d) => d.source === "fieldnotes" && diagCode(d) === "code-unknown" && d.message.includes(newId))) return false;
      }
      return true;
    }, 30000);
  });

  suite.finish();
}

module.exports = { run };

// Under @vscode/test-cli (desktop, .vscode-test.mjs) this file is loaded by Mocha: one test runs the suite.
if (typeof describe === "function" && typeof it === "function") {
  describe("fieldnotes in VS Code", function () {
    this.timeout(10 * 60000);
    it("passes every scenario", async () => {
      await run();
      const { resultFile } = require("./harness.cjs");
      const r = JSON.parse(fs.readFileSync(resultFile(), "utf8"));
      const failed = r.tests.filter((t) => !t.ok);
      if (failed.length) throw new Error(failed.map((t) => `${t.name}: ${t.error}`).join("\n\n"));
    });
  });
}
