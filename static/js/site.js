/* Progressive enhancements only: every page works without this file.
   - forms with data-confirm ask before they are sent (suspending an insurer);
   - an error summary (data-focus-on-load) takes focus, so screen readers announce it;
   - checkbox groups (data-check-all) get "Select all" and "Clear" buttons;
   - a button with data-copy="<input id>" copies that input's value; inputs with data-select-on-focus
     select their text when focused. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
  }

  function makeButton(label, onClick) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small button--secondary";
    button.textContent = label;
    button.addEventListener("click", onClick);
    return button;
  }

  function checkAllHelpers() {
    document.querySelectorAll("fieldset[data-check-all]").forEach(function (fieldset) {
      var boxes = fieldset.querySelectorAll("input[type=checkbox]");
      if (boxes.length < 6) {
        return;
      }
      var legend = fieldset.querySelector("legend");
      var name = legend ? legend.textContent.trim() : "";
      var bar = document.createElement("div");
      bar.className = "check-all";
      function setAll(value) {
        boxes.forEach(function (box) { box.checked = value; });
      }
      var all = makeButton("Select all", function () { setAll(true); });
      var none = makeButton("Clear", function () { setAll(false); });
      if (name) {
        all.setAttribute("aria-label", "Select all: " + name);
        none.setAttribute("aria-label", "Clear: " + name);
      }
      bar.appendChild(all);
      bar.appendChild(none);
      var list = fieldset.querySelector(".checkboxes");
      fieldset.insertBefore(bar, list);
    });
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = "Copied";
        }, function () {
          input.select();
        });
      });
    });
    document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  onReady(function () {
    confirmForms();
    focusErrorSummary();
    checkAllHelpers();
    copyButtons();
  });
})();
