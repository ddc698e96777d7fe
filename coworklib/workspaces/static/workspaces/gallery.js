// The detail page's photos: tapping one shows it large in a <dialog>, with previous/next.
// Without JavaScript (or without <dialog>) each photo is a link to the image itself.
for (const gallery of document.querySelectorAll("[data-gallery]")) {
  const dialog = gallery.querySelector("dialog[data-lightbox]");
  const links = [...gallery.querySelectorAll("a[data-gallery-item]")];
  if (!dialog || typeof dialog.showModal !== "function" || links.length === 0) continue;
  const image = dialog.querySelector("img");
  const counter = dialog.querySelector("[data-lightbox-counter]");
  let current = 0;

  const show = (index) => {
    current = (index + links.length) % links.length;
    const link = links[current];
    image.src = link.href;
    image.alt = link.querySelector("img")?.alt ?? "";
    counter.textContent = links.length > 1 ? `${current + 1} / ${links.length}` : "";
  };

  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      show(index);
      dialog.showModal();
    });
  });
  dialog.querySelector("[data-lightbox-close]")?.addEventListener("click", () => dialog.close());
  dialog.querySelector("[data-lightbox-prev]")?.addEventListener("click", () => show(current - 1));
  dialog.querySelector("[data-lightbox-next]")?.addEventListener("click", () => show(current + 1));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") show(current - 1);
    if (event.key === "ArrowRight") show(current + 1);
  });
  // A tap on the dark backdrop (the dialog itself, not its content) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  // Swipe left or right on a phone.
  let touchStart = null;
  dialog.addEventListener("touchstart", (event) => { touchStart = event.changedTouches[0].clientX; }, { passive: true });
  dialog.addEventListener("touchend", (event) => {
    if (touchStart === null) return;
    const distance = event.changedTouches[0].clientX - touchStart;
    touchStart = null;
    if (Math.abs(distance) > 50) show(current + (distance < 0 ? 1 : -1));
  });
}
