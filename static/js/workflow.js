// Draws the workflow diagram (<pre class="mermaid">) with the vendored Mermaid, loaded before.
(function () {
  "use strict";
  if (window.mermaid) {
    window.mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });
  }
})();
