// Behaviour every page shares; no inline script anywhere (the Content-Security-Policy forbids it).
document.querySelectorAll("[data-submit-on-change]").forEach(function (control) {
  // The top bar's language switch: changing the language submits its form.
  control.addEventListener("change", function () { control.form.submit(); });
});
