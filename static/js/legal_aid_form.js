/* The legal-aid referral form: an exemption from the means test (法律援助法 Art. 32 (4))
   hides the means questions; the server skips them anyway. Without this script the
   questions stay visible and are optional when an exemption is chosen. */
(function () {
  "use strict";
  var exempt = document.getElementById("means_test_exempt_reason");
  var means = document.getElementById("means-questions");
  if (!exempt || !means) return;
  function sync() {
    means.hidden = exempt.value !== "";
  }
  exempt.addEventListener("change", sync);
  sync();
})();
