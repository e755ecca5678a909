// Small DOM helpers shared by the views: building elements, marking spans of text, formatting.

/** An element: h("a", {href, class, onclick, dataset: {...}}, child, ...); strings become text. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/**
 * Text with spans marked. Spans are [start, end] in code points, as the API counts them (a character outside
 * the Basic Multilingual Plane is one code point but two UTF-16 units). `make(part, span)` builds each mark;
 * a span starting inside an earlier one is clipped to start where that one ends.
 */
export function marked(text, spans, make) {
  const points = Array.from(text);
  const fragment = document.createDocumentFragment();
  let at = 0;
  const sorted = [...spans].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  for (const span of sorted) {
    const start = Math.max(span[0], at);
    const end = Math.min(span[1], points.length);
    if (start > end || (start === end && span[0] !== span[1]) || start < at) continue;
    if (start > at) fragment.append(points.slice(at, start).join(""));
    fragment.append(make(points.slice(start, end).join(""), span));
    at = end;
  }
  if (at < points.length) fragment.append(points.slice(at).join(""));
  return fragment;
}

const numbers = new Intl.NumberFormat("en");

export const count = (n) => numbers.format(n);

/** "1 story", "3 stories". */
export function plural(n, one, many) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** "1.2 ms", "35 ms". */
export function ms(value) {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** The words the levels of counting go by on this page. */
export const LEVEL_NAMES = { stories: "stories", variants: "printings", occurrences: "occurrences" };
export const LEVEL_NAME = { stories: "story", variants: "printing", occurrences: "occurrence" };

/** A printing's place: its publication, date and page as its metadata gives them. */
export function placeOf(metadata) {
  const parts = [];
  if (metadata.date) parts.push(String(metadata.date));
  if (metadata.page !== undefined && metadata.page !== null) parts.push(`p. ${metadata.page}`);
  if (metadata.edition) parts.push(String(metadata.edition));
  return parts.join(" · ");
}

/** A status line that says what is loading, or an error in words a researcher can act on. */
export function problem(error) {
  const box = h("div", { class: "error", role: "alert" });
  if (error.code === "bad_query") {
    box.append(h("strong", {}, "The query cannot be read: "), error.message);
    box.append(h("p", { class: "help" }, "Terms are separated by spaces; use \"quotes\" for phrases, OR between " +
      "alternatives, -term or NOT term to exclude, and balanced (parentheses)."));
  } else if (error.code === "bad_parameter") {
    box.append(h("strong", {}, "A filter is not valid: "), error.message);
  } else if (error.status === 404) {
    box.append(h("strong", {}, "Not found: "), error.message);
  } else if (error.status) {
    box.append(h("strong", {}, `The server answered ${error.status}: `), error.message);
  } else {
    box.append(error.message);
  }
  return box;
}

/** The first and last day of a period label of the timeline (2025-12-06, 2025-W49, 2025-12, 2025). */
export function periodRange(label) {
  const iso = (date) => date.toISOString().slice(0, 10);
  let match = /^(\d{4})-W(\d{2})$/.exec(label);
  if (match) {
    const jan4 = new Date(Date.UTC(+match[1], 0, 4));
    const monday = new Date(jan4);
    monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + 7 * (+match[2] - 1));
    const sunday = new Date(monday);
    sunday.setUTCDate(monday.getUTCDate() + 6);
    return [iso(monday), iso(sunday)];
  }
  match = /^(\d{4})-(\d{2})$/.exec(label);
  if (match) return [`${label}-01`, iso(new Date(Date.UTC(+match[1], +match[2], 0)))];
  if (/^\d{4}$/.test(label)) return [`${label}-01-01`, `${label}-12-31`];
  return [label, label];
}

/** Links choosing one of a few values, the current one marked. */
export function choices(label, options, current, linkTo) {
  return h("div", { class: "choices", role: "group", "aria-label": label },
    h("span", { class: "choices-label" }, `${label}:`),
    options.map(([value, name]) => h("a", { href: linkTo(value), class: "button", "aria-current": value === current
      ? "true" : undefined }, name)));
}

/** The pager of a paged list: previous, where we are, next. */
export function pager(label, offset, limit, total, linkTo) {
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  const previous = Math.max(0, offset - limit);
  return h("nav", { class: "pager", "aria-label": `${label} pages` },
    offset > 0 ? h("a", { href: linkTo(previous), rel: "prev", class: "button" }, "← Previous")
      : h("span", { class: "button disabled", "aria-disabled": "true" }, "← Previous"),
    h("span", {}, `${label} ${count(Math.min(offset + 1, total))}–${count(last)} of ${count(total)}`),
    last < total ? h("a", { href: linkTo(offset + limit), rel: "next", class: "button" }, "Next →")
      : h("span", { class: "button disabled", "aria-disabled": "true" }, "Next →"));
}
