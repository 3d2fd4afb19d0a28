// Behaviour every page shares; no inline script anywhere (the Content-Security-Policy forbids it).
document.querySelectorAll("[data-submit-on-change]").forEach(function (control) {
  // The top bar's language switch: changing the language submits its form.
  control.addEventListener("change", function () { control.form.submit(); });
});
document.querySelectorAll("[data-form-cancel]").forEach(function (link) {
  // Cancel (templates/includes/form_cancel.html) follows a form drawn by crispy-forms: move it
  // beside that form's submit button, where one looks for it.
  var row = link.parentElement;
  var form = row && row.previousElementSibling;
  if (!form || form.tagName !== "FORM") { return; }
  var submits = form.querySelectorAll("[type=submit]");
  if (!submits.length) { return; }
  submits[submits.length - 1].after(link);
  row.remove();
});
document.querySelectorAll("main table").forEach(function (table) {
  // A table scrolls sideways in its own box rather than widening the page at phone width.
  // Templates wrap their tables in .table-responsive; this catches one drawn without it.
  if (table.closest(".table-responsive")) { return; }
  var box = document.createElement("div");
  box.className = "table-responsive";
  table.parentNode.insertBefore(box, table);
  box.appendChild(table);
});
