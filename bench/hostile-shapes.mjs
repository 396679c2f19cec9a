// The hostile note shapes of issue 9 section 6, shared by bench/hostile.mjs (precise figures),
// bench/hostile-cli.mjs (through the CLI) and test/cli/parse-hardening.test.ts (a generous guard over
// the CLI), and the two benches' common arguments. Each is a function of the
// note's target size in bytes (never exceeded) and returns its whole text (frontmatter included).
const FM = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n";
/** Repeats `unit(i)` until the text reaches `bytes`. */
function fill(bytes, unit, head = FM, tail = "") {
  const parts = [head];
  let size = head.length + tail.length;
  // Never beyond `bytes`: a note over 10 MB is not read at all (file-too-large), so a 10 MB shape must fit.
  for (let i = 0; ; i++) {
    const u = unit(i);
    if (size + u.length > bytes) break;
    parts.push(u);
    size += u.length;
  }
  parts.push(tail);
  return parts.join("");
}

/** Shapes of hostile notes; each a function of the target size in bytes. */
export const SHAPES = {
  ordinary: (n) => fill(n, (i) => `The practice manager described the weekly huddle, item ${i}. #gp-buy-in\n\n`),
  footnotes: (n) => fill(n, (i) => `Said[^f${i}] #gp-buy-in\n\n[^f${i}]: note ${i}\n\n`),
  "link-definitions": (n) => fill(n / 2, (i) => `See [l${i}] #gp-buy-in\n\n`) + fill(n / 2, (i) => `[l${i}]: http://x.org/${i}\n`, ""),
  "frontmatter-keys": (n) => fill(n, (i) => `k${i}: v\n`, "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n", "---\n\nText #gp-buy-in\n"),
  "alternating-fences": (n) => fill(n, (i) => (i % 2 ? "```\nx #a\n```\n" : "~~~\ny #b\n~~~\n"), FM, "\nEnd #gp-buy-in\n"),
  "nested-33": (n) => fill(n, () => "> ".repeat(33) + "deep #gp-buy-in\n\n"),
  "nested-30-lines": (n) => fill(n, () => "> ".repeat(30) + "deep #gp-buy-in\n"),
  "nested-lists": (n) => fill(n, () => "- a #gp-buy-in\n  - b\n    - c\n"),
  "flat-list": (n) => fill(n, (i) => `- item ${i} #gp-buy-in\n`),
  "lazy-lines": (n) => fill(n, () => "continued lazily #gp-buy-in\n", FM + "> quote\n"),
  "long-line": (n) => fill(n, () => "word #gp-buy-in ", FM, "\n"),
  "emphasis-markers": (n) => fill(n, () => "*a _b_ "),
  table: (n) => fill(n, (i) => `| _row_ ${i} | #gp-buy-in |\n`, FM + "| a | b |\n|---|---|\n"),
  "blank-space-lines": (n) => fill(n, () => " ".repeat(66) + "\n", FM + "Agreed. #gp-buy-in\n\n"),
  "deep-indent-code": (n) => fill(n, () => " ".repeat(120) + "> * x\n", FM + "Agreed. #gp-buy-in\n\n```\n"),
};


/** A codebook entry: code `c<i>` with a label and, optionally, a parent. */
const entry = (i, parent) => `  c${i}:\n    label: Code ${i}\n    npt: coherence\n${parent === undefined ? "" : `    parent: c${parent}\n`}`;
/** Codebooks that fill `bytes` with codes `c0`, `c1`, …, and how many codes that made. */
function codebook(bytes, unit) {
  let count = 0;
  const text = fill(bytes, (i) => (count++, unit(i)), "codes:\n");
  return { text, count };
}
/** A note of `bytes` whose tags are all distinct and unknown (no code of the codebook is `t…`). */
const unknownTags = (bytes) => fill(bytes, (i) => `Said #t${i.toString(36)}x and more\n\n`);

/**
 * Hostile codebooks (issue 9 section 6), each a function of the target size in bytes giving the study's
 * codebook and any notes (paths relative to the study) that go with it.
 */
export const CODEBOOK_SHAPES = {
  // Every code's parent is the next; the last code's parent is the first: one cycle through them all.
  "parent-cycle": (n) => {
    const { count } = codebook(n, (i) => entry(i, i + 1));
    return { codebook: "codes:\n" + Array.from({ length: count }, (_, i) => entry(i, (i + 1) % count)).join("") };
  },
  // One chain: every code's parent is the next one, the last has none.
  "parent-chain": (n) => {
    const { count } = codebook(n, (i) => entry(i, i + 1));
    return { codebook: "codes:\n" + Array.from({ length: count }, (_, i) => entry(i, i + 1 < count ? i + 1 : undefined)).join("") };
  },
  // A codebook of `bytes` and one ordinary-sized note of 10,000 distinct unknown tags: did-you-mean
  // against every code.
  "many-codes-unknown-tags": (n) => ({ codebook: codebook(n, (i) => entry(i)).text, files: { "notes/Magenta/unknown.md": unknownTags(300 * 1024) } }),
  // 10,000 codes and a note of `bytes` of distinct unknown tags.
  "unknown-tags-note": (n) => ({ codebook: codebook(450 * 1024, (i) => entry(i)).text, files: { "notes/Magenta/unknown.md": unknownTags(n) } }),
};

/**
 * The hostile benches' arguments: `--mb N` (the hostile file's size in MB, default 10), `--only a,b`
 * (shape names), and `opt(name, default)` for any other `--name value`.
 */
export function hostileArgs(args = process.argv.slice(2)) {
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? dflt : args[i + 1];
  };
  return { args, opt, mb: Number(opt("mb", "10")), only: opt("only", "")?.split(",").filter(Boolean) ?? [] };
}
