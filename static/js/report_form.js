// The draft of a report of concern saves itself with htmx (see draft_edit.html). This script
// keeps the autosave and the form's own buttons from crossing each other:
// - a press of "Save draft" or "Submit" while an autosave is on its way waits for its answer,
//   so that the form sends the version that autosave produced (no false "changed in another
//   window");
// - once the form is being sent, no further autosave starts;
// - when an autosave can not be stored (logged out, network, server), the status says so;
// - the error summary, when there is one, takes the focus.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) {
    return;
  }
  // After a save or submit with something to correct, the error summary takes the focus:
  // keyboard and screen reader users start from it, and its links lead to the fields. On
  // "load", because a "#main" left in the address by the skip link moves the focus to <main>
  // as the page is read; not when the user has already moved the focus to a field.
  var summary = document.getElementById("error-summary");
  if (summary) {
    window.addEventListener("load", function () {
      var active = document.activeElement;
      if (!active || active === document.body || active.id === "main") {
        summary.focus();
      }
    });
  }
  var status = document.getElementById("autosave-status");
  var autosaveUrl = form.getAttribute("hx-post");
  var sending = false;
  var held = false;
  var releasing = false;

  function say(message) {
    if (status && message) {
      status.textContent = message;
    }
  }

  form.addEventListener("htmx:beforeRequest", function (event) {
    if (sending) {
      event.preventDefault();
    }
  });

  form.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    // A redirect (to the login page) means the session has ended: nothing was saved.
    if (xhr.responseURL && xhr.responseURL.indexOf(autosaveUrl) === -1) {
      event.detail.shouldSwap = false;
      say(form.dataset.expiredMessage);
    }
  });

  form.addEventListener("htmx:responseError", function () {
    say(form.dataset.errorMessage);
  });
  form.addEventListener("htmx:sendError", function () {
    say(form.dataset.errorMessage);
  });

  form.addEventListener("submit", function (event) {
    if (releasing) {
      releasing = false;
      return;
    }
    if (held) {
      event.preventDefault();
      return;
    }
    sending = true;
    if (form.classList.contains("htmx-request")) {
      event.preventDefault();
      held = true;
      var submitter = event.submitter;
      form.addEventListener(
        "htmx:afterRequest",
        function () {
          held = false;
          releasing = true;
          form.requestSubmit(submitter);
        },
        { once: true }
      );
    }
  });

  // Back to this page from the browser's cache: autosave again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      sending = held = releasing = false;
    }
  });
})();
