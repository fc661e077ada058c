// Optional comforts over pages that work without JavaScript: copy buttons for quotes and references.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const label = document.documentElement.lang === "en" ? ["Copy", "Copied"] : ["复制", "已复制"];
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    button.textContent = label[0];
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      try {
        await navigator.clipboard.writeText(source.textContent);
      } catch {
        // No clipboard (plain http on another host): select the text so Ctrl-C copies it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      button.textContent = label[1];
      setTimeout(() => { button.textContent = label[0]; }, 1500);
    });
  }
});
