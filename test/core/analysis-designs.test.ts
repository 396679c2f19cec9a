// Study designs (SPEC section 11): the participant registry, participant-unknown, free-string
// participants, and `integration: false`, through the real index over temporary studies.
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../server/core/config.js";
import { Study } from "../../server/core/study.js";
import { BASIC_CONFIG, cleanupTemp, makeStudy } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());

const REGISTRY = [
  "participants:",
  "  - id: LW01",
  "    role: link-worker",
  "    service: north",
  "    years: 3",
  "  - id: LW02",
  "    role: link-worker",
  "    service: south",
  "  - id: GP01",
  "    role: gp",
  "    salaried: true",
  "",
].join("\n");

const note = (front: string, body = "We talked about referrals. #gp-buy-in\n") => `---\n${front}\n---\n\n${body}`;
const open = (root: string) => Study.open(root, { cache: false, workers: 1, today: "2020-01-01" });

describe("participants registry in fieldnotes.yaml", () => {
  it("reads ids and typed attributes in registry order", () => {
    const { config, diagnostics } = parseConfig(BASIC_CONFIG + REGISTRY);
    expect(diagnostics).toEqual([]);
    expect(config!.participants.map((p) => [p.id, { ...p.attributes }])).toEqual([
      ["LW01", { role: "link-worker", service: "north", years: 3 }],
      ["LW02", { role: "link-worker", service: "south" }],
      ["GP01", { role: "gp", salaried: true }],
    ]);
    expect(config!.participants[0].range.start.line).toBe(BASIC_CONFIG.split("\n").length); // the line of `- id: LW01`
  });

  it("no registry and an empty one both mean free-string participants", () => {
    expect(parseConfig(BASIC_CONFIG).config!.participants).toEqual([]);
    expect(parseConfig(BASIC_CONFIG + "participants: []\n").config!.participants).toEqual([]);
  });

  const bad: [string, string, RegExp][] = [
    ["no id", "participants:\n  - role: gp\n", /participant has no `id`/],
    ["malformed id", "participants:\n  - id: 'L W'\n", /Participant id 'L W' must match/],
    ["duplicate id", "participants:\n  - id: A1\n  - id: A1\n", /'A1' is listed twice/],
    ["attribute a list", "participants:\n  - id: A1\n    role: [gp, nurse]\n", /Attribute 'role' must be a number, a boolean or a string/],
    ["attribute empty", "participants:\n  - id: A1\n    role:\n", /Attribute 'role'/],
    ["not a list", "participants: LW01\n", /`participants` must be a list/],
    ["an entry not a mapping", "participants:\n  - LW01\n", /Each participant must be a mapping/],
    ["integration true", "integration: true\n", /`integration` must be a mapping .* or `false`/],
    ["integration a string", "integration: none\n", /`integration` must be a mapping/],
  ];
  for (const [what, yaml, message] of bad) {
    it(`config-invalid: ${what}, located in the added lines`, () => {
      const { config, diagnostics } = parseConfig(BASIC_CONFIG + yaml);
      expect(config).toBeUndefined();
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0].rule).toBe("config-invalid");
      expect(diagnostics[0].message).toMatch(message);
      expect(diagnostics[0].range.start.line).toBeGreaterThanOrEqual(BASIC_CONFIG.split("\n").length - 1);
    });
  }

  it("integration: false is read as no rule; a mapping keeps the rule", () => {
    expect(parseConfig(BASIC_CONFIG + "integration: false\n").config!.integration).toBeNull();
    expect(parseConfig(BASIC_CONFIG + "integration: { constructs: [coherence], levels: [] }\n").config!.integration).toEqual({ constructs: ["coherence"], levels: [] });
  });
});

describe("participant-unknown", () => {
  it("is an error at the value, suggesting the closest ids; known ids pass", async () => {
    const root = makeStudy(
      {
        "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\nparticipants: [LW01, LW1, gp01]"),
        "notes/Magenta/b.md": note("practice: Magenta\ndate: 2016-03-15\nnpt: coherence\nparticipants:\n  - GP01\n  - LW02"),
      },
      { config: BASIC_CONFIG + REGISTRY },
    );
    const study = await open(root);
    const a = study.notes.get("notes/Magenta/a.md")!;
    const unknown = a.diagnostics.filter((d) => d.rule === "participant-unknown");
    expect(unknown.map((d) => [d.severity, d.message, d.range.start.line, d.range.start.character, d.range.end.character])).toEqual([
      ["error", "'LW1' is not a participant in fieldnotes.yaml. Did you mean 'LW01' or 'LW02'?", 4, 21, 24],
      // A case-only difference offers just that id.
      ["error", "'gp01' is not a participant in fieldnotes.yaml. Did you mean 'GP01'?", 4, 26, 30],
    ]);
    expect(unknown[0].data?.suggestions?.[0]).toBe("LW01");
    expect(a.excluded).toBe(true);
    expect(study.notes.get("notes/Magenta/b.md")!.diagnostics).toEqual([]);
    expect(study.summary().excluded).toEqual([{ file: "notes/Magenta/a.md", rules: ["participant-unknown"] }]);
  });

  it("a far-off value gets no dangling suggestion", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\nparticipants: Zebedee") }, { config: BASIC_CONFIG + REGISTRY });
    const d = (await open(root)).notes.get("notes/Magenta/a.md")!.diagnostics.find((x) => x.rule === "participant-unknown")!;
    expect(d.message).toBe("'Zebedee' is not a participant in fieldnotes.yaml.");
  });

  it("without a registry, participants are free strings (no diagnostic) and kept as written", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\nparticipants: [gp, practice manager]") });
    const study = await open(root);
    const r = study.notes.get("notes/Magenta/a.md")!;
    expect(r.diagnostics).toEqual([]);
    expect(study.practiceDetail("Magenta")!.evidence[0].participants).toEqual(["gp", "practice manager"]);
  });
});

describe("integration: false", () => {
  const config = BASIC_CONFIG + "integration: false\n";
  it("makes npt optional: notes without any npt are included, and the judgement is off", async () => {
    const root = makeStudy(
      {
        "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\ntype: memo\nassessment:\n  coherence: full"),
        "notes/Cobalt/b.md": note("practice: Cobalt\ndate: 2016-04-02"),
      },
      { config },
    );
    const study = await open(root);
    const s = study.summary();
    expect(s.excluded).toEqual([]);
    expect(s.totals).toEqual({ notes: 2, included: 2, excluded: 0, practices: 2 });
    expect(s.rule).toBeNull();
    expect(s.groups).toEqual({});
    for (const p of s.practices) {
      expect(p.integration).toBeNull();
      expect(p.reasons).toEqual([]);
      expect(p.warnings).toEqual([]); // coherence assessed full without npt evidence would warn with a rule
    }
    expect(s.practices[0].codes["gp-buy-in"]).toEqual({ notes: 1, segments: 1 });
  });

  it("still checks npt when present", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherance") }, { config });
    const study = await open(root);
    expect(study.summary().excluded).toEqual([{ file: "notes/Magenta/a.md", rules: ["npt-unknown"] }]);
  });

  it("the same notes in a study with the rule are excluded for the missing npt", async () => {
    const root = makeStudy({ "notes/Cobalt/b.md": note("practice: Cobalt\ndate: 2016-04-02") });
    expect((await open(root)).summary().excluded).toEqual([{ file: "notes/Cobalt/b.md", rules: ["field-missing"] }]);
  });
});


describe("new notes in a study without NPT", () => {
  it("leave out the template's npt line with npt: false, and keep it otherwise", async () => {
    const { createNote } = await import("../../server/core/newnote.js");
    const { readFileSync } = await import("node:fs");
    const root = makeStudy({}, { config: BASIC_CONFIG + "integration: false\n" });
    const without = readFileSync(createNote({ root, practice: "Magenta", type: "memo", date: "2016-01-01", npt: false }).path, "utf8");
    const withNpt = readFileSync(createNote({ root, practice: "Magenta", type: "memo", date: "2016-01-01" }).path, "utf8");
    expect(without).not.toMatch(/^npt:/m);
    expect(withNpt).toMatch(/^npt:/m);
    expect(without).toBe(withNpt.replace(/^npt:[^\n]*\n/m, ""));
    const study = await open(root);
    expect(study.summary().excluded).toEqual([]);
  });
});
