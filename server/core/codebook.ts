// codebook.yaml: the theme codes (SPEC section 3). Problems are located diagnostics on the codebook;
// codes whose entry is invalid are still known, so notes do not get a cascade of code-unknown.
import type { CodeEntry, Codebook, Diagnostic, Range, RuleId } from "./types.js";
import { LineIndex, lineRange } from "./text.js";
import { parseYamlFacts, scalarText } from "./yamlfacts.js";
import { NPT_IDS, britishSpelling, isNptId } from "./npt.js";
import { Suggester, closest, didYouMean } from "./suggest.js";

export const CODE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The valid code id closest in spelling to `id` (`GP-Workload` → `gp-workload`, `Practice_Champion` → `practice-champion`), or "" when it has no letters or digits. */
export function toCodeId(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}
const ENTRY_KEYS = ["label", "description", "npt", "parent", "deprecated", "replacedBy"];

export interface CodebookResult {
  codebook: Codebook;
  diagnostics: Diagnostic[];
}

export function emptyCodebook(): Codebook {
  return { order: [], codes: new Map() };
}

/**
 * A codebook larger than this is not read (codebook-invalid where it runs past the limit): about
 * 20,000 codes. YAML reads about 1 MB a second into a tree of 150 bytes a byte here: a 10 MB
 * codebook took 20 s and 1.5 GB (bench/hostile-cli.mjs), past issue 9's budget of 5 s and 500 MB.
 */
export const MAX_CODEBOOK_BYTES = 1024 * 1024;

export function parseCodebook(text: string): CodebookResult {
  const index = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const codebook = emptyCodebook();
  const problem = (rule: RuleId, message: string, range: Range, suggestions?: string[]) =>
    diagnostics.push({ rule, severity: "error", message, range, ...(suggestions?.length ? { data: { suggestions } } : {}) });
  if (text.length > MAX_CODEBOOK_BYTES) {
    const line = index.position(MAX_CODEBOOK_BYTES).line;
    problem("codebook-invalid", `The codebook is larger than ${MAX_CODEBOOK_BYTES / 1048576} MB (it runs past it here), so it was not read. Split long descriptions out, or keep the codes a team can apply.`, lineRange(index, line));
    return { codebook, diagnostics };
  }
  const parsed = parseYamlFacts(text, 0, index);
  for (const p of parsed.problems) problem("codebook-invalid", `codebook.yaml: ${p.message}`, p.range);
  if (parsed.problems.length) return { codebook, diagnostics };
  const root = parsed.value;
  const codesEntry = root?.kind === "map" ? root.entries.find((e) => e.key === "codes") : undefined;
  if (!codesEntry) {
    problem("codebook-invalid", "The codebook must be a mapping with a `codes` key holding the codes.", root?.range ?? lineRange(index, 0));
    return { codebook, diagnostics };
  }
  const codes = codesEntry.value;
  if (!codes) return { codebook, diagnostics }; // `codes:` with nothing yet is an empty codebook
  if (codes.kind !== "map") {
    problem("codebook-invalid", "`codes` must be a mapping from code id to its entry.", codes.range);
    return { codebook, diagnostics };
  }
  for (const e of codes.entries) {
    const id = e.key;
    if (!CODE_ID.test(id)) {
      const fixed = toCodeId(id);
      const s = fixed ? [fixed] : [];
      problem("codebook-invalid", `Code id '${id}' must be lower-case words joined by hyphens: ${fixed ? `write '${fixed}'` : "e.g. 'gp-buy-in'"}.`, e.keyRange, s);
    }
    if (codebook.codes.has(id)) {
      problem("codebook-invalid", `Code '${id}' is defined twice.`, e.keyRange);
      continue;
    }
    const entry: CodeEntry = { id, deprecated: false, range: e.keyRange, references: [], entryRange: e.range };
    codebook.codes.set(id, entry);
    codebook.order.push(id);
    const v = e.value;
    if (!v || v.kind !== "map") {
      problem("codebook-invalid", `Code '${id}' needs an entry with at least a \`label\`.`, e.keyRange);
      continue;
    }
    for (const f of v.entries) {
      const s = scalarText(f.value);
      switch (f.key) {
        case "label":
          entry.label = s;
          break;
        case "description":
          entry.description = s;
          break;
        case "npt":
          if (s === undefined) problem("npt-unknown", `The \`npt\` of '${id}' must be a construct or sub-construct id.`, f.range);
          else if (!isNptId(s)) {
            const british = britishSpelling(s);
            if (british) entry.npt = british; // accepted like in notes; only the notes get the spelling warning
            else problem("npt-unknown", `'${s}' is not an NPT construct or sub-construct.${didYouMean(closest(s, NPT_IDS))}`, f.value!.range, closest(s, NPT_IDS));
          } else entry.npt = s;
          break;
        case "parent":
        case "replacedBy":
          if (s === undefined) problem("codebook-invalid", `\`${f.key}\` of '${id}' must be a code id.`, f.range);
          else {
            entry[f.key] = s;
            entry.references.push({ field: f.key, id: s, range: f.value!.range });
          }
          break;
        case "deprecated":
          if (f.value?.kind !== "scalar" || f.value.type !== "boolean") problem("codebook-invalid", "`deprecated` must be true or false.", f.range);
          else entry.deprecated = f.value.text === "true";
          break;
        default:
          problem("codebook-invalid", `Unknown field '${f.key}' in code '${id}'.${didYouMean(closest(f.key, ENTRY_KEYS, 1))}`, f.keyRange, closest(f.key, ENTRY_KEYS, 1));
      }
    }
    if (!entry.label) problem("codebook-invalid", `Code '${id}' has no \`label\`: add a short human-readable name.`, e.keyRange);
  }
  // References are checked once every id is known.
  const suggester = new Suggester(codebook.order.filter((id) => CODE_ID.test(id)));
  for (const entry of codebook.codes.values()) {
    for (const ref of entry.references) {
      if (!codebook.codes.has(ref.id)) {
        const s = suggester.closest(ref.id);
        problem("codebook-reference", `\`${ref.field}\` names '${ref.id}', which is not a code in this codebook.${didYouMean(s)}`, ref.range, s);
      }
    }
  }
  for (const cycle of parentCycles(codebook)) {
    const first = codebook.codes.get(cycle[0])!;
    const ref = first.references.find((r) => r.field === "parent")!;
    const members = cycle.length > 5 ? `${cycle.slice(0, 5).map((id) => `'${id}'`).join(" → ")} → … (${cycle.length} codes)` : cycle.map((id) => `'${id}'`).join(" → ");
    problem("codebook-reference", `The parents of '${first.id}' form a cycle (${members} → '${first.id}'). A code cannot be its own ancestor: remove one \`parent\`.`, ref.range);
  }
  return { codebook, diagnostics };
}

/**
 * Every cycle of `parent` links, each once, as its member ids starting from the one first in codebook
 * order and following the parents. Linear in the number of codes: each code is walked once (a colour
 * per code: unvisited, on the current walk, done), so a chain or a cycle of 10,000 codes costs 10,000
 * steps, not 10,000².
 */
export function parentCycles(codebook: Codebook): string[][] {
  const orderOf = new Map(codebook.order.map((id, i) => [id, i]));
  const state = new Map<string, 1 | 2>(); // 1: on the current walk, 2: done
  const cycles: string[][] = [];
  for (const start of codebook.order) {
    if (state.has(start)) continue;
    const walk: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && codebook.codes.has(cur) && !state.has(cur)) {
      state.set(cur, 1);
      walk.push(cur);
      cur = codebook.codes.get(cur)!.parent;
    }
    if (cur !== undefined && state.get(cur) === 1) {
      const members = walk.slice(walk.indexOf(cur));
      // Start at the member first in codebook order.
      let firstAt = 0;
      members.forEach((id, k) => {
        if (orderOf.get(id)! < orderOf.get(members[firstAt])!) firstAt = k;
      });
      cycles.push([...members.slice(firstAt), ...members.slice(0, firstAt)]);
    }
    for (const id of walk) state.set(id, 2);
  }
  return cycles;
}
