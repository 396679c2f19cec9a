// `fieldnotes query` and the matrix options of `fieldnotes report`, as a process: every format, --out
// with links relative to the written file, and every usage error as one line naming the value, exit 2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { REPO, cleanupTemp, ensureBuilt, runCli, tempDir } from "../fixtures/helpers.js";
import { makeAnalysisStudy } from "../fixtures/analysis-study.js";

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = makeAnalysisStudy();
}, 120_000);
afterAll(() => cleanupTemp());

const q = (...args: string[]) => runCli(["query", root, "--no-cache", ...args]);

describe("fieldnotes query", () => {
  it("text: one line per segment, 'file:line: practice date [codes] text', sorted by date", async () => {
    const r = await q("--under", "gp-buy-in");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "notes/Cobalt/2016-02-01.md:9: Cobalt 2016-02-01 [gp-buy-in] Referrals came up again. #gp-buy-in",
        "notes/Magenta/2016-03-14-meeting.md:12: Magenta 2016-03-14 [shared-learning, gp-buy-in] The partners agreed to protect an afternoon. #shared-learning #gp-buy-in",
        "notes/Magenta/2016-03-14-meeting.md:14: Magenta 2016-03-14 [gp-champion] The senior partner will lead it. #gp-champion",
        "",
      ].join("\n"),
    );
  });

  it("json is {total, segments} as GET /api/segments; nothing matching is exit 0", async () => {
    const r = await q("--participant.service", "south", "--format", "json");
    expect(JSON.parse(r.stdout)).toEqual({
      total: 1,
      segments: [
        {
          file: "notes/Cobalt/2016-02-01.md",
          line: 9,
          text: "Referrals came up again. #gp-buy-in",
          codes: ["gp-buy-in"],
          constructs: ["cognitive-participation"],
          practice: "Cobalt",
          date: "2016-02-01",
          type: null,
          observer: "42",
          participants: ["LW02"],
        },
      ],
    });
    const none = await q("--practice.training", "maybe", "--format", "json");
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ total: 0, segments: [] });
  });

  it("csv has the spec's columns, lists joined with ';' and text cells guarded", async () => {
    const r = await q("--format=csv", "--text", "garden", "--code", "shared-learning", "--code", "gp-buy-in");
    expect(r.stdout).toBe(
      "file,line,date,practice,type,observer,participants,codes,constructs,text\r\n" +
        `notes/Magenta/2016-05-01-memo.md,8,2016-05-01,Magenta,memo,,,shared-learning,coherence,"'=SUM(A1) ""quoted"", and a Garden visit. #shared-learning"\r\n`,
    );
    const all = await q("--format", "csv", "--practice", "Magenta", "--type", "meeting");
    expect(all.stdout.split("\r\n")[1]).toBe(
      "notes/Magenta/2016-03-14-meeting.md,12,2016-03-14,Magenta,meeting,NRC,LW01;GP01,shared-learning;gp-buy-in,coherence;cognitive-participation,The partners agreed to protect an afternoon. #shared-learning #gp-buy-in",
    );
  });

  it("md is a code report: a section per code in codebook order, segments as block quotes with their metadata and a link", async () => {
    const r = await q("--format", "md");
    const md = r.stdout;
    const heads = [...md.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(heads).toEqual(["GP buy-in (`gp-buy-in`)", "GP champion (`gp-champion`)", "Shared learning (`shared-learning`)"]);
    expect(md).toContain("**Magenta · 2016-03-14 · meeting · LW01, GP01**, [notes/Magenta/2016-03-14-meeting.md:12](");
    expect(md).toContain("> The partners agreed to protect an afternoon. \\#shared-learning \\#gp-buy-in");
  });

  it("--out writes the code report with links relative to the written file, which resolve", async () => {
    const outDir = join(tempDir("fieldnotes-query-out-"), "reports", "deep");
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, "codes.md");
    const r = await q("--format", "md", "--code", "gp-buy-in", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const links = [...readFileSync(out, "utf8").matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBe(3); // two segments under gp-buy-in, one of them under shared-learning too
    for (const l of links) {
      const [path, anchor] = l.split("#");
      expect(anchor).toMatch(/^L\d+$/);
      expect(existsSync(resolve(dirname(out), decodeURIComponent(path))), l).toBe(true);
    }
  });

  const errors: [string[], RegExp][] = [
    [["--cod", "x"], /^fieldnotes query: Unknown filter 'cod'\. Did you mean 'code'\?/],
    [["--code", "gp-buyin"], /Unknown code 'gp-buyin'.*Did you mean 'gp-buy-in'\?/],
    [["--practice", "Magneta"], /Unknown practice 'Magneta'.*Did you mean 'Magenta'\?/],
    [["--participant", "LW1"], /Unknown participant 'LW1'/],
    [["--construct", "coherance"], /Unknown construct 'coherance'/],
    [["--type", "memos"], /Unknown note type 'memos'.*Did you mean 'memo'\?/],
    [["--from", "2016-13-01"], /'2016-13-01' in 'from' is not a date/],
    [["--practice.size", "3"], /Unknown practice attribute 'size'/],
    [["--code"], /--code needs a value/],
    [["--format", "xml"], /--format must be one of text, json, csv, md, not 'xml'/],
  ];
  for (const [args, message] of errors) {
    it(`usage error: ${args.join(" ")}`, async () => {
      const r = await q(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});

describe("fieldnotes report --format csv: matrices and co-occurrence", () => {
  const report = (...args: string[]) => runCli(["report", root, "--no-cache", "--format", "csv", ...args]);

  it("--rows, --count, --rollup and note filters give the HTTP matrix", async () => {
    const r = await report("--by", "code", "--rows", "participant.role", "--count", "segments", "--rollup");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("participant.role,gp-buy-in,gp-champion,shared-learning\r\ngp,2,1,1\r\nlink-worker,3,1,1\r\n");
    const f = await report("--by", "construct", "--rows", "type", "--practice", "Magenta");
    expect(f.stdout).toBe("type,coherence,cognitive-participation,collective-action,reflexive-monitoring\r\nobservation,0,0,0,0\r\ninterview,0,0,0,0\r\nmeeting,1,0,0,0\r\nconversation,0,0,0,0\r\ndocument,0,0,0,0\r\nmemo,1,0,0,0\r\n");
    const c = await report("--by", "cooccurrence", "--participant", "GP01");
    expect(c.stdout).toBe("code,gp-buy-in,gp-champion,shared-learning\r\ngp-buy-in,1,0,1\r\ngp-champion,0,1,0\r\nshared-learning,1,0,1\r\n");
  });

  const errors: [string[], RegExp][] = [
    [["--by", "level", "--count", "segments"], /'count=segments' needs by=code or by=construct/],
    [["--by", "assessment", "--count", "segments"], /'count=segments' needs by=code or by=construct/],
    [["--by", "assessment", "--rows", "month"], /'by=assessment' takes only rows=practice/],
    [["--by", "code", "--code", "gp-buy-in"], /'code' is a segment filter/],
    [["--by", "cooccurrence", "--under", "gp-buy-in"], /'under' is a segment filter/],
    [["--by", "code", "--rows", "participant.rol"], /'rol' is not a participant attribute.*Did you mean 'role'\?/],
    [["--by", "code", "--rowz", "type"], /Unknown filter 'rowz'\. Did you mean 'rows'\?/],
    [["--by", "construct", "--rollup"], /'rollup' works with by=code/],
    [["--by", "code", "--from", "2016-02-30"], /'2016-02-30' in 'from' is not a date/],
  ];
  for (const [args, message] of errors) {
    it(`usage error: ${args.join(" ")}`, async () => {
      const r = await report(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }

  it("matrix options need --format csv", async () => {
    const r = await runCli(["report", root, "--no-cache", "--format", "md", "--rows", "type"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rows shapes a framework matrix: use it with --format csv/);
  });
});

describe("examples/researcher-in-residence", () => {
  const example = join(REPO, "examples", "researcher-in-residence");
  it("checks clean (exit 0)", async () => {
    const r = await runCli(["check", example, "--no-cache"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 0 errors, 0 warnings, 0 information\.\n$/);
  });

  it("its README's commands print the CSV shown under them", async () => {
    const readme = readFileSync(join(example, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n(fieldnotes report [^\n]+)\n```\n```csv\n([\s\S]*?)```/g)];
    expect(blocks.length).toBe(2);
    for (const [, command, csv] of blocks) {
      const args = command.split(/\s+/).slice(1).map((a) => (a === "examples/researcher-in-residence" ? example : a));
      const r = await runCli([...args, "--no-cache"]);
      expect(r.code, command).toBe(0);
      expect(r.stdout.replace(/\r\n/g, "\n"), command).toBe(csv);
    }
  });
});
