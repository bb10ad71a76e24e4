// The Wijklijn web chat: posts what the resident types, taps or photographs, and shows the conversation.
(() => {
  // With the script the page is live; without it the server renders the conversation (see page.html).
  document.documentElement.classList.remove("no-js");
  const log = document.getElementById("log");
  const buttons = document.getElementById("buttons");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const locationButton = document.getElementById("location");
  const photoInput = document.getElementById("photo");
  // The page's words in every language (a JSON block the server fills; not executed, so the CSP allows it).
  const allTexts = JSON.parse(document.getElementById("texts").textContent);
  let language = document.documentElement.lang === "en" ? "en" : "nl";
  // The "passed on" mark in the conversation's other language (Turkish, Polish…), when the server gives one.
  let passedOn = null;
  const t = (key) => (key === "passedOn" && passedOn) || allTexts[language][key];
  let cursor = null;
  let loading = false;
  let again = false;

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));

  /** Switches the page's own words when the resident's language changes (the bot's come from the server). */
  function applyLanguage(next) {
    if (next !== "nl" && next !== "en") return;
    if (next === language) return;
    language = next;
    document.documentElement.lang = next;
    for (const element of document.querySelectorAll("[data-text]")) element.textContent = t(element.dataset.text);
    linkIntro();
    for (const element of document.querySelectorAll("[data-label]")) element.setAttribute("aria-label", t(element.dataset.label));
    for (const element of document.querySelectorAll("[data-placeholder]")) element.placeholder = t(element.dataset.placeholder);
    for (const element of log.querySelectorAll(".who")) element.textContent = t(element.dataset.who);
    for (const element of log.querySelectorAll("[data-label-text]")) element.textContent = t(element.dataset.labelText);
    const privacy = document.querySelector('[data-text="privacyLink"]');
    if (privacy) privacy.setAttribute("href", `/privacy?lang=${next}`);
  }

  // Phone numbers residents must be able to tap (112, 113, 0800-0113, 14 040 and the like), links,
  // and reference numbers (WL-2026-00042) that must not break across lines.
  // A bare site ("113.nl", "www.geldrop-mierlo.nl") is a link, not a phone number.
  const PATTERN =
    /(https?:\/\/[^\s<>"']+|\b(?:www\.)?[a-z0-9-]+\.(?:nl|com|org|eu)(?:\/[^\s<>"']*)?)|(\bWL-\d{4}-\d{3,6}\b)|(\b0[89]00[- ]?\d{4}\b|\b14 ?0\d{2,3}\b|\b0\d{1,3}[- ]\d{6,8}\b|\b11[23]\b)/g;

  /** Appends `text` to `parent` as text nodes, links and spans: never as HTML. */
  function appendRich(parent, text) {
    let at = 0;
    for (const match of text.matchAll(PATTERN)) {
      let [whole, url, reference, phone] = match;
      let end = match.index + whole.length;
      if (url) {
        // A sentence's full stop or closing bracket is not part of the link.
        const trimmed = url.replace(/[.,;:!?)]+$/, "");
        end -= url.length - trimmed.length;
        url = trimmed;
      }
      parent.append(document.createTextNode(text.slice(at, match.index)));
      if (url) {
        const link = document.createElement("a");
        link.href = /^https?:\/\//.test(url) ? url : `https://${url}`;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        link.textContent = url;
        parent.append(link);
      } else if (reference) {
        const span = document.createElement("span");
        span.className = "ref";
        span.textContent = reference;
        parent.append(span);
      } else {
        const link = document.createElement("a");
        link.href = `tel:${phone.replace(/\D/g, "")}`;
        link.className = "tel";
        link.textContent = phone;
        parent.append(link);
      }
      at = end;
    }
    parent.append(document.createTextNode(text.slice(at)));
  }

  /** The header's "bel 112" is tappable too. */
  function linkIntro() {
    const intro = document.querySelector('[data-text="intro"]');
    const text = intro.textContent;
    intro.replaceChildren();
    appendRich(intro, text);
  }

  async function post(url, init, errors) {
    status.textContent = t(errors.busy);
    try {
      const response = await fetch(url, init);
      if (!response.ok) {
        status.textContent = t(errors[response.status] ?? errors.failed);
        return;
      }
      status.textContent = "";
      setTimeout(refresh, 300);
    } catch {
      status.textContent = t(errors.failed);
    }
  }

  const send = (body) =>
    post(
      "/chat/api/messages",
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ clientMessageId: newId(), ...body }) },
      { busy: "sending", failed: "sendFailed" },
    );

  const sendPhoto = (file) =>
    post(
      `/chat/api/photos?clientMessageId=${encodeURIComponent(newId())}`,
      { method: "POST", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file },
      {
        busy: "photoSending",
        failed: "photoFailed",
        413: "photoTooLarge",
        415: "photoWrongType",
      },
    );

  function render(messages) {
    for (const message of messages) {
      const item = document.createElement("li");
      item.className = `${message.direction} ${message.author}`;
      item.dataset.id = message.id;
      const who = document.createElement("span");
      who.className = "who";
      who.dataset.who = message.direction === "in" ? "you" : message.author === "staff" ? "staff" : "bot";
      who.textContent = t(who.dataset.who);
      item.append(who);
      if (message.photo || message.notKept) {
        const label = document.createElement("span");
        label.className = message.photo ? "photo" : "not-kept";
        label.dataset.labelText = message.photo ? "photo" : "notKept";
        label.textContent = t(label.dataset.labelText);
        item.append(label);
        if (message.text) item.append(document.createTextNode("\n"));
      }
      if (message.image) {
        // A wijkbericht's photo; no referrer, so the photo's host does not learn which page showed it.
        const image = document.createElement("img");
        image.src = message.image;
        image.alt = t("wijkberichtPhoto");
        image.referrerPolicy = "no-referrer";
        image.loading = "lazy";
        image.className = "wijkbericht-photo";
        item.append(image);
      }
      if (message.direction === "out") appendRich(item, message.text);
      else item.append(document.createTextNode(message.text));
      log.append(item);
    }
    const lastOut = [...messages].reverse().find((m) => m.direction === "out");
    if (messages.length > 0) {
      buttons.replaceChildren();
      locationButton.hidden = true;
    }
    if (lastOut && messages[messages.length - 1] === lastOut) {
      for (const button of lastOut.buttons) {
        const element = document.createElement("button");
        element.type = "button";
        element.textContent = button.label;
        element.addEventListener("click", () => send({ value: button.value, text: button.label }));
        buttons.append(element);
      }
      locationButton.hidden = !("geolocation" in navigator) || !/postcode|locatie|location/i.test(lastOut.text);
    }
    if (messages.length > 0) window.scrollTo({ top: document.body.scrollHeight });
  }

  /** Marks the resident's bubbles the bot acknowledged with a reaction: a small "✓ passed on" under the text. */
  function markAcknowledged(ids) {
    for (const id of ids ?? []) {
      const item = log.querySelector(`li.in[data-id="${CSS.escape(id)}"]`);
      if (!item || item.querySelector(".passed-on")) continue;
      const mark = document.createElement("span");
      mark.className = "passed-on";
      mark.dataset.labelText = "passedOn";
      mark.textContent = t("passedOn");
      item.append(mark);
    }
  }

  async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const response = await fetch(`/chat/api/messages${cursor ? `?after=${encodeURIComponent(cursor)}` : ""}`);
      const data = await response.json();
      if (data.language) applyLanguage(data.language);
      if ((data.passedOn ?? null) !== passedOn) {
        passedOn = data.passedOn ?? null;
        for (const element of log.querySelectorAll(".passed-on")) element.textContent = t("passedOn");
      }
      render(data.messages);
      markAcknowledged(data.acknowledged);
      cursor = data.cursor ?? cursor;
    } catch {
      status.textContent = t("offline");
    } finally {
      loading = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    void send({ text });
  });

  photoInput.addEventListener("change", () => {
    const file = photoInput.files?.[0];
    photoInput.value = "";
    if (file) void sendPhoto(file);
  });

  locationButton.addEventListener("click", () => {
    status.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(
      (position) => send({ location: { lat: position.coords.latitude, lon: position.coords.longitude }, text: t("myLocation") }),
      () => (status.textContent = t("locationFailed")),
    );
  });

  const events = new EventSource("/chat/api/events");
  events.addEventListener("update", () => void refresh());
  setInterval(refresh, 5000);
  linkIntro();
  void refresh();
  // From the public wijk page (/chat?start=wijkberichten&wijk=Geldrop-Centrum): the subscribe message for that wijk is
  // ready to send; the resident sends it, and the bot only asks to confirm the wijk and how often.
  const startParams = new URLSearchParams(window.location.search);
  if (startParams.get("start") === "wijkberichten" && input.value === "") {
    const startWijk = (startParams.get("wijk") || "")
      .replace(/[^\p{L}\p{N} ()'.-]/gu, "")
      .slice(0, 80)
      .trim();
    input.value = startWijk ? `Wijkberichten ${startWijk}` : "wijkberichten";
  }
  input.focus();
})();
