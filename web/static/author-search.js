// The comment form's author field where a venue has too many people to list:
// suggestions as one types (an ARIA 1.2 combobox with a listbox), from the
// review's people found by the search view. Without JavaScript the field is a
// plain text input: the server reads a card number or a name. Choosing a
// suggestion sends its id in a hidden field instead of the typed text. No
// framework, CSP script-src 'self'.
(function () {
  "use strict";
  var MIN = 2;
  var WAIT = 250;

  function enhance(input) {
    var url = input.getAttribute("data-author-search");
    var name = input.name;
    var listId = input.id + "-goi-y-danh-sach";
    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Người dự hội nghị khớp với nội dung đã nhập");
    list.className = "suggestions";
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var chosen = null;
    var timer = null;
    var active = -1;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function unchoose() {
      if (chosen) {
        chosen.remove();
        chosen = null;
        input.name = name;
      }
    }

    function choose(item) {
      unchoose();
      chosen = document.createElement("input");
      chosen.type = "hidden";
      chosen.name = name;
      chosen.value = item.getAttribute("data-id");
      input.insertAdjacentElement("afterend", chosen);
      input.removeAttribute("name");
      input.value = item.textContent;
      status.textContent = "Đã chọn " + item.textContent + ".";
      close();
    }

    function mark(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (el, i) { el.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-id", r.id);
        li.textContent = r.label;
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(li); });
        list.appendChild(li);
      });
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? results.length + " người khớp; dùng phím mũi tên để chọn."
        : "Không có người dự hội nghị nào khớp.";
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN) { close(); return; }
      var mine = ++asked;
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin"
      })
        .then(function (r) { return r.json(); })
        .then(function (found) { if (mine === asked) { show(found.results || []); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      unchoose();
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, WAIT);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown") { ev.preventDefault(); mark(active + 1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); mark(active - 1); }
      else if (ev.key === "Enter" && active >= 0) {
        ev.preventDefault();
        choose(list.querySelectorAll("[role=option]")[active]);
      } else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-author-search]").forEach(enhance);
})();
