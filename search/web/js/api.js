// The JSON API: every view is built from these requests and nothing else.

/** An error answer of the API, in its one shape {"error": {"code", "message"}}. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The filters every lookup takes (the API's own parameter names); `fuzzy` only when asked for. */
export function scopeParams(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  state.source.forEach((source) => params.append("source", source));
  for (const key of ["publication", "date_from", "date_to"]) if (state[key]) params.set(key, state[key]);
  if (state.all_versions) params.set("all_versions", "true");
  if (state.fuzzy) params.set("fuzzy", "true");
  return params;
}

/** GET a JSON answer; an ApiError for an error answer, a plain Error when no answer came. */
export async function getJSON(path, params, signal) {
  const url = params && [...params].length ? `${path}?${params}` : path;
  let response;
  try {
    response = await fetch(url, { signal, headers: { accept: "application/json" } });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Error("The server did not answer. Is corpus serve still running?");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && body.error ? body.error : { code: `http_${response.status}`, message: response.statusText };
    throw new ApiError(response.status, detail.code, detail.message);
  }
  return body;
}

export const search = (state, extra, signal) => {
  const params = scopeParams(state);
  for (const [key, value] of extra) params.append(key, value);
  return getJSON("/search", params, signal);
};

export const timeline = (state, signal) => {
  const params = scopeParams(state);
  params.set("by", state.by);
  params.set("count", state.level);
  return getJSON("/timeline", params, signal);
};

export const kwic = (state, limit, signal) => {
  const params = scopeParams(state);
  params.set("sort", state.sort);
  params.set("limit", limit);
  params.set("offset", state.lines);
  return getJSON("/kwic", params, signal);
};

const allVersions = (state) => new URLSearchParams(state.all_versions ? { all_versions: "true" } : {});

export const article = (state, signal) =>
  getJSON(`/articles/${encodeURIComponent(state.story)}`, allVersions(state), signal);

export const diff = (state, signal) => {
  const params = allVersions(state);
  if (state.punctuation) params.set("punctuation", "true");
  return getJSON(`/articles/${encodeURIComponent(state.story)}/diff`, params, signal);
};

export const consensus = (state, signal) =>
  getJSON(`/articles/${encodeURIComponent(state.story)}/consensus`, allVersions(state), signal);

export const stats = () => getJSON("/stats");

/** The address of an export of every hit of the current search. */
export function exportURL(state, format, level) {
  const params = scopeParams(state);
  params.set("format", format);
  params.set("level", level);
  return `/export?${params}`;
}
