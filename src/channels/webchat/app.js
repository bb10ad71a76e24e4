// The Wijklijn web chat: posts what the resident types or taps, and shows the conversation.
(() => {
  const log = document.getElementById("log");
  const buttons = document.getElementById("buttons");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const locationButton = document.getElementById("location");
  let cursor = null;
  let loading = false;
  let again = false;

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));

  async function send(body) {
    status.textContent = "Versturen…";
    try {
      const response = await fetch("/chat/api/messages", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ clientMessageId: newId(), ...body }) });
      if (!response.ok) throw new Error(String(response.status));
      status.textContent = "";
      setTimeout(refresh, 300);
    } catch {
      status.textContent = "Versturen lukte niet. Controleer je verbinding en probeer het opnieuw.";
    }
  }

  function render(messages) {
    for (const message of messages) {
      const item = document.createElement("li");
      item.className = `${message.direction} ${message.author}`;
      item.dataset.id = message.id;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = message.direction === "in" ? "Jij" : message.author === "staff" ? "Medewerker gemeente" : "Wijklijn (chatbot)";
      item.append(who, document.createTextNode(message.text));
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

  async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const response = await fetch(`/chat/api/messages${cursor ? `?after=${encodeURIComponent(cursor)}` : ""}`);
      const data = await response.json();
      render(data.messages);
      cursor = data.cursor ?? cursor;
    } catch {
      status.textContent = "Geen verbinding. We proberen het opnieuw.";
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

  locationButton.addEventListener("click", () => {
    status.textContent = "Locatie opvragen…";
    navigator.geolocation.getCurrentPosition(
      (position) => send({ location: { lat: position.coords.latitude, lon: position.coords.longitude }, text: "📍 Mijn locatie" }),
      () => (status.textContent = "Je locatie delen lukte niet. Typ je postcode."),
    );
  });

  const events = new EventSource("/chat/api/events");
  events.addEventListener("update", () => void refresh());
  setInterval(refresh, 5000);
  void refresh();
  input.focus();
})();
