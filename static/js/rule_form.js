// The workflow rule form (templates/automation/rule_form.html), as progressive enhancement:
// - the trigger's extra fields show only for their trigger ("Chosen fields updated": the fields;
//   "Credit spent or refunded": at most once per cycle);
// - each condition row offers the operators that suit its field, and the value box that suits
//   it: a drop-down of the field's values for a choice, a text box for text and numbers, none
//   for "is empty" and "is not empty".
// Without script every box shows and the server says what does not fit.
(function () {
  var form = document.getElementById("rule-form");
  if (!form) { return; }

  function parse(name) {
    try { return JSON.parse(form.getAttribute(name) || "{}"); } catch (error) { return {}; }
  }
  var fieldKinds = parse("data-field-kinds");
  var kindOperators = parse("data-kind-operators");
  var noValue = parse("data-no-value");
  var choiceKinds = ["choice", "optional_choice", "yes_no"];

  // --- the trigger -------------------------------------------------------------------------
  var trigger = form.querySelector("[data-rule-trigger]");
  function showTriggerExtras() {
    var chosen = trigger ? trigger.value : "";
    form.querySelectorAll("[data-show-for-trigger]").forEach(function (block) {
      block.hidden = block.getAttribute("data-show-for-trigger") !== chosen;
    });
  }
  if (trigger) {
    trigger.addEventListener("change", showTriggerExtras);
    showTriggerExtras();
  }

  // --- the condition rows ------------------------------------------------------------------
  function updateRow(row) {
    var field = row.querySelector("[data-criterion-field]");
    var operator = row.querySelector("[data-criterion-operator]");
    var choice = row.querySelector("[data-criterion-choice]");
    var text = row.querySelector("[data-criterion-text]");
    var choiceBox = row.querySelector("[data-value-choice]");
    var textBox = row.querySelector("[data-value-text]");
    if (!field || !operator || !choice || !text || !choiceBox || !textBox) { return; }
    var name = field.value;
    var kind = fieldKinds[name] || "";
    var allowed = kindOperators[kind] || [];
    Array.prototype.forEach.call(operator.options, function (option) {
      var offered = option.value === "" || !name || allowed.indexOf(option.value) !== -1;
      option.hidden = !offered;
      option.disabled = !offered;
    });
    if (name && operator.value && allowed.indexOf(operator.value) === -1) {
      operator.value = allowed.length ? allowed[0] : "";
    }
    if (name && !operator.value && allowed.length) { operator.value = allowed[0]; }
    Array.prototype.forEach.call(choice.options, function (option) {
      var offered = option.value === "" || option.value.indexOf(name + ":") === 0;
      option.hidden = !offered;
      option.disabled = !offered;
    });
    Array.prototype.forEach.call(choice.querySelectorAll("optgroup"), function (group) {
      var any = Array.prototype.some.call(group.querySelectorAll("option"), function (option) {
        return !option.hidden;
      });
      group.hidden = !any;
    });
    var selected = choice.options[choice.selectedIndex];
    if (selected && selected.disabled) { choice.value = ""; }
    var needsValue = name && noValue.indexOf(operator.value) === -1;
    var isChoice = choiceKinds.indexOf(kind) !== -1;
    choiceBox.hidden = !(needsValue && isChoice);
    textBox.hidden = !(needsValue && !isChoice);
    text.setAttribute("inputmode", kind === "number" ? "numeric" : "text");
  }

  var rows = document.getElementById("criteria-rows");
  if (rows) {
    rows.querySelectorAll("[data-criterion-row]").forEach(updateRow);
    rows.addEventListener("change", function (event) {
      var row = event.target.closest("[data-criterion-row]");
      if (row && (event.target.hasAttribute("data-criterion-field") ||
                  event.target.hasAttribute("data-criterion-operator"))) {
        updateRow(row);
      }
    });
    // Rows added by "Add another condition" (static/js/formset_rows.js).
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1 && node.hasAttribute("data-criterion-row")) { updateRow(node); }
        });
      });
    }).observe(rows, { childList: true });
  }
})();
