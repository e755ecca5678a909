// The page's state and its URL: everything a researcher sees is in the query string, so a view can be
// bookmarked, shared and reached with the browser's back and forward buttons.

export const VIEWS = ["results", "topic", "kwic", "story"];

const DEFAULTS = {
  q: "",
  view: "results",
  source: [],
  publication: "",
  date_from: "",
  date_to: "",
  all_versions: false,
  fuzzy: false,
  limit: 10,
  offset: 0,
  level: "variants", // topic view: stories, variants or occurrences
  by: "month", // topic view: day, week, month or year
  sort: "date", // concordance: date, source, left or right
  lines: 0, // concordance: lines skipped
  story: "", // story view: the article id
  punctuation: false, // story view: width-only differences too
};

const CHOICES = {
  view: VIEWS,
  level: ["stories", "variants", "occurrences"],
  by: ["day", "week", "month", "year"],
  sort: ["date", "source", "left", "right"],
};

function number(text, fallback, max) {
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, max) : fallback;
}

/** The state a query string holds; anything missing or out of range takes its default. */
export function readState(search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS };
  for (const key of ["q", "publication", "date_from", "date_to", "story"]) state[key] = params.get(key) ?? "";
  for (const key of ["all_versions", "fuzzy", "punctuation"]) state[key] = ["1", "true"].includes(params.get(key));
  state.source = params.getAll("source").filter(Boolean);
  state.limit = number(params.get("limit"), DEFAULTS.limit, 1000) || DEFAULTS.limit;
  state.offset = number(params.get("offset"), 0, 100000);
  state.lines = number(params.get("lines"), 0, 1000000);
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const value = params.get(key);
    state[key] = allowed.includes(value) ? value : DEFAULTS[key];
  }
  return state;
}

/** The query string of a state, defaults left out so URLs stay short. */
export function stateSearch(state) {
  const params = new URLSearchParams();
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    const value = state[key];
    if (Array.isArray(value)) value.forEach((item) => params.append(key, item));
    else if (value !== fallback && value !== "" && value !== false) params.set(key, value === true ? "1" : value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** How many filters narrow the search. */
export function filterCount(state) {
  return state.source.length + ["publication", "date_from", "date_to", "all_versions", "fuzzy"]
    .filter((key) => state[key]).length;
}
