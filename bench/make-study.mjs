#!/usr/bin/env node
// fieldnotes' own synthetic study generator (benchmarks, LSP and HTTP load tests).
//
//   node bench/make-study.mjs --out DIR [--notes 500] [--practices 7] [--codes 60] [--seed 1]
//                             [--broken 0.02] [--big-note] [--participants K]
//
// Deterministic: the same arguments always write byte-identical files. It writes fieldnotes.yaml,
// codebook.yaml and notes/<practice>/<date>-<type>-<n>.md, each with frontmatter and a body of
// paragraphs, headings, list items and the odd table, carrying inline codes (#code-id).
// --broken F gives that share of the notes exactly one error (listed in DIR/.broken.json, a hidden
// file fieldnotes never reads as a note). --big-note adds notes/<first practice>/big-note.md, a valid
// note of about 5 KB for editor keystroke benchmarks. --participants K writes a registry of K participants
// (P001…, attributes role and service) and gives notes their ids instead of free-string roles. The body prose holds no digits, so no
// identifier warnings are expected.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const USAGE = "usage: make-study.mjs --out DIR [--notes N] [--practices P] [--codes C] [--seed S] [--broken F] [--big-note] [--participants K]";

function readArgs(argv) {
  const opts = { notes: 500, practices: 7, codes: 60, seed: 1, broken: 0.02, bigNote: false, participants: 0, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--out": opts.out = value(); break;
      case "--notes": opts.notes = whole(value(), a); break;
      case "--practices": opts.practices = whole(value(), a); break;
      case "--codes": opts.codes = whole(value(), a); break;
      case "--seed": opts.seed = whole(value(), a); break;
      case "--broken": {
        const f = Number(value());
        if (!(f >= 0 && f <= 1)) fail("--broken takes a share between 0 and 1");
        opts.broken = f;
        break;
      }
      case "--big-note": opts.bigNote = true; break;
      case "--participants": opts.participants = whole(value(), a); break;
      case "-h": case "--help": console.log(USAGE); process.exit(0);
      default: fail(`unknown argument ${a}`);
    }
  }
  if (!opts.out) fail("--out is required");
  if (opts.practices < 1) fail("--practices must be at least 1");
  if (opts.codes < 1) fail("--codes must be at least 1");
  return opts;
}
function whole(v, name) {
  if (!/^\d+$/.test(v)) fail(`${name} takes a whole number`);
  return Number(v);
}
function fail(msg) {
  console.error(`make-study: ${msg}\n${USAGE}`);
  process.exit(2);
}

// mulberry32: small, fast, and good enough for synthetic prose.
function prng(seed) {
  let s = (seed ^ 0x9e3779b9) >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const one = (xs) => xs[int(xs.length)];
  const chance = (p) => next() < p;
  /** k distinct items (k ≤ xs.length), in draw order. */
  const several = (xs, k) => {
    const chosen = new Set();
    while (chosen.size < Math.min(k, xs.length)) chosen.add(one(xs));
    return [...chosen];
  };
  return { next, int, one, chance, several };
}

const NPT = {
  coherence: ["differentiation", "communal-specification", "individual-specification", "internalisation"],
  "cognitive-participation": ["initiation", "enrolment", "legitimation", "activation"],
  "collective-action": ["interactional-workability", "relational-integration", "skill-set-workability", "contextual-integration"],
  "reflexive-monitoring": ["systematisation", "communal-appraisal", "individual-appraisal", "reconfiguration"],
};
const NPT_IDS = Object.entries(NPT).flatMap(([c, subs]) => [c, ...subs.map((s) => `${c}/${s}`)]);
const TYPES = ["observation", "interview", "meeting", "conversation", "document", "memo"];
const LEVELS = ["patient", "practice", "community"];
const PRACTICE_NAMES = ["Heron", "Rowan", "Thistle", "Kestrel", "Bracken", "Larch", "Plover", "Alder", "Sorrel", "Wren", "Juniper", "Curlew", "Hazel", "Osprey"];
const CODE_STEMS = [
  "trust", "access", "workload", "funding", "referral", "ownership", "visibility", "continuity", "capacity", "buy-in",
  "boundaries", "legitimacy", "outreach", "handover", "rapport", "stigma", "autonomy", "feedback", "resources", "networks",
];
const CODE_FACETS = ["early", "shared", "local", "formal", "informal", "staff", "patient", "team"];
const OBSERVERS = ["AB", "CK", "JM", "RT", "SL"];
const PARTICIPANTS = ["gp", "practice-manager", "link-worker", "receptionist", "nurse", "pharmacist", "patient", "volunteer"];

const SUBJECTS = ["The link worker", "One of the partners", "The practice manager", "A receptionist", "The nurse lead", "A patient", "The team", "Nobody"];
const VERBS = ["described", "questioned", "welcomed", "worried about", "kept returning to", "set aside time for", "played down", "asked again about"];
const OBJECTS = [
  "the referral form", "the weekly huddle", "protected learning time", "the community directory", "a walking group",
  "housing advice", "the benefits clinic", "waiting times", "the shared inbox", "the new rota", "social prescribing",
  "the lunchtime meeting", "a debt advice session", "the garden project", "the carers cafe",
];
const TAILS = [
  "while the phones kept ringing", "without much enthusiasm", "with obvious relief", "as if it were settled",
  "and nobody disagreed", "before the next appointment", "after a long pause", "in front of everyone",
  "although the figures were unclear", "and then changed the subject",
];

function sentence(r) {
  const s = `${r.one(SUBJECTS)} ${r.one(VERBS)} ${r.one(OBJECTS)}`;
  return r.chance(0.5) ? `${s} ${r.one(TAILS)}.` : `${s}.`;
}

function dayString(r) {
  // 2015-01-01 .. 2016-12-31, inside the study period.
  const t = Date.UTC(2015, 0, 1) + r.int(731) * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

function makeCodes(r, count) {
  const ids = [];
  for (let i = 0; ids.length < count; i++) {
    const stem = CODE_STEMS[i % CODE_STEMS.length];
    const round = Math.floor(i / CODE_STEMS.length);
    const facet = round === 0 ? "" : CODE_FACETS[(round - 1) % CODE_FACETS.length];
    const suffix = round > CODE_FACETS.length ? `-v${Math.floor((round - 1) / CODE_FACETS.length)}` : "";
    ids.push(facet ? `${facet}-${stem}${suffix}` : stem);
  }
  return ids.map((id) => ({ id, label: id.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(" "), npt: r.one(NPT_IDS) }));
}

function yamlList(xs) {
  return `[${xs.join(", ")}]`;
}

/** A note body: blocks of prose with inline codes in some segments. */
function body(r, codeIds, title, targetBlocks) {
  const blocks = [`# ${title}`];
  for (let b = 0; b < targetBlocks; b++) {
    const tags = r.chance(0.55) ? r.several(codeIds, 1 + r.int(2)).map((c) => `#${c}`) : [];
    const prose = Array.from({ length: 1 + r.int(3) }, () => sentence(r));
    const roll = r.next();
    if (roll < 0.1) blocks.push(`## ${r.one(OBJECTS)[0].toUpperCase()}${r.one(OBJECTS).slice(1)}${tags.length ? " " + tags[0] : ""}`);
    else if (roll < 0.2) blocks.push(prose.map((s, i) => `- ${s}${i === 0 && tags.length ? " " + tags.join(" ") : ""}`).join("\n"));
    else if (roll < 0.25) blocks.push(`> ${prose.join(" ")}${tags.length ? " " + tags.join(" ") : ""}`);
    else if (roll < 0.28) {
      blocks.push(["| who | said |", "| --- | --- |", `| ${r.one(SUBJECTS)} | ${sentence(r).slice(0, -1)}${tags.length ? " " + tags[0] : ""} |`].join("\n"));
    } else {
      // Tags at the end of the paragraph, or one in the middle of the prose.
      const words = prose.join(" ");
      blocks.push(tags.length && r.chance(0.3) ? `${tags[0]} ${words} ${tags.slice(1).join(" ")}`.trimEnd() : `${words}${tags.length ? " " + tags.join(" ") : ""}`);
    }
  }
  return blocks.join("\n\n") + "\n";
}

const FAULTS = [
  ["code-unknown", (note) => ({ ...note, body: note.body + "\nThis part was never coded properly #not-in-the-codebook\n" })],
  ["practice-unknown", (note) => ({ ...note, fm: note.fm.map((l) => (l.startsWith("practice:") ? "practice: Atlantis" : l)) })],
  ["date-invalid", (note) => ({ ...note, fm: note.fm.map((l) => (l.startsWith("date:") ? "date: 2015-02-29" : l)) })],
  ["field-missing", (note) => ({ ...note, fm: note.fm.filter((l) => !l.startsWith("npt:")) })],
  ["npt-unknown", (note) => ({ ...note, fm: note.fm.map((l) => (l.startsWith("npt:") ? "npt: [coherense]" : l)) })],
  ["level-unknown", (note) => ({ ...note, fm: note.fm.map((l) => (l.startsWith("level:") ? "level: [household]" : l)) })],
  ["yaml-syntax", (note) => ({ ...note, fm: note.fm.map((l) => (l.startsWith("type:") ? "type: [meeting" : l)) })],
];

function main() {
  const o = readArgs(process.argv.slice(2));
  if (existsSync(o.out) && readdirSync(o.out).length) fail(`refusing to write into non-empty ${o.out}`);
  const r = prng(o.seed);

  const practices = Array.from({ length: o.practices }, (_, i) => {
    const base = PRACTICE_NAMES[i % PRACTICE_NAMES.length];
    const id = i < PRACTICE_NAMES.length ? base : `${base}-${Math.floor(i / PRACTICE_NAMES.length) + 1}`;
    return { id, name: `${base} Medical Practice`, listSize: 1500 + r.int(9000), training: r.chance(0.4), area: r.one(["urban", "suburban", "island"]) };
  });
  const codes = makeCodes(r, o.codes);
  const codeIds = codes.map((c) => c.id);

  // Built without drawing from the generator, so that the notes are the same with or without a registry.
  const registry = Array.from({ length: o.participants }, (_, i) => ({
    id: `P${String(i + 1).padStart(3, "0")}`,
    role: PARTICIPANTS[i % PARTICIPANTS.length],
    service: ["north", "south", "east"][i % 3],
  }));
  const people = registry.length ? registry.map((q) => q.id) : PARTICIPANTS;
  mkdirSync(join(o.out, "notes"), { recursive: true });
  writeFileSync(
    join(o.out, "fieldnotes.yaml"),
    [
      "# Generated by bench/make-study.mjs",
      "study: Synthetic study for benchmarks",
      "period: { start: 2015-01-01, end: 2016-12-31 }",
      "notes: [\"notes/**/*.md\"]",
      "codebook: codebook.yaml",
      "practices:",
      ...practices.flatMap((p) => [`  - id: ${p.id}`, `    name: ${p.name}`, `    listSize: ${p.listSize}`, `    training: ${p.training}`, `    area: ${p.area}`]),
      ...(registry.length ? ["participants:", ...registry.map((q) => `  - { id: ${q.id}, role: ${q.role}, service: ${q.service} }`)] : []),
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(o.out, "codebook.yaml"),
    ["codes:", ...codes.flatMap((c) => [`  ${c.id}:`, `    label: ${c.label}`, `    description: Synthetic code about ${c.label.toLowerCase()}.`, `    npt: ${c.npt}`]), ""].join("\n"),
  );

  const broken = [];
  const made = new Set();
  for (let n = 0; n < o.notes; n++) {
    const p = r.one(practices);
    const type = r.one(TYPES);
    const date = dayString(r);
    const fm = [
      `practice: ${p.id}`,
      `date: ${date}`,
      `npt: ${yamlList(r.several(NPT_IDS, 1 + r.int(3)))}`,
      `type: ${type}`,
      `observer: ${r.one(OBSERVERS)}`,
      `participants: ${yamlList(r.several(people, 1 + r.int(3)))}`,
      `level: ${yamlList(r.several(LEVELS, 1 + r.int(2)))}`,
    ];
    if (r.chance(0.4)) fm.push(`codes: ${yamlList(r.several(codeIds, 1 + r.int(2)))}`);
    if (type === "memo") {
      fm.push("assessment:");
      for (const c of r.several(Object.keys(NPT).slice(0, 3), 1 + r.int(3))) fm.push(`  ${c}: ${r.one(["full", "full", "partial", "absent"])}`);
    }
    let note = { fm, body: body(r, codeIds, `${type[0].toUpperCase()}${type.slice(1)} at ${p.name}`, 3 + r.int(6)) };
    const file = `notes/${p.id}/${date}-${type}-${String(n).padStart(5, "0")}.md`;
    if (r.next() < o.broken) {
      const [rule, fault] = r.one(FAULTS);
      note = fault(note);
      broken.push({ file, rules: [rule] });
    }
    const dir = join(o.out, "notes", p.id);
    if (!made.has(dir)) mkdirSync(dir, { recursive: true }), made.add(dir);
    writeFileSync(join(o.out, file), `---\n${note.fm.join("\n")}\n---\n\n${note.body}`);
  }

  if (o.bigNote) {
    const p = practices[0];
    const fm = ["practice: " + p.id, "date: 2016-06-01", "npt: [coherence, collective-action/relational-integration]", "type: observation", "level: [practice]"];
    let text = `---\n${fm.join("\n")}\n---\n\n`;
    while (text.length < 5000) text += body(r, codeIds, "A long afternoon", 4) + "\n";
    mkdirSync(join(o.out, "notes", p.id), { recursive: true });
    writeFileSync(join(o.out, "notes", p.id, "big-note.md"), text);
  }
  broken.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  writeFileSync(join(o.out, ".broken.json"), JSON.stringify(broken, null, 2) + "\n");
  console.log(`make-study: ${o.notes} notes (${broken.length} broken) for ${o.practices} practices and ${o.codes} codes in ${o.out}`);
}

main();
