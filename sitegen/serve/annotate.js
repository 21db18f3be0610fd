// sitegen serve's note writer. The preview adds it to the pages it serves, where it may write
// (never to the built site). On an article's page: select words of the text, and a "Note" button
// opens a form; each comment has one too; each note can be edited or removed. In a failed build's
// overlay, a note whose passage was lost can be moved to the passage the error names. The server
// writes the front matter (sitegen/serve/annotating.py) and the page reloads with the change.
// Everything shown is set with textContent: notes and errors quote the site's content.
(function () {
  "use strict";
  var config = document.getElementById("sitegen-notes");
  if (!config || window.sitegenNotes) {
    return;
  }
  var notes = (window.sitegenNotes = JSON.parse(config.textContent));
  var BLOCKS = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|BR|DD|DETAILS|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|LI|MAIN|NAV|OL|P|PRE|SECTION|SUMMARY|TABLE|TBODY|TD|TFOOT|TH|THEAD|TR|UL)$/;
  var UI = "font:14px/1.4 system-ui,sans-serif;";

  function element(tag, text, css) {
    var node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    node.style.cssText = UI + (css || "");
    return node;
  }

  function button(text, css) {
    var node = element("button", text, "cursor:pointer;border:1px solid #8a6d00;border-radius:4px;" +
      "background:#fff8d6;color:#3d3000;padding:.1rem .5rem;" + (css || ""));
    node.type = "button";
    node.className = "sitegen-note-control";
    return node;
  }

  function epoch() {
    return window.sitegenLive ? window.sitegenLive.epoch
      : JSON.parse(document.getElementById("sitegen-live-state").textContent).epoch;
  }

  function post(request) {
    var body = Object.assign({page: window.location.pathname, epoch: epoch()}, request);
    return fetch(notes.endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Sitegen-Secret": notes.secret},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
    }, function () {
      return {ok: false, answer: {error: "the preview did not answer (is sitegen serve still running?)"}};
    });
  }

  // The text a reader sees, as sitegen reads it: notes and note numbers left out, blocks apart.
  function visibleText(fragment) {
    fragment.querySelectorAll("aside.note, .note-ref, .sitegen-note-control").forEach(function (node) {
      node.remove();
    });
    var parts = [];
    (function walk(node) {
      if (node.nodeType === 3) {
        parts.push(node.data);
        return;
      }
      var block = node.nodeType === 1 && BLOCKS.test(node.tagName);
      if (block) {
        parts.push(" ");
      }
      node.childNodes.forEach(walk);
      if (block) {
        parts.push(" ");
      }
    })(fragment);
    return parts.join("").replace(/\s+/g, " ").trim();
  }

  // ---- the form ----

  var dialog = element("dialog", undefined, "max-width:36rem;width:calc(100% - 2rem);border:1px solid #8a6d00;" +
    "border-radius:8px;padding:1rem;background:#fffdf3;color:#1a1a1a");
  dialog.id = "sitegen-note-dialog";
  var form = element("form");
  form.method = "dialog";
  var what = element("p", "", "margin:0 0 .5rem;font-weight:600");
  var noteLabel = element("label", "Note (Markdown)", "display:block");
  var noteField = element("textarea", undefined, "display:block;width:100%;box-sizing:border-box;min-height:6rem;margin:.25rem 0 .5rem");
  noteField.name = "note";
  noteLabel.appendChild(noteField);
  var authorLabel = element("label", "Author (optional)", "display:block");
  var authorField = element("input", undefined, "display:block;width:100%;box-sizing:border-box;margin:.25rem 0 .5rem");
  authorField.name = "author";
  authorLabel.appendChild(authorField);
  var status = element("p", "", "margin:.5rem 0;color:#8b0000");
  status.setAttribute("role", "status");
  var paste = element("pre", "", "white-space:pre-wrap;background:#f4f4f4;padding:.5rem;font:13px/1.4 ui-monospace,monospace");
  paste.hidden = true;
  var save = button("Save", "margin-inline-end:.5rem");
  save.type = "submit";
  save.value = "save";
  var cancel = button("Cancel");
  cancel.addEventListener("click", function () { dialog.close(); });
  [what, noteLabel, authorLabel, status, paste, save, cancel].forEach(function (node) { form.appendChild(node); });
  dialog.appendChild(form);
  var pending = null;

  function open(title, request, note, author, withText) {
    pending = request;
    what.textContent = title;
    noteField.value = note || "";
    authorField.value = author || "";
    noteLabel.hidden = authorLabel.hidden = !withText;
    noteField.required = withText;
    status.textContent = "";
    paste.hidden = true;
    save.disabled = false;
    save.textContent = request.action === "remove" ? "Remove" : "Save";
    if (!dialog.isConnected) {
      document.body.appendChild(dialog);
    }
    dialog.showModal();
    (withText ? noteField : save).focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = Object.assign({}, pending, {note: noteField.value, author: authorField.value});
    save.disabled = true;
    status.textContent = "Writing…";
    post(request).then(function (result) {
      if (result.ok) {
        status.style.color = "#1b5e20";
        status.textContent = "Written to the article's file: the page reloads with it.";
        return;
      }
      save.disabled = false;
      status.style.color = "#8b0000";
      status.textContent = result.answer.error || "the preview refused it";
      if (result.answer.paste) {
        paste.hidden = false;
        paste.textContent = "Put this under annotations: in the article's front matter yourself:\n\n" +
          result.answer.paste;
      }
    });
  });

  // ---- on an article's page ----

  var body = notes.article && document.querySelector(".article-body");
  var adder = button("Note", "position:absolute;z-index:2147483646;box-shadow:0 2px 6px rgba(0,0,0,.2)");
  adder.id = "sitegen-note-add";
  adder.setAttribute("aria-label", "Add a note to the selected words");
  adder.hidden = true;

  function selectionInBody() {
    var selection = window.getSelection();
    if (!body || !selection || selection.isCollapsed || !selection.rangeCount) {
      return null;
    }
    var range = selection.getRangeAt(0);
    return body.contains(range.commonAncestorContainer) ? range : null;
  }

  function showAdder() {
    var range = selectionInBody();
    if (!range) {
      adder.hidden = true;
      return;
    }
    var box = range.getBoundingClientRect();
    adder.style.left = (window.scrollX + box.right + 4) + "px";
    adder.style.top = (window.scrollY + box.bottom + 4) + "px";
    adder.hidden = false;
    if (!adder.isConnected) {
      document.body.appendChild(adder);
    }
  }

  if (body) {  // the first page: its text
    document.addEventListener("mouseup", function () { setTimeout(showAdder, 0); });
    document.addEventListener("keyup", function () { setTimeout(showAdder, 0); });
    adder.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keeps the selection
    adder.addEventListener("click", function () {
      var range = selectionInBody();
      if (!range) {
        return;
      }
      var before = document.createRange();
      before.setStart(body, 0);
      before.setEnd(range.startContainer, range.startOffset);
      var after = document.createRange();
      after.setStart(range.endContainer, range.endOffset);
      after.setEnd(body, body.childNodes.length);
      var selected = visibleText(range.cloneContents());
      adder.hidden = true;
      open("A note on “" + selected + "”", {
        action: "add", selected: selected,
        before: visibleText(before.cloneContents()).slice(-80), after: visibleText(after.cloneContents()).slice(0, 80)
      }, "", "", true);
    });
  }

  if (notes.article) {  // every page of the article: its comments and its notes
    document.querySelectorAll("#comments li.comment").forEach(function (item) {
      var meta = item.querySelector(".comment-meta");
      var id = item.id.replace(/^comment-/, "");
      var add = button("Note", "margin-inline-start:.5rem");
      add.setAttribute("aria-label", "Add a note to this comment");
      add.addEventListener("click", function () {
        open("A note on the comment " + id, {action: "add", comment: id}, "", "", true);
      });
      meta.appendChild(add);
    });

    document.querySelectorAll("aside.note").forEach(function (aside) {
      var number = parseInt(aside.id.replace(/^note-/, ""), 10);
      var controls = element("span", undefined, "display:block;margin-top:.25rem");
      var edit = button("Edit", "margin-inline-end:.25rem");
      var remove = button("Remove");
      edit.addEventListener("click", function () {
        post({action: "read", number: number}).then(function (result) {
          var found = result.answer.annotation || {};
          open("Note " + number, {action: "edit", number: number}, found.note, found.author, true);
          if (!result.ok) {
            status.textContent = result.answer.error || "";
          }
        });
      });
      remove.addEventListener("click", function () {
        open("Remove note " + number + "?", {action: "remove", number: number}, "", "", false);
      });
      controls.appendChild(edit);
      controls.appendChild(remove);
      aside.appendChild(controls);
    });
  }

  // ---- in a failed build's overlay: a lost passage, moved with one click ----

  var LOST = /^(.*?):\d+$/;
  var NEAREST = /annotations\[(\d+)\]\.quote: .*; the nearest passage now/;  // the server finds it again

  function offerMoves(overlay) {
    overlay.querySelectorAll("li.sitegen-live-error").forEach(function (item) {
      var where = item.querySelector("code");
      var found = NEAREST.exec(item.textContent);
      if (!where || !found || item.querySelector(".sitegen-note-control")) {
        return;
      }
      var source = (LOST.exec(where.textContent) || [])[1];
      var move = button("Move the note there", "margin-inline-start:.5rem");
      move.addEventListener("click", function () {
        move.disabled = true;
        post({action: "move", source: source, position: parseInt(found[1], 10)}).then(function (result) {
          move.textContent = result.ok ? "Moved: rebuilding…" : (result.answer.error || "refused");
        });
      });
      item.appendChild(move);
    });
  }

  new MutationObserver(function () {
    var overlay = document.getElementById("sitegen-live-overlay");
    if (overlay) {
      offerMoves(overlay);
    }
  }).observe(document.body || document.documentElement, {childList: true});
  var shown = document.getElementById("sitegen-live-overlay");
  if (shown) {
    offerMoves(shown);
  }
})();
