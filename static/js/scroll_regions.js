// A table that is wider than the screen scrolls inside its ".table-wrap" frame. Keyboard users
// must be able to reach that frame to scroll it (WCAG 2.1.1), and screen readers should hear
// what it holds: a frame that overflows gets tabindex="0", role="group" (not a landmark: the section around it is one) and the name of its
// table (the caption, else the heading before it). Frames a template already made focusable
// are left as they are. Checked again when the window changes size.
(function () {
  "use strict";
  function nameOf(frame) {
    var caption = frame.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var node = frame;
    while (node) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) {
          return previous.textContent.trim();
        }
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (frame) {
      if (frame.hasAttribute("tabindex") && !frame.hasAttribute("data-scroll-region")) {
        return;
      }
      var overflows = frame.scrollWidth > frame.clientWidth + 1;
      if (overflows) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "group");
        frame.setAttribute("aria-label", nameOf(frame));
        frame.setAttribute("data-scroll-region", "");
      } else if (frame.hasAttribute("data-scroll-region")) {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
        frame.removeAttribute("data-scroll-region");
      }
    });
  }
  mark();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(mark, 150);
  });
  // Content swapped in by htmx (progress, fragments) may bring new tables.
  document.body.addEventListener("htmx:afterSettle", mark);
})();
