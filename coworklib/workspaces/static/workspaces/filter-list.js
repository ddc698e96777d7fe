// Narrows a long list of checkboxes as one types (the members of a workspace's access page).
// Without JavaScript the search box stays hidden and the whole list shows; ticked boxes are never lost,
// only hidden, so they are still sent with the form.
const normalise = (text) => text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

for (const input of document.querySelectorAll("input[data-filter-list]")) {
  const list = document.getElementById(input.dataset.filterList);
  const status = document.getElementById(input.dataset.filterStatus);
  if (!list) continue;
  input.closest("[hidden]")?.removeAttribute("hidden");
  const items = [...list.children].map((item) => ({ item, text: normalise(item.textContent) }));
  input.addEventListener("input", () => {
    const words = normalise(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { item, text } of items) {
      const matches = words.every((word) => text.includes(word));
      item.hidden = !matches;
      if (matches) shown += 1;
    }
    if (status) status.textContent = words.length ? `${status.dataset.label} ${shown}` : "";
  });
}
