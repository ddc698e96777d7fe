// A file heavier than its field takes (data-max-bytes) is refused here, before the form is sent:
// the server refuses a request that large with a 413 page without reading it, so what was typed
// in the rest of the form would be lost. The server's check stays the rule; this one saves the trip.
function tooHeavy(input) {
  const max = Number(input.dataset.maxBytes);
  return Array.from(input.files || []).some((file) => file.size > max);
}

function check(input) {
  input.setCustomValidity(tooHeavy(input) ? input.dataset.maxBytesMessage : "");
  return input.checkValidity();
}

for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) {
  input.addEventListener("change", () => {
    if (!check(input)) input.reportValidity();
  });
  // The forms are novalidate (the server's messages are shown next to the fields): check on submit too.
  input.form?.addEventListener("submit", (event) => {
    if (!check(input)) {
      event.preventDefault();
      input.reportValidity();
    }
  });
}
