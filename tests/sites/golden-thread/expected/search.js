// The search page (/search/): runs the query in the URL against the Pagefind index and draws the
// results. Loaded by that page alone. The index is cut into shards, consecutive by date, oldest
// first (render/planner.py), merged here into one Pagefind: by best match its results come ranked
// across all shards; newest or oldest first, the shards are searched one after another (each
// document names its shard in a filter), since Pagefind ranks a date order within one index only.
// Every text from the index (words of the public included) goes into the page as text: only
// Pagefind's <mark> around the words found is kept.

const form = document.querySelector("[data-search]");
const shards = form.dataset.shards.split(" ");
const status = document.querySelector(".search-status");
const list = document.querySelector(".search-results");
const more = document.querySelector(".search-more");
const language = document.documentElement.lang || "en";
const PAGE = 10;
const HITS = 5;
// The page's words, from the site's message catalog (render/planner.py): plain texts, and plural
// messages as a form for each CLDR plural category, picked as the browser's rules for the language say.
const words = JSON.parse(form.dataset.words);
const pluralRules = new Intl.PluralRules(language);
const dayFormat = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" });

let loading = null;
let pending = null; // the results not drawn yet (an async iterator), and what to draw them for
let searchNumber = 0;

function index() {
  loading ??= (async () => {
    const pagefind = await import(shards[0] + "pagefind.js");
    await pagefind.options({ baseUrl: form.dataset.base });
    await Promise.all(shards.slice(1).map((path) => pagefind.mergeIndex(path, { baseUrl: form.dataset.base })));
    return pagefind;
  })();
  loading.catch(() => { loading = null; }); // the next search tries again
  return loading;
}

// A result's page: only one of this site's own (the index holds no other).
function ownPage(url) {
  const page = new URL(url, location.href);
  return page.origin === location.origin && page.pathname.startsWith(form.dataset.base) ? page.pathname : null;
}

function paramsOf(url) {
  const params = new URL(url).searchParams;
  return Object.fromEntries(["q", "kind", "tag", "year", "sort"].map((name) => [name, (params.get(name) || "").trim()]));
}

function fillForm(params) {
  for (const [name, value] of Object.entries(params)) {
    const field = form.elements[name];
    if (field) field.value = value;
  }
}

// A message with its %(name)s filled in; a plural one in the form for `values.num`, written as the
// language writes numbers.
function say(message, values = {}) {
  let text = message;
  if (typeof message === "object") {
    text = message[pluralRules.select(values.num)] ?? message.other;
    values = { ...values, num: values.num.toLocaleString(language) };
  }
  return text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
}

function formatDay(day) {
  return day ? dayFormat.format(new Date(day + "T00:00:00Z")) : "";
}

// Pagefind's excerpt is text with <mark> around the words found (it escapes < and >): parse it
// inert and keep only those marks.
function excerptOf(html) {
  const holder = document.createElement("template");
  holder.innerHTML = html;
  const excerpt = document.createElement("span");
  for (const node of holder.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      excerpt.append(mark);
    } else {
      excerpt.append(node.textContent);
    }
  }
  return excerpt;
}

// A sub-result: a comment or note (its heading's id is "KIND~DAY~PLACE", PLACE being where it is
// from the article's page, "#comment-c1" or "page/3/#comment-c1": render/search.py), or the
// article's own text.
function hitOf(sub, page, data) {
  const match = /^(comment|note)~([0-9-]*)~(.+)$/.exec(sub.anchor ? sub.anchor.id : "");
  if (match) {
    return { kind: match[1], day: match[2], who: sub.title, url: page + match[3], excerpt: sub.excerpt };
  }
  const day = data.filters.date ? data.filters.date[0] : "";
  return { kind: "article", day, who: null, url: sub.anchor ? page + "#" + sub.anchor.id : page, excerpt: sub.excerpt };
}

function element(name, className, ...children) {
  const node = document.createElement(name);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function timeOf(day) {
  const time = element("time", null, formatDay(day));
  time.dateTime = day;
  return time;
}

function drawResult(data, page, hits) {
  const link = element("a", null, data.meta.title || page);
  link.href = page;
  const item = element("li", "search-result", element("h2", "search-result-title", link));
  const shown = element("ul", "search-hits");
  for (const hit of hits.slice(0, HITS)) {
    const meta = element("p", "search-hit-meta", element("span", "search-hit-kind", words[hit.kind]));
    if (hit.who && hit.kind === "comment") {
      const [before, after] = words.by.split("%(author)s");
      meta.append(" ", before, element("span", "search-hit-who", hit.who), after);
    }
    if (hit.day) meta.append(" · ", timeOf(hit.day));
    const excerpt = element("a", null, excerptOf(hit.excerpt));
    excerpt.href = hit.url;
    shown.append(element("li", `search-hit search-hit-${hit.kind}`, meta, element("p", "search-hit-excerpt", excerpt)));
  }
  item.append(shown);
  if (hits.length > HITS) {
    const rest = element("a", null, say(words.more, { num: hits.length - HITS }));
    rest.href = page;
    item.append(element("p", "search-result-more", rest));
  }
  return item;
}

// The results in the order asked for, fetched as they are drawn; `best` are those of the search
// by best match, already made.
async function* ordered(pagefind, params, filters, best) {
  if (!isSorted(params)) {
    yield* best;
    return;
  }
  const numbers = shards.map((_, number) => String(number));
  if (params.sort === "newest") numbers.reverse();
  const sort = { date: params.sort === "newest" ? "desc" : "asc" };
  for (const shard of numbers) {
    yield* (await pagefind.search(params.q, { filters: { ...filters, shard }, sort })).results;
  }
}

// Draw the next page of results: those with a hit of the kind and year asked for.
async function drawMore(number) {
  const { results, params } = pending;
  let drawn = 0;
  let next = pending.next || await results.next(); // one result looked at ahead: is there more?
  while (drawn < PAGE && !next.done) {
    const data = await next.value.data();
    if (number !== searchNumber) return;
    next = await results.next();
    const page = ownPage(data.url);
    if (page === null) continue;
    const hits = data.sub_results.map((sub) => hitOf(sub, page, data))
      .filter((hit) => (!params.kind || hit.kind === params.kind) && (!params.year || hit.day.startsWith(params.year)));
    if (!hits.length) continue;
    list.append(drawResult(data, page, hits));
    drawn += 1;
  }
  if (number !== searchNumber) return;
  pending.next = next;
  more.hidden = next.done;
}

async function run(params) {
  const number = ++searchNumber;
  list.replaceChildren();
  more.hidden = true;
  if (!params.q) {
    status.textContent = "";
    pending = null;
    return;
  }
  status.textContent = words.searching;
  let count;
  try {
    const pagefind = await index();
    const filters = {};
    for (const name of ["kind", "tag", "year"]) if (params[name]) filters[name] = params[name];
    const best = (await pagefind.search(params.q, { filters })).results;
    count = best.length;
    if (number !== searchNumber) return;
    pending = { results: ordered(pagefind, params, filters, best), params };
    await drawMore(number);
  } catch (problem) {
    if (number === searchNumber) status.textContent = words.failed;
    console.error(problem);
    return;
  }
  if (number !== searchNumber) return;
  // Said once the first results are drawn: the status region is what a screen reader announces.
  const narrowed = Boolean(params.kind || params.year);
  status.textContent = count === 0 ? say(words.nothing, { query: params.q })
    : say(narrowed ? words.foundUpTo : words.found, { num: count, query: params.q });
}

function isSorted(params) {
  return params.sort === "newest" || params.sort === "oldest";
}

function submit() {
  const params = Object.fromEntries(new FormData(form));
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value.trim()) query.set(name, value.trim());
  const url = `${location.pathname}${query.size ? "?" + query : ""}`;
  if (url !== location.pathname + location.search) history.pushState(null, "", url);
  run(paramsOf(location.href));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
for (const name of ["kind", "tag", "year", "sort"]) {
  form.elements[name].addEventListener("change", () => { if (form.elements.q.value.trim()) submit(); });
}
const moreButton = more.querySelector("button");
moreButton.addEventListener("click", async () => {
  moreButton.disabled = true; // one page at a time
  try {
    await drawMore(searchNumber);
  } finally {
    moreButton.disabled = false;
  }
});
window.addEventListener("popstate", () => {
  const params = paramsOf(location.href);
  fillForm(params);
  run(params);
});

const initial = paramsOf(location.href);
fillForm(initial);
if (initial.q) {
  run(initial);
} else {
  form.elements.q.focus();
  // Pagefind's script, its WebAssembly and each shard's metadata load while the reader types:
  // what is left for Enter is the query's own part of the index.
  index().catch((problem) => console.error(problem));
}
