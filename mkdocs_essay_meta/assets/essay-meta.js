/* essay-meta: Escape hides a badge's explanation until the pointer and the focus have left
 * the badge (WCAG 2.2, 1.4.13: content shown on hover or focus can be dismissed without
 * moving either). Listeners on the document only, so pages swapped in by Material's instant
 * navigation need nothing more. */
(function () {
  "use strict";
  var DISMISSED = "essay-meta-badge--dismissed";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var shown = document.querySelectorAll(
      ".essay-meta-badge:hover, .essay-meta-badge:focus, .essay-meta-badge:focus-within");
    for (var i = 0; i < shown.length; i++) shown[i].classList.add(DISMISSED);
  });

  function restoreWhenLeft(event) {
    var badge = event.target.closest && event.target.closest("." + DISMISSED);
    if (!badge || badge.contains(event.relatedTarget)) return;
    if (event.type === "mouseout" ? !badge.matches(":focus-within") : !badge.matches(":hover")) {
      badge.classList.remove(DISMISSED);
    }
  }
  document.addEventListener("mouseout", restoreWhenLeft);
  document.addEventListener("focusout", restoreWhenLeft);
})();
