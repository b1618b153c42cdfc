// The referral picker (templates/_referral_picker.html): typing filters the units by
// name, type, services and the places they serve; a group with no match is hidden.
// Checked units always stay visible, so a choice is never hidden from its sender.
(function () {
  "use strict";
  function norm(text) {
    return (text || "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function filter(picker, query) {
    var words = norm(query).split(" ").filter(Boolean);
    var shown = 0;
    picker.querySelectorAll(".referral-group").forEach(function (group) {
      var groupShown = 0;
      group.querySelectorAll(".referral-unit").forEach(function (unit) {
        var text = norm(unit.getAttribute("data-search"));
        var box = unit.querySelector("input[type=checkbox]");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        var visible = match || (box && box.checked);
        unit.hidden = !visible;
        if (visible) { groupShown += 1; }
      });
      group.hidden = groupShown === 0;
      shown += groupShown;
    });
    var none = picker.querySelector(".referral-none");
    if (none) { none.hidden = shown !== 0; }
  }
  document.querySelectorAll(".referral-picker").forEach(function (picker) {
    var search = picker.querySelector(".referral-search");
    if (!search) { return; }
    search.addEventListener("input", function () { filter(picker, search.value); });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  });
})();
