/* The upload page's certificate reader (a progressive enhancement: without this file the page is the plain
   form, and the file input works as ever).
   - The certificate's PDF is dropped on the drop zone, chosen with the file input (mouse or keyboard), or
     taken from a demo sample; it becomes the file input's file, so the form sends the same PDF.
   - The file is sent to the site's reader (data-read-url; the CSRF token in the X-CSRFToken header), which
     stores nothing. Meanwhile a progress bar, a status and the elapsed time show, and the form stays usable:
     a field the seller edited (or sent, on a page sent back with errors) keeps the seller's value, and its
     note says what the certificate says.
   - The answer fills the form, each field with a note saying where its value was read (page, source, the
     words), an unread field marked to fill in by hand; a panel lists each requirement rule met or failed, in
     the marketplace's words, with how to fix each (the additional insured wording can be copied).
   Everything read from the file is put in the page as text (textContent), never as HTML. */
(function () {
  "use strict";

  var FIELDS = ["insurer_id", "insurer_name", "insurer_naic_code", "insurer_rating", "policy_number",
                "effective_date", "expiration_date", "per_occurrence_limit", "aggregate_limit", "deductible",
                "coverage_basis", "additional_insured"];
  var OUTSIDE = "outside";
  var STATUS_WORDS = {met: "Meets", failed: "Fails", unknown: "Not read"};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function Reader(box) {
    this.box = box;
    this.form = box.closest("form");
    this.input = this.form.elements.certificate;
    this.url = box.getAttribute("data-read-url");
    this.maxBytes = parseInt(box.getAttribute("data-max-bytes"), 10) || 0;
    this.maxSize = box.getAttribute("data-max-size") || "";
    this.zone = box.querySelector("[data-dropzone]");
    this.status = box.querySelector("[data-reader-status]");
    this.progress = box.querySelector("[data-reader-progress]");
    this.message = box.querySelector("[data-reader-message]");
    this.elapsed = box.querySelector("[data-reader-elapsed]");
    this.error = box.querySelector("[data-reader-error]");
    this.result = box.querySelector("[data-reader-result]");
    this.touched = {};
    this.filling = false;
    this.controller = null;
    this.timer = null;
  }

  Reader.prototype.start = function () {
    var self = this;
    this.box.querySelectorAll("[data-reader-only]").forEach(function (node) { node.hidden = false; });
    this.zone.classList.add("dropzone--ready");
    this.input.addEventListener("change", function () {
      if (self.input.files && self.input.files.length) {
        self.read(self.input.files[0]);
      }
    });
    ["dragenter", "dragover"].forEach(function (name) {
      self.zone.addEventListener(name, function (event) {
        event.preventDefault();
        self.zone.classList.add("dropzone--over");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      self.zone.addEventListener(name, function () { self.zone.classList.remove("dropzone--over"); });
    });
    this.zone.addEventListener("drop", function (event) {
      event.preventDefault();
      self.zone.classList.remove("dropzone--over");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        self.take(files[0]);
      }
    });
    // A file dropped beside the zone would make the browser leave the page and lose what was typed.
    ["dragover", "drop"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        if (!self.zone.contains(event.target)) {
          event.preventDefault();
        }
      });
    });
    this.box.querySelectorAll("[data-sample]").forEach(function (button) {
      button.addEventListener("click", function () { self.sample(button); });
    });
    this.form.addEventListener("input", function (event) { self.remember(event); });
    this.form.addEventListener("change", function (event) { self.remember(event); });
    // Sending stores the certificate with what the site reads from it again: a scan takes a few seconds more.
    this.form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented && self.input.files && self.input.files.length) {
        self.begin(self.input.files[0].name);
        self.message.textContent = "Sending the policy with " + self.input.files[0].name
          + "\u2026 The site reads the certificate again to keep it with the policy.";
      }
    });
    if (this.box.hasAttribute("data-resubmitted")) {
      // The form came back with errors: what it holds is what the seller sent, not to be overwritten.
      FIELDS.forEach(function (name) {
        var control = self.form.elements[name];
        if (control && (control.type === "checkbox" ? control.checked : control.value !== "")) {
          self.touched[name] = true;
        }
      });
    }
  };

  // A field the seller edits by hand is the seller's: a read finishing later does not overwrite it.
  Reader.prototype.remember = function (event) {
    var name = event.target && event.target.name;
    if (!this.filling && name && name !== "certificate") {
      this.touched[name] = true;
    }
  };

  // Make `file` the file input's file (what the form sends), then read it.
  Reader.prototype.take = function (file) {
    try {
      var transfer = new DataTransfer();
      transfer.items.add(file);
      this.input.files = transfer.files;
    } catch (ignored) {
      // A browser that cannot set the input's files: the seller chooses the file with the input.
    }
    this.read(file);
  };

  Reader.prototype.sample = function (button) {
    var self = this;
    var name = button.getAttribute("data-sample-name") || "sample.pdf";
    this.begin(name);
    fetch(button.getAttribute("data-sample"), {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) {
        throw new Error("sample " + response.status);
      }
      return response.blob();
    }).then(function (blob) {
      self.take(new File([blob], name, {type: "application/pdf"}));
    }).catch(function () {
      self.fail("The sample could not be loaded. Reload the page and try again.");
    });
  };

  Reader.prototype.begin = function (name) {
    var self = this;
    var started = Date.now();
    this.error.hidden = true;
    this.status.hidden = false;
    this.progress.hidden = false;
    this.progress.removeAttribute("value");
    this.message.textContent = "Reading " + name + "\u2026 You can go on filling in the form meanwhile.";
    this.elapsed.textContent = "0 s";
    window.clearInterval(this.timer);
    this.timer = window.setInterval(function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      self.elapsed.textContent = seconds + " s" + (seconds >= 3 ? " (a scanned page takes a few seconds)" : "");
    }, 1000);
    this.started = started;
  };

  Reader.prototype.stop = function () {
    window.clearInterval(this.timer);
    this.timer = null;
    this.progress.value = 1;
    this.progress.max = 1;
    this.progress.hidden = true;
  };

  Reader.prototype.fail = function (text) {
    this.stop();
    this.status.hidden = true;
    this.message.textContent = "";
    this.error.textContent = text;
    this.error.hidden = false;
  };

  Reader.prototype.read = function (file) {
    var self = this;
    if (this.controller) {
      this.controller.abort();
    }
    this.begin(file.name || "your certificate");
    this.clearNotes();  // what an earlier file said is not this file's
    this.result.hidden = true;
    if (this.maxBytes && file.size > this.maxBytes) {
      this.fail("This file is larger than " + this.maxSize + ". Choose a smaller PDF.");
      return;
    }
    var controller = window.AbortController ? new AbortController() : null;
    this.controller = controller;
    var token = this.form.elements.csrf_token ? this.form.elements.csrf_token.value : "";
    fetch(this.url, {
      method: "POST", body: file, credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: {"Content-Type": "application/pdf", "Accept": "application/json", "X-CSRFToken": token}
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve(null)).then(function (body) {
        return {status: response.status, ok: response.ok, body: body};
      });
    }).then(function (answer) {
      if (controller !== self.controller) {
        return;  // another file was chosen since
      }
      self.controller = null;
      if (answer.ok && answer.body) {
        self.fill(answer.body, file.name, (Date.now() - self.started) / 1000);
      } else if (answer.body && answer.body.error) {
        self.fail(answer.body.error.message + " You can still fill in the form by hand.");
      } else if (answer.status === 400) {
        self.fail("This page has expired. Reload it and choose the file again.");
      } else if (answer.status === 403) {
        self.fail("You are no longer logged in as a seller. Log in again and reload this page.");
      } else {
        self.fail("The certificate could not be read just now. Try again, or fill in the form by hand.");
      }
    }).catch(function (problem) {
      if (problem && problem.name === "AbortError") {
        return;
      }
      self.fail("The certificate could not be read (no answer from the site). Try again, or fill in the form "
                + "by hand.");
    });
  };

  Reader.prototype.clearNotes = function () {
    this.form.querySelectorAll("[data-source-note]").forEach(function (note) {
      var control = document.getElementById(note.getAttribute("data-source-note"));
      if (control) {
        var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== note.id;
        });
        if (ids.length) {
          control.setAttribute("aria-describedby", ids.join(" "));
        } else {
          control.removeAttribute("aria-describedby");
        }
      }
      var field = note.closest(".field");
      if (field) {
        field.classList.remove("field--read", "field--unread");
      }
      note.remove();
    });
  };

  Reader.prototype.note = function (control, text, unread) {
    var field = control.closest(".field");
    if (!field) {
      return;
    }
    var note = el("p", "field__source" + (unread ? " field__source--unread" : ""));
    note.id = control.id + "-source";
    note.setAttribute("data-source-note", control.id);
    if (typeof text === "string") {
      note.textContent = text;
    } else {
      text.forEach(function (part) { note.appendChild(part); });
    }
    field.appendChild(note);
    field.classList.add(unread ? "field--unread" : "field--read");
    var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    ids.push(note.id);
    control.setAttribute("aria-describedby", ids.join(" "));
  };

  function evidenceParts(evidence) {
    var parts = [el("span", "field__source-where", "Read from page " + evidence.page + ", " + evidence.source_words
                    + ": ")];
    parts.push(el("q", "field__source-words", evidence.text));
    return parts;
  }

  function shown(control, value) {
    if (control.tagName === "SELECT") {
      var option = Array.prototype.find.call(control.options, function (o) { return o.value === value; });
      return option ? option.textContent : value;
    }
    if (control.type === "checkbox") {
      return value ? "yes" : "no";
    }
    return value;
  }

  Reader.prototype.setValue = function (control, value) {
    if (control.type === "checkbox") {
      control.checked = Boolean(value);
      return true;
    }
    if (control.tagName === "SELECT") {
      var known = Array.prototype.some.call(control.options, function (o) { return o.value === value; });
      if (!known) {
        return false;
      }
    }
    control.value = value;
    return true;
  };

  Reader.prototype.fill = function (data, name, seconds) {
    var self = this;
    var values = data.values || {};
    var evidence = data.evidence || {};
    var outside = values.insurer_id === OUTSIDE || (!values.insurer_id && this.form.elements.insurer_id.value === OUTSIDE);
    this.clearNotes();
    this.filling = true;
    FIELDS.forEach(function (field) {
      var control = self.form.elements[field];
      if (!control || !control.id) {
        return;
      }
      var outsideOnly = field === "insurer_name" || field === "insurer_naic_code" || field === "insurer_rating";
      if (outsideOnly && !outside) {
        return;
      }
      var value = values[field];
      var found = evidence[field] && evidence[field].text;
      if (value === null || value === undefined) {
        if (field === "insurer_rating") {
          self.note(control, "A certificate does not show the AM Best rating: choose it by hand.", true);
        } else {
          self.note(control, "Not found on the certificate: fill it in by hand.", true);
        }
        return;
      }
      if (self.touched[field]) {
        var current = control.type === "checkbox" ? control.checked : control.value;
        if (String(shown(control, value)) !== String(shown(control, current))) {
          self.note(control, "You entered this yourself, so it was kept; the certificate says "
                    + shown(control, value) + ".", false);
        } else if (found) {
          self.note(control, evidenceParts(evidence[field]));
        }
        return;
      }
      if (!self.setValue(control, value)) {
        self.note(control, "Read as \u201c" + value + "\u201d, which is not one of the choices: choose it by hand.",
                  true);
        return;
      }
      if (field === "insurer_id" && value !== OUTSIDE && found) {
        self.note(control, [el("span", "field__source-where", "Found on the Accelerator by what was read on page "
                                + evidence[field].page + ", " + evidence[field].source_words + ": "),
                            el("q", "field__source-words", evidence[field].text)]);
      } else if (field === "insurer_id" && value === OUTSIDE) {
        self.note(control, "The insurer read is not on the Accelerator: its name and NAIC code are filled in below.");
      } else if (found) {
        self.note(control, evidenceParts(evidence[field]));
      }
    });
    // Let the page's other helpers (the live warnings) see the new values.
    this.form.dispatchEvent(new Event("input", {bubbles: true}));
    this.form.dispatchEvent(new Event("change", {bubbles: true}));
    this.filling = false;
    this.showRules(data);
    this.stop();
    var failed = (data.rules || []).filter(function (r) { return r.status === "failed"; }).length;
    var unread = (data.unread || []).length;
    this.message.textContent = "Read " + name + (seconds < 1 ? " in under a second" : " in " + seconds.toFixed(1)
                                                 + " s") + ": the form is filled in"
      + (unread ? ", " + plural(unread, "field", "fields") + " to fill in by hand" : "")
      + (failed ? "; it fails " + plural(failed, "requirement rule", "requirement rules") + " (see below)."
                : "; it fails none of the requirement rules that could be checked.");
    this.elapsed.textContent = "";
  };

  Reader.prototype.showRules = function (data) {
    var self = this;
    var order = {failed: 0, unknown: 1, met: 2};
    var rules = (data.rules || []).slice().sort(function (a, b) { return order[a.status] - order[b.status]; });
    var list = this.result.querySelector("[data-reader-rules]");
    var summary = this.result.querySelector("[data-reader-summary]");
    list.textContent = "";
    var counts = {met: 0, failed: 0, unknown: 0};
    rules.forEach(function (rule) {
      counts[rule.status] = (counts[rule.status] || 0) + 1;
      var item = el("li", "rule rule--" + rule.status);
      item.setAttribute("data-rule", rule.code);
      var head = el("p", "rule__head");
      head.appendChild(el("span", "rule__status", STATUS_WORDS[rule.status] || rule.status));
      head.appendChild(el("span", "rule__words", rule.rule));
      item.appendChild(head);
      if (rule.status === "failed") {
        if (rule.message) {
          item.appendChild(el("p", "rule__message", rule.message));
        }
        if (rule.fix) {
          var fix = el("p", "rule__fix");
          fix.appendChild(el("strong", null, "How to fix it: "));
          fix.appendChild(document.createTextNode(rule.fix));
          item.appendChild(fix);
        }
        if (rule.code === "not_additional_insured" && data.additional_insured_wording) {
          item.appendChild(self.copyBox(data.additional_insured_wording));
        }
      } else if (rule.status === "unknown") {
        item.appendChild(el("p", "rule__message", "Not read from the certificate: it is judged from what you enter."));
      }
      list.appendChild(item);
    });
    var parties = this.result.querySelector("[data-reader-parties]");
    parties.textContent = "";
    [["insured_name", "Insured"], ["certificate_holder", "Certificate holder"]].forEach(function (pair) {
      var party = (data.parties || {})[pair[0]];
      if (party) {
        var row = el("div", "reader__party");
        row.appendChild(el("dt", null, pair[1]));
        row.appendChild(el("dd", null, party.value));
        parties.appendChild(row);
      }
    });
    parties.hidden = !parties.children.length;
    var parts = [];
    if (counts.failed) {
      parts.push("It fails " + counts.failed + " of the marketplace's rules: ask your agent for what each one "
                 + "needs.");
    } else {
      parts.push("It meets every rule that could be checked from it.");
    }
    if (counts.unknown) {
      parts.push(plural(counts.unknown, "rule", "rules") + " could not be checked from it.");
    }
    summary.textContent = parts.join(" ");
    summary.className = "reader__summary " + (counts.failed ? "reader__summary--fails" : "reader__summary--meets");
    var signals = data.signals || [];
    var box = this.result.querySelector("[data-reader-signals]");
    var signalList = box.querySelector("[data-reader-signal-list]");
    signalList.textContent = "";
    signals.forEach(function (signal) { signalList.appendChild(el("li", null, signal.message)); });
    box.hidden = signals.length === 0;
    this.result.hidden = false;
  };

  Reader.prototype.copyBox = function (wording) {
    var row = el("div", "copy-row rule__wording");
    var id = "additional-insured-wording";
    var label = el("label", "rule__wording-label", "The exact wording to ask for");
    label.setAttribute("for", id);
    var input = el("textarea", "textarea rule__wording-text");
    input.id = id;
    input.rows = 3;
    input.readOnly = true;
    input.value = wording;
    input.addEventListener("focus", function () { input.select(); });
    var button = el("button", "button button--small button--secondary", "Copy");
    button.type = "button";
    button.setAttribute("aria-label", "Copy the additional insured wording");
    button.addEventListener("click", function () {
      function copied() { button.textContent = "Copied"; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(wording).then(copied, function () { input.select(); });
      } else {
        input.select();
        try {
          if (document.execCommand("copy")) {
            copied();
          }
        } catch (ignored) {
          // the text stays selected for the seller to copy
        }
      }
    });
    var wrap = el("div", "rule__wording-box");
    wrap.appendChild(label);
    row.appendChild(input);
    row.appendChild(button);
    wrap.appendChild(row);
    return wrap;
  };

  function start() {
    if (!window.fetch || !window.FormData) {
      return;
    }
    document.querySelectorAll("[data-reader]").forEach(function (box) {
      if (box.closest("form") && box.closest("form").elements.certificate) {
        new Reader(box).start();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
