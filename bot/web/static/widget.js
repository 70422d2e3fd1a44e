// One <script src="https://<bot>/widget.js" defer></script> on a page of an allowed site puts a
// chat button on it; the button opens the chat (served by the bot) in a panel.
(function () {
  "use strict";
  const origin = new URL(document.currentScript.src).origin;
  const lang = (document.documentElement.lang || "nl").slice(0, 2) === "en" ? "en" : "nl";
  const label = lang === "en" ? "Chat with us" : "Chat met ons";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "klachtbot-chat-button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "klachtbot-chat-panel");
  const panel = document.createElement("iframe");
  panel.className = "klachtbot-chat-panel";
  panel.id = "klachtbot-chat-panel";
  panel.title = label;
  panel.hidden = true;
  panel.src = origin + "/chat?lang=" + lang;
  button.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) {
      panel.focus();
      // Only the chat's own origin gets this: it puts the focus in the text box.
      panel.contentWindow.postMessage("klachtbot:opened", origin);
    }
  });
  // Escape closes the panel and gives the focus back to the button.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
  Object.assign(button.style, { position: "fixed", right: "1rem", bottom: "1rem", zIndex: 2147483647 });
  Object.assign(panel.style, {
    position: "fixed", right: "1rem", bottom: "4rem", width: "min(24rem, 92vw)",
    height: "min(36rem, 75vh)", border: "1px solid #767676", borderRadius: "8px",
    background: "#fff", zIndex: 2147483647,
  });
  document.body.append(button, panel);
})();
