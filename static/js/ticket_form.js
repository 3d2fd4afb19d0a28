// The new-ticket form. The account is typed, with suggestions fetched as one types (there may be
// thousands: none is listed whole), and the contact and contract lists hold the chosen account's
// entries only, fetched when the account or the department changes. Without this script, one
// types the account's id or exact name and the server fills the lists when the form comes back.
(function () {
  var form = document.getElementById("ticket-create-form");
  var text = form && form.querySelector("[data-account-picker]");
  if (!text) { return; }
  var department = form.querySelector("select[name=department]");
  var contact = form.querySelector("select[name=contact]");
  var contract = form.querySelector("select[name=contract]");

  // The text box only searches; a hidden input posts the chosen account's id (or, when no
  // suggestion matches, the text itself, which the server reads as an id or an exact name).
  var hidden = document.createElement("input");
  hidden.type = "hidden";
  hidden.name = text.name;
  text.removeAttribute("name");
  text.parentNode.insertBefore(hidden, text.nextSibling);
  var list = document.createElement("datalist");
  list.id = text.id + "-suggestions";
  text.setAttribute("list", list.id);
  text.parentNode.insertBefore(list, hidden);

  var suggested = {};  // suggestion text -> account id
  var chosenId = text.getAttribute("data-account-id") || "";
  if (chosenId) { suggested[text.value.trim()] = chosenId; }
  var shownFor = chosenId;  // the account whose entries the lists hold (as the server drew them)

  function accountId() {
    var typed = text.value.trim();
    return Object.prototype.hasOwnProperty.call(suggested, typed) ? suggested[typed] : "";
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function fill(select, entries) {
    if (!select) { return; }
    var keep = select.value;
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (option.value !== "") { option.remove(); }
    });
    entries.forEach(function (entry) {
      var option = new Option(entry[1], String(entry[0]));
      option.selected = String(entry[0]) === keep;
      select.add(option);
    });
  }

  var choicesAsked = 0;
  function loadChoices() {
    var id = accountId();
    var asked = ++choicesAsked;
    if (!id) {
      fill(contact, []);
      fill(contract, []);
      return;
    }
    var url = new URL(text.getAttribute("data-choices-url"), window.location.href);
    url.searchParams.set("account", id);
    if (department && department.value) { url.searchParams.set("department", department.value); }
    [contact, contract].forEach(function (s) { if (s) { s.setAttribute("aria-busy", "true"); } });
    getJson(url).then(function (data) {
      if (asked !== choicesAsked) { return; }  // a newer choice was made meanwhile
      data = data || { contacts: [], contracts: [] };
      fill(contact, data.contacts.map(function (c) { return [c.id, c.name]; }));
      fill(contract, data.contracts.map(function (c) { return [c.id, c.label]; }));
      [contact, contract].forEach(function (s) { if (s) { s.removeAttribute("aria-busy"); } });
    });
  }

  function sync() {
    var id = accountId();
    hidden.value = id || text.value.trim();
    if (id !== shownFor) {
      shownFor = id;
      loadChoices();
    }
  }

  var suggestionsAsked = 0;
  var timer = null;
  function loadSuggestions() {
    var asked = ++suggestionsAsked;
    var url = new URL(text.getAttribute("data-suggestions-url"), window.location.href);
    url.searchParams.set("q", text.value.trim());
    getJson(url).then(function (accounts) {
      if (asked !== suggestionsAsked || !accounts) { return; }
      var names = {};
      accounts.forEach(function (a) { names[a.name] = (names[a.name] || 0) + 1; });
      suggested = {};
      list.textContent = "";
      accounts.forEach(function (a) {
        // Two accounts of the same name are told apart by their id.
        var label = names[a.name] > 1 ? a.name + " (#" + a.id + ")" : a.name;
        suggested[label] = String(a.id);
        list.appendChild(new Option(label));
      });
      sync();
    });
  }

  text.addEventListener("input", function () {
    sync();
    window.clearTimeout(timer);
    timer = window.setTimeout(loadSuggestions, 150);
  });
  text.addEventListener("change", sync);
  if (department) { department.addEventListener("change", loadChoices); }
  sync();
  // Text typed before this script ran (a slow page, or the browser restoring the form when one
  // comes back to it) has had no suggestions yet: ask for them as if it had just been typed.
  if (text.value.trim() && !accountId()) { loadSuggestions(); }
})();
