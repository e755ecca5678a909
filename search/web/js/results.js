// The results view: story groups from GET /search, one row per printing with its highlighted snippet.
import * as api from "./api.js";
import { count, h, marked, ms, pager, placeOf, plural } from "./dom.js";

/** What a printing found only fuzzily (fuzzy=true) prints where the others print the term. */
function fuzzyFound(variant) {
  return (variant.found || []).map((found) => found.text).join("、");
}

/** The garbled forms a fuzzy search found, with how many printings hold each. */
function garbledForms(data) {
  return (data.also_printed_as || []).map((form) => `${form.form} ×${form.variants}`);
}

function snippet(variant) {
  // In a printing that did not match, the highlight is its passage's counterpart of the term: the garble.
  const kind = variant.matched ? "hit" : "garble";
  const title = variant.matched ? undefined : "this printing's reading where the others print the term";
  return h("p", { class: "snippet", lang: "zh-Hans" },
    marked(variant.snippet, variant.highlights, (text) => h("mark", { class: kind, title }, text)));
}

function printingRow(variant, ctx) {
  const meta = variant.metadata || {};
  const found = fuzzyFound(variant);
  const badges = [];
  if (!variant.matched) badges.push(h("span", { class: "badge dim" }, "no match"));
  if (variant.fuzzy) {
    badges.push(h("span", { class: "badge fuzzy", title: found ? `found as ${found}` : "found by fuzzy matching" },
      found ? `fuzzy: ${found}` : "fuzzy"));
  }
  if (ctx.state.all_versions) badges.push(h("span", { class: "badge" }, `v${variant.version}`));
  return h("li", { class: `printing${variant.matched ? "" : " unmatched"}${variant.fuzzy ? " fuzzy" : ""}` },
    h("div", { class: "where" },
      meta.publication
        ? h("a", { class: "pub", lang: "zh-Hans", href: ctx.link({ publication: String(meta.publication), offset: 0 }),
          title: `Only ${meta.publication}` }, String(meta.publication))
        : h("span", { class: "pub none" }, "no publication"),
      h("span", { class: "place", lang: "zh-Hans" }, placeOf(meta)),
      h("a", { class: "source", href: ctx.link({ source: [variant.source], offset: 0 }), title: "Only this source" },
        variant.source),
      ...badges),
    snippet(variant));
}

function spreadLine(story) {
  const matched = story.variants.filter((v) => v.matched).length;
  const parts = [`printed by ${plural(story.papers.length, "paper", "papers")}`];
  if (story.first_printed) {
    parts.push(`first ${story.first_printed.date}${story.first_printed.publication
      ? ` in ${story.first_printed.publication}` : ""}`);
  }
  parts.push(`${count(matched)} of ${plural(story.variants.length, "printing", "printings")} match`);
  return h("p", { class: "spread", lang: "zh-Hans" }, parts.join(" · "));
}

function storyItem(story, index, ctx) {
  const titleId = `story-${index}`;
  const title = h("a", { id: titleId, href: ctx.link({ view: "story", story: story.article_id }), lang: "zh-Hans" },
    story.title || "(untitled)");
  return h("li", { class: "story nav-item", tabindex: "0", "aria-labelledby": titleId },
    // Element Timing reports the paint of a block's text, so the heading carries the mark, not its link.
    h("h2", { elementtiming: index === 0 ? "first-result" : undefined }, title),
    spreadLine(story),
    h("ul", { class: "papers", "aria-label": "Papers" }, story.papers.map((paper) => h("li", {},
      h("a", { href: ctx.link({ publication: paper.publication || "", offset: 0 }), lang: "zh-Hans",
        title: `${paper.dates.join(", ")}` }, `${paper.publication || "(none)"} ×${paper.variants}`)))),
    h("ol", { class: "printings" }, story.variants.map((variant) => printingRow(variant, ctx))));
}

/** Render the results of the current query into `root`. */
export async function render(root, ctx) {
  const { state } = ctx;
  const asked = performance.now();
  const data = await api.search(state, [["limit", state.limit], ["offset", state.offset], ["facet", "publication"]],
    ctx.signal);
  const answered = performance.now();
  ctx.publications((data.facets.publication || { values: [] }).values.map((entry) => entry.value));
  ctx.exportable(data.total_variants);
  const forms = garbledForms(data);
  const summary = h("p", { class: "summary", role: "status" },
    data.total_articles
      ? `${plural(data.total_variants, "printing", "printings")} in ${plural(data.total_articles, "story", "stories")}`
      : "Nothing matches.",
    h("span", { class: "timing" }, ` · ${ms(data.took_ms)} on the server, ${ms(answered - asked)} in all`));
  const list = h("ol", { class: "stories", start: state.offset + 1 },
    data.articles.map((story, index) => storyItem(story, index, ctx)));
  root.replaceChildren(summary,
    forms.length ? h("p", { class: "garbled", lang: "zh-Hans" }, `Also found as: ${forms.join("、")}`) : "",
    list,
    pager("Stories", state.offset, state.limit, data.total_articles, (offset) => ctx.link({ offset })) || "");
  ctx.timing("results", answered);
}
