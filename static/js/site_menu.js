// The header on a phone: the tools and the main menu fold behind one "Menu" button, so that
// the header takes at most a fifth of the screen. Runs right after the header (no flash of
// the open menu); without JavaScript everything stays open, and on a wide screen the button
// is hidden by the stylesheet and the menu is always shown.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) {
    return;
  }
  function setOpen(open) {
    header.classList.toggle("menu-closed", !open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.hidden = false;
  setOpen(false);
  toggle.addEventListener("click", function () {
    setOpen(header.classList.contains("menu-closed"));
  });
})();
