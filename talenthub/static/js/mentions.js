// "@" followed by a few letters of a name (Japanese or English) offers members to mention;
// choosing one inserts @[name](staff number), which the site turns into a profile link.
(function () {
  "use strict";
  const script = document.currentScript;
  const url = script && script.dataset.url;
  if (!url) return;
  document.querySelectorAll("textarea[data-mentions]").forEach(function (textarea) {
    const list = document.createElement("ul");
    list.className = "mention-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    textarea.after(list);
    let timer = null;

    function currentTerm() {
      const before = textarea.value.slice(0, textarea.selectionStart);
      const match = before.match(/@([^\s@\[\]()]{1,30})$/);
      return match ? match[1] : null;
    }

    function choose(insert) {
      const caret = textarea.selectionStart;
      const before = textarea.value.slice(0, caret).replace(/@([^\s@\[\]()]{1,30})$/, insert + " ");
      textarea.value = before + textarea.value.slice(caret);
      textarea.focus();
      textarea.selectionStart = textarea.selectionEnd = before.length;
      list.hidden = true;
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      const term = currentTerm();
      if (!term) { list.hidden = true; return; }
      timer = setTimeout(async function () {
        const response = await fetch(url + "?q=" + encodeURIComponent(term), {
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const data = await response.json();
        list.replaceChildren(...data.members.map(function (member) {
          const item = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.setAttribute("role", "option");
          button.textContent = member.label;
          button.addEventListener("click", function () { choose(member.insert); });
          item.append(button);
          return item;
        }));
        list.hidden = data.members.length === 0;
      }, 150);
    });
  });
})();
