// Suggestions as one types (an ARIA 1.2 combobox with a listbox), shared by the
// fields that name people from a set too large to list:
// - the comment form's author (input[data-author-search]): choosing a
//   suggestion sends its id in a hidden field instead of the typed text;
// - the peer-group form's members (fieldset[data-peer-search]): each chosen
//   subject joins the list of chosen ones (a checkbox with its key), the
//   field is emptied for the next one.
// Without JavaScript both are plain text fields the server reads (a card
// number or a name; one a line for the peer group). No framework, CSP
// script-src 'self'.
(function () {
  "use strict";
  var MIN = 2;
  var WAIT = 250;

  // input: the text field; url: where to ask (?q=); what: the words of the
  // list; picked(item): what choosing a suggestion does; typed(): the field
  // was typed in again.
  function combobox(input, url, what, picked, typed) {
    var listId = input.id + "-goi-y-danh-sach";
    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", what.label);
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
    var timer = null;
    var active = -1;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      status.textContent = picked(item);
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
        ? results.length + " " + what.found + "; dùng phím mũi tên để chọn."
        : what.none;
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
      typed();
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

  // The comment form's author: one person, sent as a hidden id.
  function author(input) {
    var name = input.name;
    var chosen = null;
    function unchoose() {
      if (chosen) {
        chosen.remove();
        chosen = null;
        input.name = name;
      }
    }
    combobox(input, input.getAttribute("data-author-search"), {
      label: "Người dự hội nghị khớp với nội dung đã nhập",
      found: "người khớp",
      none: "Không có người dự hội nghị nào khớp."
    }, function (item) {
      unchoose();
      chosen = document.createElement("input");
      chosen.type = "hidden";
      chosen.name = name;
      chosen.value = item.getAttribute("data-id");
      input.insertAdjacentElement("afterend", chosen);
      input.removeAttribute("name");
      input.value = item.textContent;
      return "Đã chọn " + item.textContent + ".";
    }, unchoose);
  }

  // The peer-group form: several subjects, each a checked box with its key.
  function members(fieldset) {
    var name = fieldset.getAttribute("data-peer-name");
    var chosen = fieldset.querySelector("ul.chosen");
    var area = fieldset.querySelector("textarea");
    var input = document.createElement("input");
    input.type = "text";
    input.id = area.id + "-tim";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.maxLength = 200;
    input.setAttribute("aria-describedby", area.id + "-goi-y");
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = "Tìm đối tượng theo họ tên hoặc số thẻ";
    var box = document.createElement("div");
    box.className = "field";
    box.appendChild(label);
    box.appendChild(input);
    chosen.insertAdjacentElement("afterend", box);
    combobox(input, fieldset.getAttribute("data-peer-search"), {
      label: "Đối tượng của đợt xếp loại khớp với nội dung đã nhập",
      found: "đối tượng khớp",
      none: "Không có đối tượng nào của đợt xếp loại khớp."
    }, function (item) {
      var key = item.getAttribute("data-id");
      var known = Array.prototype.some.call(
        chosen.querySelectorAll("input"), function (el) { return el.value === key; });
      if (!known) {
        var li = document.createElement("li");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = key;
        box.checked = true;
        box.id = input.id + "-" + chosen.children.length;
        var text = document.createElement("label");
        text.htmlFor = box.id;
        text.textContent = item.textContent;
        li.appendChild(box);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(text);
        chosen.appendChild(li);
      }
      input.value = "";
      input.focus();
      return "Đã thêm " + item.textContent + " vào nhóm.";
    }, function () {});
  }

  document.querySelectorAll("input[data-author-search]").forEach(author);
  document.querySelectorAll("fieldset[data-peer-search]").forEach(members);
})();
