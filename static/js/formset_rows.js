// "Add another" buttons of the forms that take several rows in one save (an SLA's escalation
// levels, a holiday list's days): a click copies the formset's empty row from its <template>,
// numbers it and counts it in the management form. Without script the button stays hidden and
// the form offers a few blank rows instead.
//
// <button data-formset-add="PREFIX" hidden> goes with <template id="PREFIX-empty"> (the empty
// form, "__prefix__" in its names, "__number__" where its number is shown) and a container
// id="PREFIX-rows" for the rows.
(function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var most = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (most && index >= parseInt(most.value, 10)) { return; }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
