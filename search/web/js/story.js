// The story view: every printing of one story side by side (GET /articles/{id}), with the differences among
// them marked (GET /articles/{id}/diff) beside the consensus text (GET /articles/{id}/consensus).
import * as api from "./api.js";
import { count, h, marked, placeOf, plural } from "./dom.js";

const KIND_NAMES = { substitution: "reads differently", deletion: "lacks", insertion: "adds", punctuation: "punctuation" };

function quoted(text) {
  return text ? `「${text}」` : "nothing";
}

/** Per printing, its marks: the spans where it reads otherwise than the consensus, with the difference's index. */
function marksByPrinting(differences) {
  const marks = new Map();
  differences.forEach((difference, index) => {
    for (const reading of difference.readings) {
      if (reading.consensus) continue;
      reading.variants.forEach((variantId, k) => {
        if (!marks.has(variantId)) marks.set(variantId, []);
        const [start, end] = reading.spans[k];
        marks.get(variantId).push([start, end, index]);
      });
    }
  });
  return marks;
}

function diffMark(text, index, title) {
  return text
    ? h("mark", { class: "diff", dataset: { diff: index }, title }, text)
    : h("span", { class: "gap diff", dataset: { diff: index }, title, "aria-label": "missing here" }, "⁁");
}

function printingColumn(variant, marks, differences, reliability, flags, captions) {
  const meta = variant.metadata || {};
  const text = marked(variant.text, marks, (part, span) => {
    const difference = differences[span[2]];
    return diffMark(part, span[2], `${KIND_NAMES[difference.kind] || difference.kind}: most read ${
      quoted(difference.consensus)}`);
  });
  return h("section", { class: "column", "aria-label": `${meta.publication || variant.source} ${meta.date || ""}` },
    h("header", {},
      h("h3", { lang: "zh-Hans" }, String(meta.publication || "no publication")),
      h("p", { class: "meta", lang: "zh-Hans" }, placeOf(meta)),
      h("p", { class: "meta" }, h("code", {}, variant.source),
        reliability !== undefined ? ` · agrees ${(reliability * 100).toFixed(1)}%` : "",
        ` · ${plural(marks.length, "difference", "differences")}`)),
    h("div", { class: "text", lang: "zh-Hans", tabindex: "0" }, text),
    flags.map((flag) => h("p", { class: "meta flag" }, `line ${flag.line + 1} ${flag.kind}`)),
    captions.length ? h("details", { class: "captions" }, h("summary", {}, plural(captions.length, "caption",
      "captions")), captions.map((caption) => h("p", { lang: "zh-Hans" }, caption.text))) : "");
}

function consensusColumn(comparison, agreed) {
  const spans = comparison.differences.map((difference, index) => [difference.start, difference.end, index]);
  const text = marked(comparison.consensus, spans, (part, span) => {
    const difference = comparison.differences[span[2]];
    const others = difference.readings.filter((reading) => !reading.consensus).map((reading) => quoted(reading.text));
    return diffMark(part, span[2], `others read ${others.join(", ")}`);
  });
  return h("section", { class: "column consensus", "aria-label": "Consensus" },
    h("header", {},
      h("h3", {}, "Consensus"),
      h("p", { class: "meta" }, "What most printings read"),
      h("p", { class: "meta" }, `${(agreed * 100).toFixed(1)}% of characters read alike by all`)),
    h("div", { class: "text", lang: "zh-Hans", tabindex: "0" }, text));
}

function differenceList(comparison, names) {
  return h("ol", { class: "diffs" }, comparison.differences.map((difference, index) => {
    const others = difference.readings.filter((reading) => !reading.consensus).map((reading) =>
      `${quoted(reading.text)} ${reading.variants.map((id) => names.get(id) || id).join(", ")}`);
    return h("li", {}, h("button", { type: "button", class: "nav-item", dataset: { diff: index } },
      h("span", { class: `kind ${difference.kind}` }, difference.kind),
      h("span", { lang: "zh-Hans" }, ` ${quoted(difference.consensus)} ← ${others.join("; ")}`)));
  }));
}

/** Mark one difference wherever it shows and bring it into view in every column. */
export function selectDifference(root, index) {
  root.querySelectorAll(".diff.selected").forEach((element) => element.classList.remove("selected"));
  root.querySelectorAll(`.diff[data-diff="${index}"]`).forEach((element) => {
    element.classList.add("selected");
    const column = element.closest(".text");
    if (column) column.scrollTop = element.offsetTop - column.offsetTop - column.clientHeight / 3;
  });
}

/** Render the story named in the state into `root`. */
export async function render(root, ctx) {
  const { state } = ctx;
  const [story, comparison, consensus] = await Promise.all([
    api.article(state, ctx.signal), api.diff(state, ctx.signal), api.consensus(state, ctx.signal)]);
  const names = new Map(story.variants.map((variant) => [variant.variant_id,
    [variant.metadata.publication, variant.metadata.date].filter(Boolean).join(" ") || variant.source]));
  const reliability = new Map(comparison.printings.map((printing) => [printing.variant_id, printing.reliability]));
  const marks = marksByPrinting(comparison.differences);
  const ordered = [...story.variants].sort((a, b) =>
    String(a.metadata.date || "").localeCompare(String(b.metadata.date || "")) || a.source.localeCompare(b.source));
  const agreed = consensus.support.filter((value) => value >= 1).length / Math.max(consensus.support.length, 1);
  const first = story.first_printed;
  const list = differenceList(comparison, names);
  root.replaceChildren(
    h("div", { class: "story-head" },
      h("h2", { lang: "zh-Hans" }, story.title || "(untitled)"),
      h("p", { class: "spread", lang: "zh-Hans" }, [
        `printed by ${plural(story.papers.length, "paper", "papers")}`,
        first ? `first ${first.date}${first.publication ? ` in ${first.publication}` : ""}` : "",
        plural(story.variants.length, "printing", "printings"),
        plural(comparison.differences.length, "difference", "differences"),
      ].filter(Boolean).join(" · ")),
      h("p", {}, h("a", { href: ctx.link({ view: "results", story: "" }) }, "← Back to the results"), " · ",
        h("a", { href: ctx.link({ punctuation: !state.punctuation }) }, state.punctuation
          ? "Fold punctuation-width differences" : `Show ${plural(comparison.folded, "punctuation-width difference",
            "punctuation-width differences")} too`))),
    h("div", { class: "compare" },
      consensusColumn(comparison, agreed),
      ordered.map((variant) => printingColumn(variant, marks.get(variant.variant_id) || [], comparison.differences,
        reliability.get(variant.variant_id), comparison.flags.filter((flag) => flag.variant_id === variant.variant_id),
        comparison.captions.filter((caption) => caption.variant_id === variant.variant_id)))),
    h("section", { class: "differences" },
      h("h3", {}, `Differences (${count(comparison.differences.length)})`),
      h("p", { class: "help" }, "Choose one to mark it in every printing; n and p step through them."),
      list));
  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-diff]");
    if (target && root.contains(target)) selectDifference(root, target.dataset.diff);
  }, { signal: ctx.signal });
  ctx.timing("story");
}
