// Editor overlays: the text of open notes, fieldnotes.yaml and the codebook goes into the study's
// index (setNoteText / setConfigText / setCodebookText) and their diagnostics follow.
//
// Debounce: a note under 16 KB is re-checked on the next turn of the event loop after each edit
// (parsing it takes a few ms, so every keystroke gets fresh diagnostics at once); edits that arrive
// while a check is pending are merged into it. A larger note is re-checked 75 ms after the last
// edit. fieldnotes.yaml and the codebook re-validate every note, so they wait 100 ms after the last
// edit. Any request on a study first applies its pending edits, so answers match the editor's text.
import type { TextDocument } from "vscode-languageserver-textdocument";
import { CONFIG_FILE, type Study } from "../core/index.js";
import type { DiagnosticsManager } from "./diagnostics.js";
import type { Located, StudyHandle, Workspace } from "./workspace.js";

export const CONFIG_DEBOUNCE_MS = 100;
export const LARGE_NOTE_CHARS = 16 * 1024;
export const LARGE_NOTE_DEBOUNCE_MS = 75;

export class DocumentSync {
  private readonly pending = new Map<string, { immediate: boolean }>();
  /** Applied text version by URI (skips re-applying unchanged text). */
  private readonly applied = new Map<string, number>();
  onLog?: (m: string) => void;

  constructor(
    private readonly ws: Workspace,
    private readonly diagnostics: DiagnosticsManager,
    private readonly get: (uri: string) => TextDocument | undefined,
  ) {}

  opened(uri: string): void {
    this.ws.setOpen(uri, true);
    const loc = this.ws.locate(uri, true);
    if (!loc) return;
    this.applied.delete(uri);
    if (loc.kind === "note") this.diagnostics.documentOpened(loc.study, loc.rel);
    this.schedule(uri, true);
  }

  changed(uri: string): void {
    this.schedule(uri, false);
  }

  closed(uri: string): void {
    this.cancel(uri);
    this.applied.delete(uri);
    const loc = this.ws.locate(uri);
    this.ws.setOpen(uri, false);
    if (!loc) return;
    if (!loc.handle.loaded) return;
    const study = loc.study;
    if (loc.kind === "note") {
      study.closeNoteText(loc.rel);
      this.diagnostics.publish(study, [loc.rel]);
    } else {
      study.reloadConfig();
      this.reapplyConfigOverlays(loc.handle);
      this.diagnostics.publishStudy(study);
    }
    // A pull client learns only by pulling again what closing changed: the disk's text counts again
    // (a note may be gone, or have left the openFiles scope).
    this.diagnostics.refresh();
  }

  private cancel(uri: string): void {
    // A cancelled check's timer still fires, finds another (or no) token, and does nothing.
    this.pending.delete(uri);
  }

  private schedule(uri: string, now: boolean): void {
    const existing = this.pending.get(uri);
    if (existing?.immediate) return; // already due on the next turns: it will read the latest text
    const loc = this.ws.locate(uri);
    const isConfig = loc && loc.kind !== "note";
    const large = (this.get(uri)?.getText().length ?? 0) > LARGE_NOTE_CHARS;
    const delay = now ? 0 : isConfig ? CONFIG_DEBOUNCE_MS : large ? LARGE_NOTE_DEBOUNCE_MS : 0;
    const token = { immediate: delay === 0 };
    this.pending.set(uri, token);
    const run = () => {
      if (this.pending.get(uri) === token) this.run(uri);
    };
    // Two hops of setImmediate: a request that arrived together with the edit (completion after
    // typing `#`) is answered before the note is re-parsed; the check still runs at once after it.
    if (delay === 0) setImmediate(() => setImmediate(run));
    else setTimeout(run, delay);
  }

  private run(uri: string): void {
    this.pending.delete(uri);
    const loc = this.ws.locate(uri);
    if (!loc) return;
    if (!loc.handle.loaded) {
      loc.handle.ready.then(() => this.run(uri), () => undefined);
      return;
    }
    try {
      this.apply(uri);
    } catch (err) {
      this.onLog?.(`[sync] applying an edit failed: ${err instanceof Error ? err.name : "error"}`);
    }
  }

  /** Applies a pending edit now (before answering a request on the document). */
  flush(uri: string): void {
    if (!this.pending.has(uri)) return;
    const loc = this.ws.locate(uri);
    if (!loc?.handle.loaded) return;
    this.cancel(uri);
    this.apply(uri);
  }

  /** Puts the editor text of a located open document into its study and publishes what changed. */
  private apply(uri: string): void {
    const doc = this.get(uri);
    const loc = this.ws.locate(uri);
    if (!doc || !loc) return;
    if (this.applied.get(uri) === doc.version && loc.kind === "note" && loc.study.notes.get(loc.rel)?.overlay) return;
    this.applied.set(uri, doc.version);
    const study = loc.study;
    if (loc.kind === "note") {
      study.setNoteText(loc.rel, doc.getText());
      this.diagnostics.publish(study, [loc.rel]);
      return;
    }
    if (loc.kind === "config") {
      study.setConfigText(doc.getText());
      this.reapplyCodebookOverlay(loc.handle);
    } else study.setCodebookText(doc.getText());
    this.diagnostics.publishStudy(study);
    this.diagnostics.refresh();
  }

  /** Applies the open documents of a study that just finished loading (before its first publish). */
  applyOpen(handle: StudyHandle): void {
    for (const uri of this.openUris()) {
      const loc = this.ws.locate(uri);
      if (!loc || loc.handle !== handle) continue;
      this.cancel(uri);
      this.applied.delete(uri);
      try {
        const doc = this.get(uri);
        if (!doc) continue;
        if (loc.kind === "note") loc.study.setNoteText(loc.rel, doc.getText());
        else if (loc.kind === "config") loc.study.setConfigText(doc.getText());
        else loc.study.setCodebookText(doc.getText());
        this.applied.set(uri, doc.version);
      } catch (err) {
        this.onLog?.(`[sync] applying an open document failed: ${err instanceof Error ? err.name : "error"}`);
      }
    }
  }

  /** After the config or codebook was read from disk again, open editors of either still win. */
  reapplyConfigOverlays(handle: StudyHandle): void {
    const study = handle.study;
    const configDoc = this.get(this.ws.uriOf(study, CONFIG_FILE));
    if (configDoc) study.setConfigText(configDoc.getText());
    this.reapplyCodebookOverlay(handle);
  }

  private reapplyCodebookOverlay(handle: StudyHandle): void {
    const study: Study = handle.study;
    const doc = this.get(this.ws.uriOf(study, study.codebookPath));
    if (doc) study.setCodebookText(doc.getText());
  }

  openUris: () => Iterable<string> = () => [];

  /** Located and up to date: waits for the study's load and applies any pending edit. */
  async ready(uri: string): Promise<Located | undefined> {
    const first = this.ws.locate(uri, true);
    if (!first) return undefined;
    await first.handle.ready;
    for (const pending of [...this.pending.keys()]) this.flush(pending);
    return this.ws.locate(uri);
  }
}
