// The bare-parse baseline every benchmark compares against: a child process reads every .md file under
// a folder and parses it with unified / remark-parse / remark-frontmatter / remark-gfm, and the
// frontmatter with yaml's parseDocument (run it as: node --input-type=module -e BASELINE DIR). It prints
// {"files","nodes","parseMs"} on standard error.
export const BASELINE = `
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import { parseDocument } from "yaml";
const t0 = performance.now();
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith(".md")) files.push(p); } };
walk(process.argv[1]);
const processor = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);
let nodes = 0;
for (const f of files) {
  const text = readFileSync(f, "utf8");
  const tree = processor.parse(text);
  const fm = tree.children[0];
  if (fm && fm.type === "yaml") nodes += parseDocument(fm.value).contents ? 1 : 0;
  nodes += tree.children.length;
}
process.stderr.write(JSON.stringify({ files: files.length, nodes, parseMs: performance.now() - t0 }) + "\\n");
`;
