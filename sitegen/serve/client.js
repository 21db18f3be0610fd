// sitegen serve's live-reload client. The preview adds it to the pages it serves; the built
// site never carries it. It listens to /__sitegen/events and, after each build: reloads the page
// when its output changed, swaps stylesheets in place when only they changed, and shows or clears
// the overlay listing the errors of a failed build. The overlay is built with textContent only:
// its messages quote the site's content.
(function () {
  "use strict";
  var stateElement = document.getElementById("sitegen-live-state");
  if (!stateElement || window.sitegenLive) {
    return;
  }
  var OVERLAY_ID = "sitegen-live-overlay";
  var live = (window.sitegenLive = {epoch: JSON.parse(stateElement.textContent).epoch, swaps: 0});
  var source = null;

  function apply(news) {
    if (news.epoch !== live.epoch) {
      if (news.css_from !== null && news.css_from === live.epoch) {
        swapStylesheets(news.css, news.epoch);
        live.epoch = news.epoch;
      } else {
        disconnect();
        window.location.reload();
        return;
      }
    }
    if (news.errors.length) {
      showOverlay(news);
    } else {
      hideOverlay();
    }
  }

  function swapStylesheets(paths, stamp) {
    var links = Array.prototype.slice.call(document.querySelectorAll('link[rel~="stylesheet"]'));
    var changed = links.filter(function (link) {
      var url = new URL(link.href, window.location.href);
      return url.origin === window.location.origin && paths.indexOf(url.pathname) !== -1;
    });
    // A changed sheet this page does not link may be @imported by one it does: refresh them all.
    (changed.length ? changed : links).forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("sitegen-live", stamp);
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      // The old sheet stays until the new one is in, so the page never shows unstyled.
      fresh.addEventListener("load", function () { link.remove(); live.swaps += 1; });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }

  function element(tag, text, css) {
    var node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    if (css) {
      node.style.cssText = css;
    }
    return node;
  }

  function showOverlay(news) {
    hideOverlay();
    var box = element("div", undefined,
      "position:fixed;inset:0 0 auto 0;max-height:100vh;overflow:auto;z-index:2147483647;" +
      "box-sizing:border-box;padding:1rem 1.25rem;background:#fff5f5;color:#3b0a0a;" +
      "border-bottom:4px solid #b00020;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
      "box-shadow:0 4px 16px rgba(0,0,0,.25);text-align:left");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    var close = element("button", "\u00d7",
      "float:right;font:inherit;font-size:20px;line-height:1;border:0;background:none;color:inherit;cursor:pointer");
    close.type = "button";
    close.setAttribute("aria-label", "Hide until the next build");
    close.addEventListener("click", hideOverlay);
    box.appendChild(close);
    box.appendChild(element("p", "sitegen: the last build failed. This page shows the last good build; " +
      "save a fix and it updates.", "margin:0 0 .5rem;font-weight:bold"));
    var list = element("ul", undefined, "margin:0;padding-left:1.25rem");
    news.errors.forEach(function (problem) {
      var item = element("li", undefined, "margin:.25rem 0");
      item.className = "sitegen-live-error";
      item.appendChild(element("code", problem.line ? problem.path + ":" + problem.line : problem.path,
        "font-weight:bold"));
      item.appendChild(document.createTextNode(": " + problem.message));
      list.appendChild(item);
    });
    box.appendChild(list);
    if (news.traceback) {
      box.appendChild(element("pre", news.traceback, "margin:.75rem 0 0;white-space:pre-wrap;font:inherit"));
    }
    (document.body || document.documentElement).appendChild(box);
  }

  function hideOverlay() {
    var box = document.getElementById(OVERLAY_ID);
    if (box) {
      box.remove();
    }
  }

  function connect() {
    if (source) {
      return;
    }
    source = new EventSource("/__sitegen/events");
    ["reload", "css", "unchanged", "errors"].forEach(function (name) {
      source.addEventListener(name, function (event) { apply(JSON.parse(event.data)); });
    });
  }

  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
  }

  // A hidden tab lets go of its connection (browsers allow only a few per server); when it is
  // shown again, the first event it gets is the current state, so it catches up at once.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      disconnect();
    } else {
      connect();
    }
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function () {
    if (!document.hidden) {
      connect();
    }
  });

  apply(JSON.parse(stateElement.textContent));
  if (!document.hidden) {
    connect();
  }
})();
