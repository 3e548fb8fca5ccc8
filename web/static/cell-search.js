// A typed organisation or member field (the chi bộ of enrolment and transfer,
// the organisation of the remediation list, of opening a cycle, of a vote, a
// remediation plan's supervising body and responsible member, the people a vote
// asks about): as one types a name, a code or a card number, ask the search
// (the datalist's data-search-url: /api/v1/search, of the datalist's
// data-kind, organisations unless it says "member", narrowed to the page's
// scope when the URL says so) and offer what it finds in the field's datalist
// as "name (code)". Several fields may share one datalist. Without this script
// the field still takes the typed name or code, read by the server. No
// framework, CSP script-src 'self'.
(function () {
  "use strict";
  function attach(list, input) {
    var url = list.getAttribute("data-search-url");
    var kind = list.getAttribute("data-kind") || "organisation";
    var joint = url.indexOf("?") < 0 ? "?" : "&";
    var initial = Array.prototype.map.call(list.options, function (o) { return o.value; });
    var timer = null;
    var asked = "";
    function show(labels) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      labels.forEach(function (label) {
        var option = document.createElement("option");
        option.value = label;
        list.appendChild(option);
      });
    }
    function search() {
      var text = input.value.trim();
      if (text.length < 2 || text.slice(-1) === ")") { return; }
      asked = text;
      var query = url + joint + "loai=" + kind + "&q=" + encodeURIComponent(text);
      fetch(query, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) {
          if (asked !== text) { return; }
          var found = (body.results || []).map(function (hit) {
            return hit.code ? hit.name + " (" + hit.code + ")" : hit.name;
          });
          var near = initial.filter(function (label) {
            return found.indexOf(label) < 0 && label.toLowerCase().indexOf(text.toLowerCase()) >= 0;
          });
          show(near.concat(found));
        })
        .catch(function () { /* the typed text is still read by the server */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("datalist[data-search-url]"), function (list) {
    var inputs = document.querySelectorAll('input[list="' + list.id + '"]');
    Array.prototype.forEach.call(inputs, function (input) { attach(list, input); });
  });
})();
