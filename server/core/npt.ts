// Normalisation Process Theory: the four core constructs and their sixteen sub-constructs (SPEC section 4).

export const CONSTRUCTS = ["coherence", "cognitive-participation", "collective-action", "reflexive-monitoring"] as const;
export type Construct = (typeof CONSTRUCTS)[number];

export const SUB_CONSTRUCTS: Record<Construct, string[]> = {
  coherence: ["differentiation", "communal-specification", "individual-specification", "internalisation"],
  "cognitive-participation": ["initiation", "enrolment", "legitimation", "activation"],
  "collective-action": ["interactional-workability", "relational-integration", "skill-set-workability", "contextual-integration"],
  "reflexive-monitoring": ["systematisation", "communal-appraisal", "individual-appraisal", "reconfiguration"],
};

export const NPT_IDS: string[] = CONSTRUCTS.flatMap((c) => [c, ...SUB_CONSTRUCTS[c].map((s) => `${c}/${s}`)]);
const NPT_SET = new Set(NPT_IDS);

export const LEVELS = ["patient", "practice", "community"] as const;
export const ASSESSMENT_VALUES = ["full", "partial", "absent"] as const;
export const DEFAULT_TYPES = ["observation", "interview", "meeting", "conversation", "document", "memo"];

const AMERICAN: Record<string, string> = {
  internalization: "internalisation",
  enrollment: "enrolment",
  systematization: "systematisation",
};

/** Short definitions, shown on hover and in completion (after May & Finch's NPT toolkit, paraphrased). */
export const NPT_DEFINITIONS: Record<string, string> = {
  coherence: "Sense-making work: how people understand what the practice is, how it differs from what they did before, and what it means for them.",
  "coherence/differentiation": "Understanding how the new practice differs from existing ways of working.",
  "coherence/communal-specification": "Building a shared understanding of the aims, objectives and expected benefits of the practice.",
  "coherence/individual-specification": "Individuals understanding their own tasks and responsibilities around the practice.",
  "coherence/internalisation": "Understanding the value, benefits and importance of the practice.",
  "cognitive-participation": "Relational work to build and sustain a community of practice around the new practice.",
  "cognitive-participation/initiation": "Key individuals driving the practice forward.",
  "cognitive-participation/enrolment": "People organising or reorganising themselves and others to contribute to the practice.",
  "cognitive-participation/legitimation": "Believing it is right for them to be involved in the practice.",
  "cognitive-participation/activation": "Collectively defining the actions and procedures needed to sustain the practice.",
  "collective-action": "Operational work that people do to enact the practice.",
  "collective-action/interactional-workability": "The interactional work people do with each other, artefacts and elements of a set of practices.",
  "collective-action/relational-integration": "Knowledge work to build accountability and maintain confidence in the practice and in each other.",
  "collective-action/skill-set-workability": "Allocation of work to people with the right skills.",
  "collective-action/contextual-integration": "Resource work: managing the practice through organisational policies, procedures and resources.",
  "reflexive-monitoring": "Appraisal work people do to assess and understand how the practice affects them and others.",
  "reflexive-monitoring/systematisation": "Collecting information to determine how effective and useful the practice is.",
  "reflexive-monitoring/communal-appraisal": "Working together to evaluate the worth of the practice.",
  "reflexive-monitoring/individual-appraisal": "Individuals appraising the effects of the practice on them and their work.",
  "reflexive-monitoring/reconfiguration": "Redefining or modifying practices in light of appraisal.",
};

export function isNptId(id: string): boolean {
  return NPT_SET.has(id);
}

/** The British id for an American-spelt one (`coherence/internalization`), or undefined. */
export function britishSpelling(id: string): string | undefined {
  const [construct, sub] = id.split("/");
  if (!sub || !(construct in SUB_CONSTRUCTS)) return undefined;
  const british = AMERICAN[sub];
  return british ? `${construct}/${british}` : undefined;
}

/** The core construct an NPT id counts towards (American spellings included), or undefined. */
export function coreConstruct(id: string): Construct | undefined {
  const canonical = isNptId(id) ? id : britishSpelling(id);
  if (!canonical) return undefined;
  return canonical.split("/")[0] as Construct;
}

/** "collective-action" -> "collective action", for sentences. */
export function constructWords(id: string): string {
  return id.replace(/-/g, " ");
}
