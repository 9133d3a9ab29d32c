// Keyboard shortcuts for a long queue. Everything also works without JavaScript.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target.tagName, type = e.target.type;
    var box = t === "INPUT" && (type === "checkbox" || type === "radio");  // a key there is a shortcut
    return (t === "INPUT" && !box) || t === "SELECT" || t === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey;
  }
  function submit(form, action) {
    var button = form.querySelector('button[value="' + action + '"]');
    if (button) { form.requestSubmit(button); }
  }
  document.addEventListener("keydown", function (e) {
    if (typing(e)) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
    var current = document.querySelector("tr.row.current");
    var index = rows.indexOf(current);
    var link = !rows.length && document.querySelector(e.key === "j" ? 'a[rel="next"]' : 'a[rel="prev"]');
    if (link && (e.key === "j" || e.key === "k")) {
      window.location.href = link.href;  // on an item's page: the next or previous in the queue
    } else if (rows.length && (e.key === "j" || e.key === "k")) {
      var next = rows[Math.min(rows.length - 1, Math.max(0, index + (e.key === "j" ? 1 : -1)))];
      if (current) { current.classList.remove("current"); }
      next.classList.add("current");
      next.querySelector("a.open").focus();
      e.preventDefault();
    } else if (e.key === "x" && current) {
      var box = current.querySelector('input[type="checkbox"]');
      box.checked = !box.checked;
    } else if (e.key === "a" || e.key === "r") {
      var form = document.querySelector("form.bulk") || document.getElementById("decide");
      if (!form) { return; }
      if (form.classList.contains("bulk") && current && !form.querySelector("input:checked")) {
        current.querySelector('input[type="checkbox"]').checked = true;  // act on the row in focus
      }
      if (e.key === "r") {
        var reason = form.querySelector('input[name="reason"]');
        if (reason && !reason.value) { reason.focus(); e.preventDefault(); return; }  // say why, then Enter
      }
      submit(form, e.key === "a" ? "approve" : "reject");
      e.preventDefault();
    }
  });
  // Enter in the reason box rejects (not the form's first button, approve).
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.name === "reason" && e.target.value) {
      submit(e.target.form, "reject");
      e.preventDefault();
    }
  });
})();
