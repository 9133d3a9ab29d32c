// The preview follows the content. On a desk page the status line says when the preview
// is being rebuilt; a preview page (served with data-reload) reloads itself once a newer
// build has finished, so the page the editor looks at shows their decision, or the pull
// that just landed. Without JavaScript, reloading the page does the same.
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = Number(me.getAttribute("data-updated"));  // the build this page shows
  var reloads = me.hasAttribute("data-reload");
  function said(state) {
    if (state.building) { return "Rebuilding the preview…"; }
    if (state.error) { return "Preview not rebuilt: the content has a problem"; }
    return "Preview up to date (" + state.built + " build" + (state.built === 1 ? "" : "s") + ")";
  }
  function poll() {
    if (document.hidden) { setTimeout(poll, 500); return; }
    fetch("/preview-state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      var status = document.querySelector(".preview-state");
      if (status && status.textContent !== said(state)) { status.textContent = said(state); }
      // A build that changed the preview finished (another may already be running: a
      // decision and the file watcher both ask for one; pages are written whole, so a page
      // read meanwhile is the last build's or the next one's, and the next reloads again).
      if (state.updated > seen) {
        seen = state.updated;
        if (reloads) { window.location.reload(); return; }  // to the last good preview
      }
      setTimeout(poll, 500);
    }).catch(function () { setTimeout(poll, 2000); });  // the desk stopped: try now and then
  }
  setTimeout(poll, 500);
})();
