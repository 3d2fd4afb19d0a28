// The support plan form: credit cycle and limit belong to ticket-based plans only, and the SLA
// is one of the chosen department's.
(function () {
  var form = document.querySelector("#plan-form form");
  if (!form) { return; }
  function planType() {
    var checked = form.querySelector("input[name=plan_type]:checked");
    return checked ? checked.value : "";
  }
  function update() {
    var ticketBased = planType() === "ticket_based";
    form.querySelectorAll("[data-ticket-based-only]").forEach(function (input) {
      var wrapper = document.getElementById("div_" + input.id) || input.parentNode;
      wrapper.hidden = !ticketBased;
      if (!input.hasAttribute("data-locked")) { input.disabled = !ticketBased; }
    });
  }
  form.querySelectorAll("[data-ticket-based-only]").forEach(function (input) {
    if (input.disabled) { input.setAttribute("data-locked", "true"); }
  });
  form.querySelectorAll("input[name=plan_type]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();

  // The SLA drop-down offers the chosen department's SLAs only (grouped by department).
  var department = form.querySelector("select[name=department]");
  var sla = form.querySelector("select[name=sla]");
  function offerSlas() {
    if (!department || !sla) { return; }
    var chosen = department.options[department.selectedIndex];
    var name = chosen && chosen.value ? chosen.text : null;
    sla.querySelectorAll("optgroup").forEach(function (group) {
      var offered = name === null || group.label === name;
      group.hidden = !offered;
      group.disabled = !offered;
    });
    var selected = sla.options[sla.selectedIndex];
    if (selected && selected.parentNode.disabled) { sla.value = ""; }
  }
  if (department) { department.addEventListener("change", offerSlas); }
  offerSlas();
})();
