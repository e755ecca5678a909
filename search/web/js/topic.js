// The topic view: the timeline (GET /timeline) drawn as an SVG bar chart and the facets of the whole result
// set (GET /search with facet=publication&facet=source), at the level of stories, printings or occurrences.
import * as api from "./api.js";
import { LEVEL_NAME, LEVEL_NAMES, choices, count, h, periodRange, plural } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const FACET_ROWS = 30;
const CHART = { width: 760, height: 220, left: 44, right: 8, top: 16, bottom: 36 };
// The widest a period's column gets, so a few periods do not make a wall of bars.
const MAX_SLOT = 96;

function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  element.append(...children);
  return element;
}

/** Round tick values from 0 to the maximum. */
function ticks(max) {
  if (max <= 0) return [0];
  const step = 10 ** Math.floor(Math.log10(max));
  const unit = [1, 2, 5, 10].map((k) => k * step).find((candidate) => max / candidate <= 4) || step * 10;
  const values = [];
  for (let value = 0; value <= max; value += unit) values.push(value);
  return values;
}

function chart(data, ctx) {
  const { height, left, right, top, bottom } = CHART;
  const rows = data.rows;
  const values = rows.map((row) => row.counts[0][data.count]);
  const max = Math.max(1, ...values);
  const slot = Math.min(MAX_SLOT, (CHART.width - left - right) / Math.max(rows.length, 1));
  const plot = { w: slot * rows.length, h: height - top - bottom };
  const width = left + right + Math.max(plot.w, 2 * MAX_SLOT);
  const labelEvery = Math.ceil(rows.length / Math.max(1, Math.floor(plot.w / 64)));
  const y = (value) => top + plot.h - (value / max) * plot.h;
  const level = LEVEL_NAMES[data.count];
  const graphic = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, class: "chart", role: "img",
    "aria-label": `${level} per ${data.by}` });
  for (const tick of ticks(max)) {
    graphic.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: "grid" }),
      svg("text", { x: left - 6, y: y(tick) + 4, class: "tick", "text-anchor": "end" }, count(tick)));
  }
  rows.forEach((row, index) => {
    const value = values[index];
    const [from, to] = periodRange(row.period);
    const x = left + index * slot;
    const bar = svg("a", { href: ctx.link({ view: "results", date_from: from, date_to: to, offset: 0 }),
      class: "bar", "aria-label": `${row.period}: ${plural(value, LEVEL_NAME[data.count], level)}` },
      svg("title", {}, `${row.period}: ${count(value)} ${level}`),
      svg("rect", { x: x + slot * 0.12, y: y(value), width: Math.max(slot * 0.76, 1), height: top + plot.h - y(value) }),
      // The whole column is a target, so a period with few hits is as easy to click as one with many.
      svg("rect", { x, y: top, width: slot, height: plot.h, class: "target" }));
    graphic.append(bar);
    if (slot >= 28 && value) {
      graphic.append(svg("text", { x: x + slot / 2, y: y(value) - 4, class: "tick", "text-anchor": "middle" },
        count(value)));
    }
    if (index % labelEvery === 0) {
      graphic.append(svg("text", { x: x + slot / 2, y: height - bottom + 16, class: "tick", "text-anchor": "middle" },
        row.period));
    }
  });
  return graphic;
}

function facetTable(title, facet, level, narrow) {
  if (!facet) return "";
  const values = [...facet.values].sort((a, b) => b[level] - a[level] || String(a.value).localeCompare(b.value));
  const max = Math.max(1, ...values.map((entry) => entry[level]));
  const shown = values.slice(0, FACET_ROWS);
  return h("section", { class: "facet" },
    h("h3", {}, title),
    h("ol", { class: "facet-rows" }, shown.map((entry) => h("li", { class: "nav-item-row" },
      h("a", { href: narrow(entry.value), lang: "zh-Hans", title: `Only ${entry.value}` }, String(entry.value)),
      h("span", { class: "meter", "aria-hidden": "true" },
        h("span", { style: `width:${(100 * entry[level]) / max}%` })),
      h("span", { class: "n" }, count(entry[level]))))),
    values.length > FACET_ROWS ? h("p", { class: "help" }, `…and ${count(values.length - FACET_ROWS)} more`) : "",
    facet.missing[level] ? h("p", { class: "help" }, `${count(facet.missing[level])} ${LEVEL_NAMES[level]} without one`)
      : "");
}

/** Render the topic view of the current query into `root`. */
export async function render(root, ctx) {
  const { state } = ctx;
  const [found, line] = await Promise.all([
    api.search(state, [["limit", 1], ["facet", "publication"], ["facet", "source"]], ctx.signal),
    api.timeline(state, ctx.signal),
  ]);
  ctx.exportable(found.total_variants);
  const level = state.level;
  const undated = line.undated[0] ? line.undated[0][level] : 0;
  const totals = line.totals[0] || { stories: 0, variants: 0, occurrences: 0 };
  root.replaceChildren(
    h("p", { class: "summary", role: "status" },
      `${plural(totals.stories, "story", "stories")}, ${plural(totals.variants, "printing", "printings")}, ` +
      `${plural(totals.occurrences, "occurrence", "occurrences")}`),
    h("div", { class: "toolbar" },
      choices("Count", Object.entries(LEVEL_NAMES), level, (value) => ctx.link({ level: value })),
      choices("Per", ["day", "week", "month", "year"].map((by) => [by, by]), state.by, (by) => ctx.link({ by }))),
    h("section", { class: "timeline" },
      h("h3", {}, `${LEVEL_NAMES[level][0].toUpperCase()}${LEVEL_NAMES[level].slice(1)} per ${state.by}`),
      line.rows.length ? chart(line, ctx) : h("p", { class: "help" }, "No dated matches."),
      undated ? h("p", { class: "help" }, `${count(undated)} ${LEVEL_NAMES[level]} without a date`) : "",
      line.rows.length ? h("p", { class: "help" }, "Choose a bar to search that period.") : ""),
    h("div", { class: "facets" },
      facetTable("Papers", found.facets.publication, level,
        (value) => ctx.link({ view: "results", publication: String(value), offset: 0 })),
      facetTable("Sources", found.facets.source, level,
        (value) => ctx.link({ view: "results", source: [String(value)], offset: 0 }))));
  ctx.timing("topic");
}
