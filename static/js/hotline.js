/* The hotline call form (templates/hotline/new.html): keyboard use, the danger
 * instruction and the earlier calls and cases of the same person, looked up while the agent
 * types. No library; the form works without this file (the server checks everything). */
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) {
    return;
  }
  var submit = document.getElementById("save-call");
  var sent = false;

  // Enter in a one-line input never sends the form; Ctrl+Enter (or Cmd+Enter) does.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") {
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      if (form.requestSubmit) {
        form.requestSubmit(submit);
      } else {
        submit.click();
      }
      return;
    }
    var target = event.target;
    if (target.tagName === "INPUT" && target.type !== "submit" && target.type !== "button") {
      event.preventDefault();
    }
  });

  // Alt+letter: the fields marked data-key (the hint above the form names them). Done here
  // rather than with accesskey, whose modifiers differ between browsers (Alt+Shift in
  // Firefox): Alt+D ticks or unticks the danger box, the others move to their field.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code || "")) {
      return;
    }
    var letter = event.code.slice(3).toLowerCase();
    var field = form.querySelector('[data-key="' + letter + '"]');
    if (!field) {
      return;
    }
    event.preventDefault();
    field.focus();
    if (field.type === "checkbox") {
      field.click();
    }
  });

  // One submission per form shown (the server also saves a form token only once).
  form.addEventListener("submit", function (event) {
    if (sent) {
      event.preventDefault();
      return;
    }
    sent = true;
    window.setTimeout(function () {
      submit.disabled = true;
    }, 0);
  });

  // Danger: the instruction to transfer to 110 in full view, urgency set to danger.
  var danger = document.getElementById("danger");
  var alertBox = document.getElementById("danger-alert");
  var urgency = document.getElementById("urgency");
  var transferred = document.getElementById("transferred_110");
  function showDanger() {
    var on = danger && danger.checked;
    if (alertBox) {
      alertBox.classList.toggle("d-none", !on);
    }
    if (transferred) {
      transferred.required = !!on;
    }
    if (on && urgency) {
      urgency.value = "danger";
    }
  }
  if (danger) {
    danger.addEventListener("change", showDanger);
    showDanger();
  }

  // Anonymous: the name and the ID number of the caller are not asked.
  var anonymous = document.getElementById("anonymous");
  function showAnonymous() {
    var on = anonymous && anonymous.checked;
    ["caller_name", "caller_id_number"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) {
        input.disabled = !!on;
      }
    });
  }
  if (anonymous) {
    anonymous.addEventListener("change", showAnonymous);
    showAnonymous();
  }

  // Earlier calls and cases: ask the server a moment after the agent stops typing.
  var panel = document.getElementById("matches");
  var url = form.getAttribute("data-matches-url");
  var inputs = form.querySelectorAll("[data-match]");
  var timer = null;
  var lastQuery = null;
  var pending = null;

  function query() {
    var params = new URLSearchParams();
    inputs.forEach(function (input) {
      var value = input.disabled ? "" : input.value.trim();
      if (value) {
        params.set(input.getAttribute("data-match"), value);
      }
    });
    return params.toString();
  }

  function lookUp() {
    var q = query();
    if (q === lastQuery || !panel || !url) {
      return;
    }
    lastQuery = q;
    if (pending && pending.abort) {
      pending.abort();
    }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url + "?" + q, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      signal: pending ? pending.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && q === lastQuery) {
          panel.innerHTML = html; // rendered by the server with autoescaping
        }
      })
      .catch(function () {
        /* aborted or offline: the panel keeps what it showed */
      });
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 400);
    });
    input.addEventListener("change", lookUp);
  });
  if (query()) {
    lookUp();
  }
})();
