// The search page only: one search box, results styled by the site's CSS, drawn from
// Pagefind's own API (pagefind.js and its index, served by this site: no third party).
// Pagefind's ready-made UI was 29 KiB of JavaScript this page never ran, a second box,
// and styles of its own; this is the part of it the showcase uses.
(function () {
  "use strict";
  var PAGE = 10;
  var root = document.getElementById("search");
  var form = document.getElementById("search-form");
  if (!root || !form) { return; }
  var input = form.elements.q;
  var statusLine = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var filterBox = document.getElementById("search-filters");
  var bundles = JSON.parse(root.getAttribute("data-bundles") || "[]");
  var pagefind = null, shown = [], current = null, ticket = 0, timer = null;

  function absolute(path) { return new URL(path, document.baseURI).href; }

  // The languages a bundle holds an index for (Pagefind keeps one per <html lang>).
  function languages(bundle) {
    return fetch(absolute(bundle + "pagefind-entry.json"))
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (entry) { return Object.keys(entry.languages || {}); })
      .catch(function () { return []; });
  }

  function load() {
    if (!pagefind) {
      // The site's bundle (in this page's language) first; then every other language of
      // it and every language of each post shard, merged in (absolute URLs: Pagefind
      // resolves bundle paths against its own script, not this page). A German post
      // is found from an English page, searched with German rules.
      var site = root.getAttribute("data-pagefind");
      var page = (document.documentElement.lang || "").toLowerCase();
      pagefind = import(absolute(site + "pagefind.js")).then(function (pf) {
        var merge = function (bundle, skip) {
          return languages(bundle).then(function (langs) {
            if (!langs.length && skip === null) { return pf.mergeIndex(absolute(bundle)); }  // as Pagefind chooses
            return Promise.all(langs.filter(function (l) { return l.toLowerCase() !== skip; })
              .map(function (l) { return pf.mergeIndex(absolute(bundle), { language: l }); }));
          });
        };
        return pf.options({ excerptLength: 24 }).then(function () {
          return Promise.all([merge(site, page)].concat(bundles.map(function (b) { return merge(b, null); })));
        }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  // An excerpt is Pagefind's text with <mark> around the words found: copy only text
  // and marks out of an inert document, so nothing from a page's text can become markup.
  function excerpt(html) {
    var out = document.createElement("p");
    out.className = "search-excerpt";
    var body = new DOMParser().parseFromString(html, "text/html").body;
    body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function card(data) {
    var item = document.createElement("li");
    item.className = "card search-result";
    var labels = (data.filters.kind || []).concat(data.filters.topic || []).filter(function (v, i, all) {
      return all.indexOf(v) === i;
    });
    if (labels.length) {
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = labels.join(" · ");
      item.appendChild(meta);
    }
    var heading = document.createElement("h2");
    heading.className = "card-title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    item.appendChild(excerpt(data.excerpt));
    return item;
  }

  function chosen() {
    var filters = {};
    filterBox.querySelectorAll("input:checked").forEach(function (box) {
      (filters[box.name] = filters[box.name] || { any: [] }).any.push(box.value);
    });
    return filters;
  }

  function say(text) { statusLine.textContent = text; }

  // The page's words in the site's language (search.html, from the gettext catalogue).
  var words = JSON.parse(root.getAttribute("data-messages") || "{}");
  function word(name, values) {
    return (words[name] || "").replace(/\{(\w+)\}/g, function (all, key) { return values[key]; });
  }

  function showMore() {
    var next = current.results.slice(shown.length, shown.length + PAGE);
    var mine = ticket;
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (pages) {
      if (mine !== ticket) { return; }
      pages.forEach(function (data) { shown.push(data); list.appendChild(card(data)); });
      more.hidden = shown.length >= current.results.length;
    });
  }

  function run() {
    var query = input.value.trim();
    var mine = ++ticket;
    // The address says what is shown (q and each filter), so it can be shared or bookmarked.
    var url = new URL(window.location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    window.history.replaceState(null, "", url);
    if (!query) {
      list.replaceChildren(); more.hidden = true; say(""); return Promise.resolve();
    }
    say(word("searching", {}));
    return load().then(function (pf) { return pf.search(query, { filters: chosen() }); })
      .then(function (search) {
        if (mine !== ticket) { return; }
        current = search; shown = []; list.replaceChildren();
        var n = search.results.length;
        var filtered = n !== search.unfilteredResultCount ? word("filtered", { total: search.unfilteredResultCount }) : "";
        say(word(n === 0 ? "none" : n === 1 ? "one" : "many", { n: n, query: query }) + filtered + ".");
        return showMore();
      })
      .catch(function () { if (mine === ticket) { say(word("failed", {})); } });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
  more.addEventListener("click", function () { showMore(); });
  var params = new URLSearchParams(window.location.search);
  filterBox.querySelectorAll("input[type=checkbox]").forEach(function (box) {
    box.checked = params.getAll(box.name).indexOf(box.value) >= 0;  // a shared link's filters
    box.addEventListener("change", run);
  });
  if (params.get("q")) { input.value = params.get("q"); run(); }
})();
