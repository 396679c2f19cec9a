// `fieldnotes diff --format md`: what a pull request changes in the findings, for a PR comment or a
// job summary. Note text never appears: paths, ids, classifications and counts only.
import type { StudyDiff, AssessmentRef, VersionRef } from "../core/diff.js";
import { mdText } from "./markdown.js";
import { constructTitle } from "./util.js";

const name = (v: VersionRef) => `\`${v.source.replace(/`/g, "'")}\`${v.commit ? ` (${v.commit.slice(0, 10)})` : ""}`;
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const assessed = (a: AssessmentRef | null) => (a ? `${a.assessment} (${a.date}, ${mdText(a.file)})` : "–");

/** The diff as Markdown; says plainly when nothing of substance changed. */
export function renderDiffMarkdown(d: StudyDiff): string {
  const out: string[] = [`## fieldnotes: ${name(d.a)} → ${name(d.b)}`, ""];
  if (!d.changed) {
    out.push("No change of substance: the same classifications, latest assessments, notes, exclusions, codes and diagnostic counts.", "");
    return out.join("\n");
  }
  if (d.practices.length) {
    out.push("### Integration", "", "| Practice | From | To | Reasons now |", "| --- | --- | --- | --- |");
    for (const p of d.practices) out.push(`| ${mdText(p.practice)} | ${p.from ?? "–"} | ${p.to ?? "–"} | ${p.reasons.length ? p.reasons.map(mdText).join("; ") : "–"} |`);
    out.push("");
  }
  if (d.assessments.length) {
    out.push("### Latest assessments", "", "| Practice | Construct | From | To |", "| --- | --- | --- | --- |");
    for (const a of d.assessments) out.push(`| ${mdText(a.practice)} | ${constructTitle(a.construct)} | ${assessed(a.from)} | ${assessed(a.to)} |`);
    out.push("");
  }
  const n = d.notes;
  if (n.added.length + n.removed.length + n.newlyExcluded.length + n.noLongerExcluded.length) {
    out.push("### Notes", "");
    if (n.added.length) out.push(`- Added (${n.added.length}): ${n.added.map(code).join(", ")}`);
    if (n.removed.length) out.push(`- Removed (${n.removed.length}): ${n.removed.map(code).join(", ")}`);
    if (n.newlyExcluded.length) out.push(`- Newly excluded (${n.newlyExcluded.length}): ${n.newlyExcluded.map((e) => `${code(e.file)} (${e.rules.join(", ")})`).join(", ")}`);
    if (n.noLongerExcluded.length) out.push(`- No longer excluded (${n.noLongerExcluded.length}): ${n.noLongerExcluded.map(code).join(", ")}`);
    out.push("");
  }
  const c = d.codes;
  if (c.added.length + c.removed.length + c.newlyDeprecated.length) {
    out.push("### Codes", "");
    if (c.added.length) out.push(`- Added: ${c.added.map(code).join(", ")}`);
    if (c.removed.length) out.push(`- Removed: ${c.removed.map(code).join(", ")}`);
    if (c.newlyDeprecated.length) out.push(`- Newly deprecated: ${c.newlyDeprecated.map(code).join(", ")}`);
    out.push("");
  }
  const { a, b } = d.diagnostics;
  out.push("### Diagnostics", "", "| | Errors | Warnings | Information |", "| --- | ---: | ---: | ---: |");
  out.push(`| ${name(d.a)} | ${a.error} | ${a.warning} | ${a.information} |`, `| ${name(d.b)} | ${b.error} | ${b.warning} | ${b.information} |`, "");
  return out.join("\n");
}
