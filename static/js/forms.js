/* After a refused form, the focus goes to the first invalid field, scrolled into view, and
 * its message is announced: the field names its message (aria-describedby) and is marked
 * aria-invalid. The form macros (templates/_macros.html) write both; fields drawn by other
 * templates get them here from Bootstrap's is-invalid / invalid-feedback. */
(function () {
  "use strict";
  let counter = 0;

  function describe(field) {
    if (!field.hasAttribute("aria-invalid")) field.setAttribute("aria-invalid", "true");
    if (field.hasAttribute("aria-describedby")) return;
    const holder = field.closest("fieldset, .mb-3, .form-check, .col, [class*='col-']") || field.parentNode;
    const message = holder.querySelector(".invalid-feedback");
    if (!message) return;
    if (!message.id) { counter += 1; message.id = "invalid-message-" + counter; }
    field.setAttribute("aria-describedby", message.id);
  }

  function focusFirstInvalid(root) {
    const scope = root || document.querySelector("main") || document;
    const fields = Array.from(scope.querySelectorAll("input.is-invalid, select.is-invalid, textarea.is-invalid, [aria-invalid='true']"))
      .filter((el) => !el.disabled && el.type !== "hidden");
    fields.forEach(describe);
    const first = fields[0];
    if (!first) return false;
    const details = first.closest("details");
    if (details) details.open = true;
    const collapsed = first.closest("details.action");
    if (collapsed) collapsed.open = true;
    // "instant": Bootstrap makes page scrolling smooth, and the field must be in view at once.
    first.scrollIntoView({ block: "center", behavior: "instant" });
    first.focus({ preventScroll: true });
    return true;
  }

  window.caseflowForms = { focusFirstInvalid };
  focusFirstInvalid();
}());
