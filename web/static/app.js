/* tìm tin: small enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.getElementById("sf");
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia("(min-width: 861px)").matches) filters.open = true;
    var box = document.getElementById("q");

    // "/" focuses the search box (unless one is typing in a field already).
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || !box) return;
      var t = e.target, tag = t && t.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
      e.preventDefault();
      box.focus();
      box.select();
    });

    if (!form) return;

    // Keep shared URLs clean: leave empty fields out of the query string.
    form.addEventListener("formdata", function (e) {
      var drop = [];
      e.formData.forEach(function (value, key) { if (value === "") drop.push(key); });
      drop.forEach(function (key) {
        var kept = e.formData.getAll(key).filter(function (v) { return v !== ""; });
        e.formData.delete(key);
        kept.forEach(function (v) { e.formData.append(key, v); });
      });
    });

    // Ticking a facet value submits at once.
    document.querySelectorAll('input[type=checkbox][form="sf"]').forEach(function (box) {
      box.addEventListener("change", function () {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  });
})();
