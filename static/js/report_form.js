// The draft of a report of concern saves itself with htmx (see draft_edit.html). This script
// keeps the autosave and the form's own buttons from crossing each other:
// - a press of "Save draft" or "Submit" while an autosave is on its way waits for its answer,
//   so that the form sends the version that autosave produced (no false "changed in another
//   window");
// - once the form is being sent, no further autosave starts;
// - when an autosave can not be stored (logged out, network, server), the status says so;
// - what was typed is kept in the browser tab until the server has it, so that nothing is
//   lost when the session ends while typing: the page says so, offers to log in again, and
//   the login (or the way back from a refused form) returns here, where the text is put back
//   and saved;
// - the error summary, when there is one, takes the focus.
(function () {
  "use strict";
  // What is kept lives in sessionStorage, not localStorage: it is what the user wrote about a
  // child, so it must not outlive the tab (a shared computer keeps localStorage for anyone who
  // comes after) and it is never sent anywhere by itself. It is also removed as soon as the
  // server has it (an autosave that stored everything, a later page with a newer version of
  // the draft, the receipt).
  var PREFIX = "samverkan:draft:";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage switched off: the form works as before, without the safety net
    }
  }

  var done = document.querySelector("[data-forget-draft]");
  if (done && storage()) {
    storage().removeItem(PREFIX + done.dataset.forgetDraft);
  }
  var form = document.querySelector("form[data-autosave]");
  if (!form) {
    return;
  }
  var key = PREFIX + form.dataset.draft;
  var version = function () {
    var input = document.getElementById("draft-version");
    return input ? input.value : "";
  };

  // The typed state of the form: the fields a user fills in (not the token, version, submission
  // key or files), as name -> list of values.
  function fields() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return (
        element.name &&
        !element.disabled &&
        ["hidden", "file", "submit", "button", "reset"].indexOf(element.type) === -1 &&
        element.tagName !== "BUTTON"
      );
    });
  }

  function typed() {
    var state = {};
    fields().forEach(function (element) {
      var values = state[element.name] || (state[element.name] = []);
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) {
          values.push(element.value);
        }
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          values.push(option.value);
        });
      } else {
        values.push(element.value);
      }
    });
    return state;
  }

  function put(state) {
    fields().forEach(function (element) {
      var values = state[element.name];
      if (!values) {
        return;
      }
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else {
        element.value = values[0] || "";
      }
    });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // Kept with the version of the draft the page had: back on a page with the same version,
  // the server has had no save since, so what was kept is newer than what the page shows.
  function keep() {
    if (storage()) {
      try {
        storage().setItem(key, JSON.stringify({ version: version(), fields: typed() }));
      } catch (error) {
        // Storage full or refused: nothing more to do than the status line already says.
      }
    }
  }

  function forget() {
    if (storage()) {
      storage().removeItem(key);
    }
  }

  function kept() {
    var raw = storage() && storage().getItem(key);
    if (!raw) {
      return null;
    }
    try {
      return JSON.parse(raw);
    } catch (error) {
      return null;
    }
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

  var notice = document.getElementById("session-notice");
  var restoredNotice = document.getElementById("restored-notice");
  var interrupted = false;
  // What the autosave on its way sent, to know afterwards whether the server has it all.
  var sent = null;

  // Show the notice for ``reason`` ("logged-out" or "out-of-date"), or hide it (null).
  function interrupt(reason) {
    interrupted = Boolean(reason);
    if (!notice) {
      return;
    }
    Array.prototype.forEach.call(notice.querySelectorAll("[data-when]"), function (part) {
      part.hidden = part.dataset.when !== reason;
    });
    notice.hidden = !reason;
    if (reason && status) {
      status.textContent = ""; // no "Saved 14:02" beside the notice that nothing was saved
    }
  }

  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  form.addEventListener("htmx:beforeRequest", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sent = typed();
  });

  form.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    // A redirect (to the login page, or to set up two-factor) means the session has ended:
    // nothing was saved.
    if (xhr.responseURL && xhr.responseURL.indexOf(autosaveUrl) === -1) {
      event.detail.shouldSwap = false;
      keep();
      interrupt("logged-out");
    }
  });

  form.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.successful || (xhr.responseURL && xhr.responseURL.indexOf(autosaveUrl) === -1)) {
      return;
    }
    if (interrupted) {
      interrupt(null);
    }
    var partly = status && status.querySelector("[data-not-saved]");
    if (!partly && sent && same(sent, typed())) {
      forget(); // the server has everything that was typed
    } else {
      keep(); // with the version this save produced
    }
  });

  form.addEventListener("htmx:responseError", function (event) {
    var code = event.detail.xhr.status;
    keep();
    if (code === 401) {
      interrupt("logged-out");
    } else if (code === 403) {
      // The form's security token was refused: the user logged in again elsewhere.
      interrupt("out-of-date");
    } else {
      say(form.dataset.errorMessage);
    }
  });
  form.addEventListener("htmx:sendError", function () {
    keep();
    say(form.dataset.errorMessage);
  });

  form.addEventListener("submit", function (event) {
    // "Save draft" and "Submit" send the whole page. Should that fail (logged out, a refused
    // token), the text is still in the tab and is put back when the form is opened again.
    keep();
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

  // Back on the form after a login or a refused form: put back what was kept, if the server
  // has had no save since (the same version), and save it.
  var earlier = kept();
  if (earlier && earlier.version === version() && !same(earlier.fields, typed())) {
    put(earlier.fields);
    if (restoredNotice) {
      restoredNotice.hidden = false;
    }
    // After htmx has set up the form (it does so on DOMContentLoaded, before this "load").
    window.addEventListener("load", function () {
      if (window.htmx) {
        window.htmx.trigger(form, "change");
      }
    });
  } else if (earlier) {
    forget();
  }

  // Back to this page from the browser's cache: autosave again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      sending = held = releasing = false;
    }
  });
})();
