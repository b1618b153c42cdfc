/* A hint under free-text boxes while typing: a name typed in the same form's person
   fields, a surname + 某/氏, an ID number or a mobile number in the text. The server warns
   again after saving and redacts the text for readers without identity access; this only
   helps people write 当事人 / 被申请人 in the first place. No inline script (CSP). */
(function () {
  "use strict";
  var message = document.body.getAttribute("data-name-hint");
  if (!message) return;
  var ID_NUMBER = /(^|[^0-9])[1-9][0-9]{16}[0-9Xx]([^0-9]|$)/;
  var MOBILE = /(^|[^0-9])1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}([^0-9]|$)/;
  var SURNAME_FORM = /[\u4e00-\u9fff](某|氏)/;

  function typedNames(form) {
    var names = [];
    form.querySelectorAll("input[name$='-name']").forEach(function (input) {
      var value = input.value.trim();
      if (value.length >= 2) {
        names.push(value);
        if (value.length >= 3) names.push(value.slice(1));
      }
    });
    return names;
  }

  function named(textarea) {
    var text = textarea.value;
    if (!text) return false;
    if (ID_NUMBER.test(text) || MOBILE.test(text) || SURNAME_FORM.test(text)) return true;
    var form = textarea.form;
    return !!form && typedNames(form).some(function (name) {
      return text.indexOf(name) !== -1;
    });
  }

  function hintFor(textarea) {
    var hint = textarea.nextElementSibling;
    if (hint && hint.classList.contains("name-hint")) return hint;
    hint = document.createElement("div");
    hint.className = "form-text text-warning-emphasis name-hint";
    hint.setAttribute("role", "status");
    hint.textContent = message;
    hint.hidden = true;
    textarea.insertAdjacentElement("afterend", hint);
    return hint;
  }

  function check(textarea) {
    hintFor(textarea).hidden = !named(textarea);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.tagName === "TEXTAREA") check(target);
  });
})();
