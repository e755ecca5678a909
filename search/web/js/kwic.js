// The concordance view: key-word-in-context lines from GET /kwic, sorted by the server.
import * as api from "./api.js";
import { choices, h, pager, plural } from "./dom.js";

const LINES = 50;
const SORTS = [["date", "Date"], ["source", "Source"], ["left", "Left context"], ["right", "Right context"]];
const SORTED_COLUMN = { date: "when", source: "when", left: "left", right: "right" };

function line(entry, ctx) {
  const where = [entry.date, entry.publication].filter(Boolean).join(" ");
  return h("tr", { class: "nav-item", tabindex: "0" },
    h("td", { class: "when", lang: "zh-Hans" }, h("a", { href: ctx.link({ view: "story", story: entry.article_id }),
      title: `${entry.source} — open the story` }, where || entry.source)),
    h("td", { class: "left", lang: "zh-Hans" }, h("div", { class: "clip" }, h("span", {}, entry.left))),
    h("td", { class: "match", lang: "zh-Hans" }, h("mark", { class: "hit" }, entry.match)),
    h("td", { class: "right", lang: "zh-Hans" }, h("span", {}, entry.right)));
}

/** Render the concordance of the current query into `root`. */
export async function render(root, ctx) {
  const { state } = ctx;
  const data = await api.kwic(state, LINES, ctx.signal);
  const sortedBy = (column) => (SORTED_COLUMN[state.sort] === column ? "ascending" : undefined);
  const table = h("table", { class: "kwic" },
    h("caption", { class: "visually-hidden" }, `Concordance of ${state.q}, sorted by ${state.sort}`),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", class: "when", "aria-sort": sortedBy("when") }, "Printed"),
      h("th", { scope: "col", class: "left", "aria-sort": sortedBy("left") }, "Left context"),
      h("th", { scope: "col", class: "match" }, "Match"),
      h("th", { scope: "col", class: "right", "aria-sort": sortedBy("right") }, "Right context"))),
    h("tbody", {}, data.lines.map((entry) => line(entry, ctx))));
  root.replaceChildren(
    h("p", { class: "summary", role: "status" }, data.total ? plural(data.total, "line", "lines") : "No lines."),
    choices("Sort by", SORTS, state.sort, (sort) => ctx.link({ sort, lines: 0 })),
    h("div", { class: "kwic-wrap" }, table),
    pager("Lines", state.lines, LINES, data.total, (lines) => ctx.link({ lines })) || "");
  ctx.timing("kwic");
}
