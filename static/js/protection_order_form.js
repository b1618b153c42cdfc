// The protection-order form: the proxy's fields show only when someone other than the
// victim applies (or when they carry an error to fix).
(function () {
  "use strict";
  var role = document.getElementById("applicant_role");
  var proxy = document.getElementById("proxy-fields");
  if (!role || !proxy) return;
  function sync() { proxy.hidden = role.value === "victim" && !proxy.querySelector(".is-invalid, .invalid-feedback"); }
  role.addEventListener("change", sync);
  sync();
})();
