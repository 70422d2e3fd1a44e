// The web chat page: messages over a WebSocket, reconnecting with a growing wait, and on
// every (re)connect asking for what was sent since the last message seen; a photo goes up by
// HTTP POST. No inline script and no HTML from the server: every text is set as text.
(function () {
  "use strict";
  const list = document.getElementById("conversation");
  const form = document.getElementById("say");
  const box = document.getElementById("text");
  const status = document.getElementById("connection");
  const problem = document.getElementById("problem");
  const photo = document.getElementById("photo");
  const linkForm = document.getElementById("link");
  const shown = new Set();
  let lastBot = 0;
  let socket = null;
  let wait = 500;
  let queued = [];

  function add(line) {
    if (shown.has(line.id)) return;
    shown.add(line.id);
    if (line.from === "bot") lastBot = Math.max(lastBot, parseInt(line.id.slice(1), 10) || 0);
    const item = document.createElement("li");
    item.className = "line from-" + line.from;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = line.from === "bot" ? list.dataset.bot : list.dataset.you;
    const text = document.createElement("p");
    const isPhoto = typeof line.photo === "string";
    text.textContent = isPhoto ? (list.dataset.photo + " " + line.photo).trim() : line.text;
    if (isPhoto) text.className = "photo-added";
    item.append(who, text);
    if (line.choices && line.choices.length) {
      const choices = document.createElement("div");
      choices.className = "choices";
      for (const choice of line.choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.addEventListener("click", () => {
          say({ choice: choice.value });
          choices.querySelectorAll("button").forEach((b) => (b.disabled = true));
          box.focus();
        });
        choices.append(button);
      }
      item.append(choices);
    }
    list.append(item);
    item.scrollIntoView({ block: "end" });
  }

  function say(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else queued.push(message);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const lang = document.documentElement.lang;
    socket = new WebSocket(
      scheme + "//" + location.host + "/chat/ws?since=" + lastBot + "&lang=" + lang
    );
    socket.addEventListener("open", () => {
      if (status.textContent) status.textContent = status.dataset.back;
      wait = 500;
      const waiting = queued;
      queued = [];
      waiting.forEach(say);
    });
    socket.addEventListener("message", (event) => {
      const line = JSON.parse(event.data);
      if (line.from === "notice") status.textContent = status.dataset[line.notice] || "";
      else add(line);
    });
    socket.addEventListener("close", () => {
      status.textContent = status.dataset.lost;
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 15000);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    say({ text: text });
    box.value = "";
    box.focus();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  // A photo: checked here first so nobody waits for an upload that will be refused; the
  // server checks again (size, and the bytes themselves) and has the last word.
  photo.addEventListener("change", async () => {
    const file = photo.files[0];
    photo.value = "";
    if (!file) return;
    problem.textContent = "";
    if (file.size > parseInt(photo.dataset.maxBytes, 10)) {
      problem.textContent = problem.dataset.too_large;
      return;
    }
    const body = new FormData();
    body.append("photo", file);
    try {
      const response = await fetch("/chat/photo", { method: "POST", body: body });
      const answer = await response.json();
      if (response.ok) add(answer);
      else problem.textContent = problem.dataset[answer.refused] || problem.dataset.failed;
    } catch (error) {
      problem.textContent = problem.dataset.failed;
    }
  });
  if (linkForm) {
    linkForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const address = linkForm.elements.link;
      say({ link: address.value.trim() });
      address.value = "";
    });
  }
  // The widget on the host page says when its panel opens: the text box takes the focus,
  // so a keyboard or screen reader user can start typing at once.
  window.addEventListener("message", (event) => {
    if (event.data === "klachtbot:opened") box.focus();
  });
  connect();
})();
