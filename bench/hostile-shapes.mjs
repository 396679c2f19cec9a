// The hostile note shapes of issue 9 section 6, shared by bench/hostile.mjs (precise figures) and
// test/cli/parse-hardening.test.ts (a generous guard over the CLI). Each is a function of the
// note's target size in bytes and returns its whole text (frontmatter included).
const FM = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n";
/** Repeats `unit(i)` until the text reaches `bytes`. */
function fill(bytes, unit, head = FM, tail = "") {
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; size < bytes; i++) {
    const u = unit(i);
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

