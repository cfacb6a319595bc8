/* Progressive enhancements only: every page works without this file.
   - forms with data-confirm ask before they are sent (suspending an insurer);
   - an error summary (data-focus-on-load) takes focus, so screen readers announce it;
   - checkbox groups (data-check-all) get "Select all" and "Clear" buttons;
   - a button with data-copy="<input id>" copies that input's value; inputs with data-select-on-focus
     select their text when focused;
   - a form with data-shortfall-rules (the upload of a policy) lists, as its fields change, the requirement
     rules the entered terms fail: the rules, their figures and their sentences come from the server
     (accelerator/domain/warnings.py), this file only applies them. */
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

  function moneyCents(text) {
    var plain = String(text).replace(/[,\s]/g, "").replace(/^\$/, "");
    if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(plain)) {
      return null;
    }
    var parts = plain.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  var dollars = window.Intl ? new Intl.NumberFormat("en-US", {style: "currency", currency: "USD"}) : null;

  function showMoney(cents) {
    var amount = cents / 100;
    return dollars ? dollars.format(amount) : "$" + amount.toFixed(2);
  }

  // Whether `value` passes `rule` (the tests of domain/warnings.py); null when there is nothing to judge.
  function passes(rule, value) {
    if (rule.test === "checked") {
      return Boolean(value);
    }
    if (value === null || value === undefined || value === "") {
      return null;
    }
    if (rule.test === "min" || rule.test === "max") {
      var cents = moneyCents(value);
      if (cents === null) {
        return null;
      }
      var limit = moneyCents(rule.threshold);
      return rule.test === "min" ? cents >= limit : cents <= limit;
    }
    if (rule.test === "equals") {
      return value === rule.threshold;
    }
    if (rule.test === "one_of") {
      return rule.threshold.indexOf(value) !== -1;
    }
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) {
      return null;
    }
    return rule.test === "on_or_before" ? value <= rule.threshold : value > rule.threshold;
  }

  function shown(rule, value) {
    return rule.kind === "money" ? showMoney(moneyCents(value)) : String(value);
  }

  function liveShortfalls() {
    document.querySelectorAll("form[data-shortfall-rules]").forEach(function (form) {
      var panel = form.querySelector("[data-shortfalls]");
      var list = panel && panel.querySelector("[data-shortfalls-list]");
      if (!list) {
        return;
      }
      var rules = JSON.parse(form.getAttribute("data-shortfall-rules"));
      var ratings = JSON.parse(form.getAttribute("data-insurer-ratings") || "{}");
      function valueOf(field) {
        if (field === "insurer_rating" && form.elements.insurer_id) {
          var chosen = form.elements.insurer_id.value;
          if (Object.prototype.hasOwnProperty.call(ratings, chosen)) {
            return ratings[chosen];
          }
          if (chosen !== "outside") {
            return null;
          }
        }
        var input = form.elements[field];
        if (!input) {
          return undefined;
        }
        return input.type === "checkbox" ? input.checked : input.value.trim();
      }
      function update() {
        var messages = [];
        rules.forEach(function (rule) {
          var value = valueOf(rule.field);
          if (value !== undefined && passes(rule, value) === false) {
            messages.push({field: rule.field, text: rule.template.replace("{value}", shown(rule, value))});
          }
        });
        list.textContent = "";
        messages.forEach(function (message) {
          var item = document.createElement("li");
          item.setAttribute("data-field", message.field);
          item.textContent = message.text;
          list.appendChild(item);
        });
        panel.hidden = messages.length === 0;
      }
      form.addEventListener("input", update);
      form.addEventListener("change", update);
      if (!panel.hidden) {
        update();  // a form sent back: judge it as it is now (an empty new form is not judged until touched)
      }
    });
  }

  onReady(function () {
    confirmForms();
    liveShortfalls();
    focusErrorSummary();
    checkAllHelpers();
    copyButtons();
  });
})();
