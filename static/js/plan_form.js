// The support plan form: credit cycle and limit belong to ticket-based plans only.
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
})();
