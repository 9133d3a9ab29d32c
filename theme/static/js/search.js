// The search page only: Pagefind's UI (files served by this site, no third party),
// started with the query from the header form (?q=...).
window.addEventListener("DOMContentLoaded", function () {
  // The posts' index shards, merged into the site's own index (absolute URLs: Pagefind
  // resolves bundle paths against its own script, not this page).
  var bundles = JSON.parse(document.getElementById("search").getAttribute("data-bundles") || "[]");
  var ui = new PagefindUI({ element: "#search", showSubResults: false, showImages: false,
                            resetStyles: false,
                            mergeIndex: bundles.map(function (path) {
                              return { bundlePath: new URL(path, document.baseURI).href };
                            }) });
  // Pagefind's input has only a placeholder; give it an accessible name (axe: label-title-only).
  var named = function () {
    var input = document.querySelector(".pagefind-ui__search-input");
    if (!input) { return false; }
    input.setAttribute("aria-label", "Search the showcase");
    return true;
  };
  if (!named()) {
    new MutationObserver(function (_, observer) { if (named()) { observer.disconnect(); } })
      .observe(document.getElementById("search"), { childList: true, subtree: true });
  }
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { ui.triggerSearch(q); }
});
