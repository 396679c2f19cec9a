// GET /api/agreement?a=REV&b=REV (SPEC section 14): inter-coder agreement between two git revisions of
// the served study, as JSON. Only revisions (never folder paths) are accepted over HTTP.
import type { Hono } from "hono";
import type { Study } from "../core/study.js";
import { GitError, configProblem, openRevision, type StudyVersion } from "../core/git/revision.js";
import { compareCoding, NothingToCompareError } from "../core/agreement/compare.js";

const HEADERS = { "x-content-type-options": "nosniff", "cache-control": "no-store" };

/** Registers the route on `app`; answers 400 `{error}` for a missing or unknown revision, or nothing to compare. */
export function registerAgreement(app: Hono, study: Study): void {
  app.get("/api/agreement", async (c) => {
    const a = c.req.query("a");
    const b = c.req.query("b");
    if (!a || !b) return c.json({ error: "Give two revisions: /api/agreement?a=REV&b=REV (branches, tags or commits)." }, 400, HEADERS);
    const versions: StudyVersion[] = [];
    try {
      versions.push(await openRevision(study.root, a));
      versions.push(await openRevision(study.root, b));
      const problem = versions.map(configProblem).find(Boolean);
      if (problem) return c.json({ error: problem }, 400, HEADERS);
      return c.json((await compareCoding(versions[0], versions[1])).report, 200, HEADERS);
    } catch (err) {
      if (err instanceof GitError || err instanceof NothingToCompareError) return c.json({ error: err.message }, 400, HEADERS);
      throw err;
    } finally {
      for (const v of versions) v.close();
    }
  });
}
