// The research page: reads the state from the URL, keeps the form, tabs, filter chips and export links in step
// with it, renders the current view from the JSON API, and handles the keyboard.
import * as api from "./api.js";
import { count, h, problem } from "./dom.js";
import { filterCount, readState, stateSearch } from "./state.js";
import * as kwic from "./kwic.js";
import * as results from "./results.js";
import * as story from "./story.js";
import * as topic from "./topic.js";

const RENDERERS = { results, topic, kwic, story };
const EXPORT_FORMATS = [["jsonl", "JSON Lines"], ["csv", "CSV"], ["parquet", "Parquet"]];
const EXPORT_LEVELS = [["story", "stories"], ["variant", "printings"], ["occurrence", "occurrences"]];

const form = document.getElementById("search");
const box = document.getElementById("q");
const view = document.getElementById("view");
const main = document.getElementById("main");
let state = readState(location.search);
let controller = null;
let exportLevel = "variant";
let exportTotal = null;

// When each view last got its answer and painted its first result (read by the end-to-end test).
const timings = (window.corpusTiming = {});
if ("PerformanceObserver" in window && PerformanceObserver.supportedEntryTypes.includes("element")) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.identifier === "first-result") timings.firstResultPaint = entry;
  }).observe({ type: "element", buffered: true });
}

const link = (patch) => stateSearch({ ...state, ...patch }) || "?";

function navigate(search, { replace = false } = {}) {
  const next = search.startsWith("?") ? search : `?${search}`;
  if (next !== location.search) history[replace ? "replaceState" : "pushState"](null, "", next || location.pathname);
  state = readState(location.search);
  update();
}

function fillForm() {
  box.value = state.q;
  form.publication.value = state.publication;
  form.source.value = state.source.join(" ");
  form.date_from.value = state.date_from;
  form.date_to.value = state.date_to;
  form.all_versions.checked = state.all_versions;
  form.fuzzy.checked = state.fuzzy;
  const limit = String(state.limit);
  if (![...form.limit.options].some((option) => option.value === limit)) form.limit.append(h("option", {}, limit));
  form.limit.value = limit;
  const filters = filterCount(state);
  document.getElementById("filter-count").textContent = filters ? `(${filters})` : "";
}

function readForm() {
  return {
    q: box.value.trim(),
    publication: form.publication.value.trim(),
    source: form.source.value.split(/[\s,]+/).filter(Boolean),
    date_from: form.date_from.value,
    date_to: form.date_to.value,
    all_versions: form.all_versions.checked,
    fuzzy: form.fuzzy.checked,
    limit: Number(form.limit.value),
    offset: 0,
    lines: 0,
  };
}

function chips() {
  const remove = (label, patch) => h("a", { class: "chip", href: link({ ...patch, offset: 0, lines: 0 }),
    title: `Remove ${label}` }, label, h("span", { "aria-hidden": "true" }, " ×"));
  const list = [];
  if (state.publication) list.push(remove(`paper: ${state.publication}`, { publication: "" }));
  state.source.forEach((source) => list.push(remove(`source: ${source}`,
    { source: state.source.filter((other) => other !== source) })));
  if (state.date_from || state.date_to) {
    list.push(remove(`dates: ${state.date_from || "…"} – ${state.date_to || "…"}`, { date_from: "", date_to: "" }));
  }
  if (state.all_versions) list.push(remove("all versions", { all_versions: false }));
  if (state.fuzzy) list.push(remove("fuzzy", { fuzzy: false }));
  document.getElementById("chips").replaceChildren(...list);
}

function tabs() {
  for (const tab of document.querySelectorAll(".tabs a")) {
    const name = tab.dataset.view;
    tab.href = link({ view: name });
    tab.hidden = name === "story" && !state.story;
    if (name === state.view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

function exportLinks() {
  const footer = document.getElementById("export");
  if (!state.q) {
    footer.replaceChildren();
    return;
  }
  const level = h("select", { id: "export-level", onchange: (event) => {
    exportLevel = event.target.value;
    exportLinks();
  } }, EXPORT_LEVELS.map(([value, name]) => h("option", { value, selected: value === exportLevel }, name)));
  footer.replaceChildren(
    h("label", { for: "export-level" }, exportTotal === null ? "Export every hit as" : `Export all ${count(exportTotal)
      } matching printings as`), " ", level, " ",
    ...EXPORT_FORMATS.map(([format, name]) => h("a", { class: "button", download: "",
      href: api.exportURL(state, format, exportLevel) }, name)));
}

function intro() {
  const examples = ["钍基熔盐", "钍基熔盐 OR 钎基熔盐", "\"新质生产力\"", "熔盐 -钎基"];
  return h("div", { class: "intro" },
    h("h2", {}, "Search the newspaper pages"),
    h("p", {}, "Results come grouped by story, with every paper's printing of the passage, including printings " +
      "whose OCR garbled the term. Try:"),
    h("ul", {}, examples.map((example) => h("li", {}, h("a", { href: link({ q: example, view: "results" }),
      lang: "zh-Hans" }, example)))));
}

const context = (signal) => ({
  state,
  signal,
  link,
  publications(values) {
    document.getElementById("publications").replaceChildren(...values.map((value) => h("option", { value })));
  },
  exportable(total) {
    exportTotal = total;
    exportLinks();
  },
  timing(name, answered) {
    view.dataset.ready = name;
    view.removeAttribute("aria-busy");
    if (answered !== undefined) timings[name] = { answered };
  },
});

async function update() {
  fillForm();
  chips();
  tabs();
  exportTotal = null;
  exportLinks();
  document.title = state.q ? `${state.q} – corpus` : "corpus";
  if (controller) controller.abort();
  controller = new AbortController();
  delete view.dataset.ready;
  const needsQuery = state.view !== "story";
  if (needsQuery && !state.q) {
    view.replaceChildren(intro());
    view.dataset.ready = "intro";
    return;
  }
  view.setAttribute("aria-busy", "true");
  view.replaceChildren(h("p", { class: "loading" }, state.view === "story" ? "Comparing the printings…" : "Searching…"));
  const signal = controller.signal;
  try {
    await RENDERERS[state.view].render(view, context(signal));
  } catch (error) {
    if (error.name === "AbortError") return;
    view.replaceChildren(problem(error));
    view.dataset.ready = "error";
    view.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const fields = readForm();
  const next = state.view === "story" ? "results" : state.view;
  navigate(stateSearch({ ...state, ...fields, view: next, story: next === "story" ? state.story : "" }));
});
for (const name of ["all_versions", "fuzzy", "limit", "date_from", "date_to"]) {
  form[name].addEventListener("change", () => {
    if (box.value.trim()) form.requestSubmit();
  });
}

// Links within the page change the state without reloading it; a modified click still opens a new tab.
document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[href^='?']");
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
    return;
  }
  event.preventDefault();
  navigate(anchor.getAttribute("href"));
  if (!anchor.closest(".tabs")) main.focus({ preventScroll: true });
});

window.addEventListener("popstate", () => {
  state = readState(location.search);
  update();
});

// Keys typed here, or that scroll a printing's text, are the browser's.
function typing(target) {
  return target.closest("input, select, textarea, [contenteditable], .text");
}

function moveFocus(step) {
  const items = [...view.querySelectorAll(".nav-item")];
  if (!items.length) return;
  const at = items.indexOf(document.activeElement.closest(".nav-item"));
  const next = items[at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(Math.max(at + step, 0), items.length - 1)];
  next.focus();
  if (state.view === "story" && next.dataset.diff !== undefined) story.selectDifference(view, next.dataset.diff);
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === "/" && !typing(event.target)) {
    event.preventDefault();
    box.focus();
    box.select();
  } else if (event.key === "ArrowDown" && event.target === box) {
    event.preventDefault();
    moveFocus(1);
  } else if (typing(event.target)) {
    return;
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp" || event.key === "j" || event.key === "k") {
    event.preventDefault();
    moveFocus(event.key === "ArrowDown" || event.key === "j" ? 1 : -1);
  } else if (event.key === "Enter" && event.target.matches(".nav-item:not(button)")) {
    const first = event.target.querySelector("a");
    if (first) first.click();
  } else if (state.view === "story" && (event.key === "n" || event.key === "p")) {
    moveFocus(event.key === "n" ? 1 : -1);
  } else if (event.key === "Escape" && state.view === "story") {
    navigate(link({ view: "results", story: "" }));
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    const pager = view.querySelector(`.pager a[rel='${event.key === "ArrowRight" ? "next" : "prev"}']`);
    if (pager) pager.click();
  }
});

api.stats().then((stats) => {
  document.getElementById("stats").textContent = `Index: ${count(stats.sources)} sources, ${count(stats.variants)
  } printings in ${count(stats.stories)} stories (commit ${stats.generation}).`;
}).catch(() => {
  document.getElementById("stats").textContent = "No index yet: run corpus index first.";
});

update();
if (!state.q && state.view !== "story") box.focus();
