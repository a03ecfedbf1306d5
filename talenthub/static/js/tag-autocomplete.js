// Suggests existing expertise tags for the last comma-separated entry of a tag input.
(function () {
  "use strict";
  const form = document.querySelector("[data-tag-autocomplete-url]");
  const url = form ? form.dataset.tagAutocompleteUrl : null;
  if (!url) return;
  document.querySelectorAll("input[data-tag-autocomplete]").forEach(function (input, index) {
    const list = document.createElement("datalist");
    list.id = "tag-suggestions-" + index;
    input.after(list);
    input.setAttribute("list", list.id);
    let timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const parts = input.value.split(",");
        const term = parts.pop().trim();
        if (!term) return;
        const response = await fetch(url + "?q=" + encodeURIComponent(term), {
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const data = await response.json();
        const prefix = parts.length ? parts.join(",") + ", " : "";
        list.replaceChildren(
          ...data.suggestions.map(function (suggestion) {
            const option = document.createElement("option");
            option.value = prefix + suggestion.name;
            // "橋梁 (橋梁 / bridge)": typing "bridge" offers the Japanese tag.
            if (suggestion.label !== suggestion.name) option.label = suggestion.label;
            return option;
          })
        );
      }, 150);
    });
  });
})();
