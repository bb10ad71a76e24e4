/*
 * Wijklijn inbox: small progressive enhancement. Everything works without this file.
 * - A canned reply chosen in the select fills the reply box; picking a snooze time selects
 *   "tot een tijdstip".
 * - Live updates (server-sent events from /inbox/events): the list, or the open conversation's
 *   facts and messages, are fetched again and swapped in place.
 * - A browser notification for a conversation handed over to my tandem (when permitted).
 */
(() => {
  // Wijkbericht preview: a photo address that does not load says so (before anyone gets the bericht).
  document.querySelectorAll("img[data-preview-photo]").forEach((img) => {
    const warn = () => {
      const note = img.parentElement?.querySelector(".preview-photo-broken");
      if (note) note.hidden = false;
    };
    img.addEventListener("error", warn);
    if (img.complete && img.naturalWidth === 0) warn();
  });

  // Canned replies: fill the reply box (append when something is typed already).
  document.querySelectorAll("select[data-canned-for]").forEach((select) => {
    select.addEventListener("change", () => {
      var option = select.options[select.selectedIndex];
      var target = document.getElementById(select.getAttribute("data-canned-for") || "");
      var text = option ? option.getAttribute("data-text") : null;
      if (!target || !text) return;
      target.value = target.value.trim() ? `${target.value.replace(/\s+$/, "")}\n\n${text}` : text;
      target.focus();
    });
  });

  // Snooze: picking a time means snoozing until that time.
  var snoozeUntil = document.getElementById("snooze-until");
  var snoozeByTime = document.getElementById("snooze-tijd");
  if (snoozeUntil && snoozeByTime) {
    snoozeUntil.addEventListener("input", () => {
      snoozeByTime.checked = true;
    });
  }

  // Notifications: a button to ask permission (browsers require a click for that).
  var notifyButton = document.querySelector("[data-notify]");
  if (notifyButton && "Notification" in window && Notification.permission === "default") {
    notifyButton.hidden = false;
    notifyButton.addEventListener("click", () => {
      Notification.requestPermission().then(() => {
        notifyButton.hidden = true;
      });
    });
  }

  function notifyHandover(conversationId) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    var notification = new Notification("Wijklijn: nieuw gesprek voor je tandem", {
      body: "Een bewoner wacht op antwoord. Klik om het gesprek te openen.",
      tag: `wijklijn-${conversationId}`,
    });
    notification.onclick = () => {
      window.focus();
      window.location.href = `/inbox/c/${encodeURIComponent(conversationId)}`;
    };
  }

  // A wijkbericht being sent: fetch its figures every few seconds and fill them in; the status
  // line (aria-live polite) says it once more when it is done, then polling stops. Without
  // JavaScript the page reloads itself instead (a meta refresh in <noscript>).
  var progress = document.querySelector("[data-wijkbericht-progress]");
  if (progress && progress.getAttribute("data-running") === "true" && "fetch" in window) {
    const progressUrl = progress.getAttribute("data-wijkbericht-progress");
    const fill = (figures) => {
      document.querySelectorAll("[data-figure]").forEach((element) => {
        var key = element.getAttribute("data-figure");
        if (key && key in figures) element.textContent = String(figures[key]);
      });
      const bar = progress.querySelector("progress");
      if (bar) {
        bar.max = Math.max(figures.total, 1);
        bar.value = figures.total === 0 ? 1 : figures.done;
        bar.textContent = `${figures.done} van ${figures.total}`;
      }
    };
    const statusOf = progress.querySelector("[data-progress-status]");
    const poll = () => {
      fetch(progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((figures) => {
          if (!figures) return;
          fill(figures);
          if (figures.running) {
            setTimeout(poll, 3000);
            return;
          }
          progress.setAttribute("data-running", "false");
          if (statusOf) statusOf.textContent = `Klaar. ${figures.statusLabel}: ${figures.done} van ${figures.total}.`;
          // The stop button and the end time change with the status: show the page as it is now, once.
          const stop = document.querySelector("[data-stop-sending]");
          if (stop) stop.hidden = true;
        })
        .catch(() => {
          if (statusOf) statusOf.textContent = "Bijwerken lukte niet; laad de pagina opnieuw.";
        });
    };
    setTimeout(poll, 3000);
  }

  var live = document.querySelector("[data-live]");
  var statusLine = document.querySelector("[data-live-status]");
  if (!("EventSource" in window)) return;

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  function clock() {
    var now = new Date();
    return `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
  }

  var refreshing = false;
  var again = false;
  var timer = null;

  // Fetches this page again and swaps each live part; a part that has focus waits for blur.
  function refresh() {
    if (!live) return;
    if (refreshing) {
      again = true;
      return;
    }
    const parts = live.querySelectorAll("[data-live-part]");
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].contains(document.activeElement)) {
        parts[i].addEventListener("focusout", schedule, { once: true });
        return;
      }
    }
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (response.status === 404) {
          say("Dit gesprek is niet meer zichtbaar voor jou: het is verplaatst naar een andere tandem.");
          return null;
        }
        if (!response.ok || response.redirected) return null;
        return response.text();
      })
      .then((text) => {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html");
        live.querySelectorAll("[data-live-part]").forEach((part) => {
          var replacement = part.id ? fresh.getElementById(part.id) : null;
          if (replacement) part.replaceWith(document.importNode(replacement, true));
        });
        say(`Bijgewerkt om ${clock()}.`);
      })
      .catch(() => {
        say("Bijwerken lukte niet; laad de pagina opnieuw.");
      })
      .then(() => {
        refreshing = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  // Live events are for signed-in staff only (the sign-in page has no main menu): no stream, no error.
  if (!document.querySelector('nav[aria-label="Hoofdmenu"]')) return;
  var source = new EventSource("/inbox/events");
  source.addEventListener("change", (event) => {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data.kind === "handover") notifyHandover(data.conversationId);
    if (!live) return;
    var kind = live.getAttribute("data-live");
    if (kind === "list") schedule();
    else if (kind === "conversation" && live.getAttribute("data-conversation-id") === data.conversationId) schedule();
  });
})();
