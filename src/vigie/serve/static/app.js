// Vigie: the only script, served from this origin (the CSP forbids inline scripts).
// It adds one convenience: open or close every article's clean text at once on a story page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector("button.toggle-all");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var all = document.querySelectorAll("details.body");
    var open = !Array.prototype.every.call(all, function (d) { return d.open; });
    Array.prototype.forEach.call(all, function (d) { d.open = open; });
  });
});
