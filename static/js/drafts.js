/* A report survives a bad network.
 *
 * Every form marked data-draft keeps a draft on this device as the user types: a failed
 * submission, the back button, a reload or a closed tab lose nothing, and the draft is
 * offered back when the form is opened again. Drafts are encrypted (AES-GCM, Web Crypto)
 * with a key the server gives to the signed-in user (/drafts/key): the key lives in this
 * page's memory only, never in the device's storage, so the stored draft shows no name
 * without the user's login. A draft is deleted once submitted, at logout and after 24 h.
 *
 * A form marked data-queue is sent by this script: offline, it stays queued ("saved on
 * this device") and is sent when the network is back or the app is next opened, with the
 * form's one-time token (client_token) so that the server saves it once; the page then
 * shows the case number. A refusal comes back to the form with the server's messages. */
(function () {
  "use strict";
  const body = document.body;
  const USER = body.dataset.user;
  const KEY_URL = body.dataset.draftKey;
  const TEXTS = (document.getElementById("draft-texts") || {}).dataset || {};
  if (!USER || !KEY_URL || !window.crypto || !window.crypto.subtle || !window.localStorage) return;
  const ALL = "caseflow.draft.";
  const PREFIX = ALL + USER + ".";
  const MAX_AGE = 24 * 3600 * 1000;
  const SKIP = new Set(["csrf_token", "version", "client_token"]);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let keysPromise = null;

  // --- storage and keys -----------------------------------------------------------------

  function b64(bytes) {
    let text = "";
    new Uint8Array(bytes).forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text);
  }
  function unb64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  function purgeOld() {
    const now = Date.now();
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const name = localStorage.key(i);
      if (!name || !name.startsWith(ALL)) continue;
      try {
        const record = JSON.parse(localStorage.getItem(name));
        if (!record || !(now - record.saved_at < MAX_AGE)) localStorage.removeItem(name);
      } catch (error) { localStorage.removeItem(name); }
    }
  }

  function keys(fresh) {
    // The user's keys and a fresh CSRF token; null when offline or logged out.
    if (!keysPromise || fresh) {
      keysPromise = (async () => {
        try {
          const response = await fetch(KEY_URL, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
          const type = response.headers.get("Content-Type") || "";
          if (!response.ok || response.redirected || !type.includes("json")) return null;
          const data = await response.json();
          if (String(data.user) !== USER) return null;
          const imported = {};
          for (const k of data.keys) {
            imported[k.id] = await crypto.subtle.importKey("raw", unb64(k.key), "AES-GCM", false, ["encrypt", "decrypt"]);
          }
          return { current: data.keys[0].id, keys: imported, csrf: data.csrf_token };
        } catch (error) { return null; }
      })();
    }
    return keysPromise.then((value) => { if (!value) keysPromise = null; return value; });
  }

  async function seal(k, content) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k.keys[k.current], enc.encode(JSON.stringify(content)));
    return { k: k.current, iv: b64(iv), c: b64(data) };
  }

  async function open(k, record) {
    const key = k.keys[record.k];
    if (!key) return null;
    try {
      const data = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(record.iv) }, key, unb64(record.c));
      return JSON.parse(dec.decode(data));
    } catch (error) { return null; }
  }

  function load(name) {
    try { return JSON.parse(localStorage.getItem(name)); } catch (error) { return null; }
  }

  async function store(name, k, content, extra) {
    const sealed = await seal(k, content);
    const record = Object.assign({ v: 1, saved_at: Date.now(), url: content.url, queued: false }, extra, sealed);
    localStorage.setItem(name, JSON.stringify(record));
    return record;
  }

  function token() {
    return b64(crypto.getRandomValues(new Uint8Array(24))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // --- the page's messages -----------------------------------------------------------------

  function say(text) {
    const status = document.getElementById("draft-status");
    if (status) status.textContent = text;
  }

  function notice(form, kind, text, actions) {
    const id = "draft-notice";
    let box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      const main = document.querySelector("main");
      if (form) form.parentNode.insertBefore(box, form);
      else main.insertBefore(box, main.firstChild);
    }
    box.className = "alert alert-" + kind + " d-flex flex-wrap align-items-center gap-2";
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.textContent = "";
    const span = document.createElement("span");
    span.textContent = text;
    box.appendChild(span);
    (actions || []).forEach((action) => box.appendChild(action));
    return box;
  }

  function button(text, handler, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + (cls || "btn-outline-dark");
    b.textContent = text;
    b.addEventListener("click", handler);
    return b;
  }

  function link(text, href) {
    const a = document.createElement("a");
    a.className = "alert-link";
    a.href = href;
    a.textContent = text;
    return a;
  }

  // --- fields ---------------------------------------------------------------------------

  function collect(form) {
    const pairs = [];
    new FormData(form).forEach((value, name) => {
      if (!SKIP.has(name) && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }

  let restoring = false;

  function restore(form, pairs) {
    restoring = true;
    try { fill(form, pairs); } finally { restoring = false; }
  }

  function fill(form, pairs) {
    const values = new Map();
    pairs.forEach(([name, value]) => {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    });
    Array.from(form.elements).forEach((el) => {
      if (!el.name || SKIP.has(el.name) || el.type === "file" || el.type === "submit") return;
      const given = values.get(el.name) || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = given.includes(el.value);
      else if (el.tagName === "SELECT" && el.multiple) Array.from(el.options).forEach((o) => { o.selected = given.includes(o.value); });
      else if (given.length) el.value = given.shift();
      else if (el.type !== "hidden") el.value = "";
      if (values.has(el.name) && el.closest("details")) el.closest("details").open = true;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function clearErrors(form) {
    form.querySelectorAll(".draft-error").forEach((el) => el.remove());
    form.querySelectorAll("[data-draft-invalid]").forEach((el) => {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-draft-invalid");
    });
  }

  function showErrors(form, error) {
    // The server's messages, shown as the form macros show them (templates/_macros.html).
    clearErrors(form);
    const general = [];
    Object.entries(error.fields || {}).forEach(([name, messages]) => {
      const inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      if (!inputs.length) { general.push(messages.join(" ")); return; }
      const first = inputs[0];
      const id = (first.type === "checkbox" ? name : first.id || name) + "-error";
      const feedback = document.createElement("div");
      feedback.className = "invalid-feedback d-block draft-error";
      feedback.id = id;
      feedback.textContent = messages.join(" ");
      inputs.forEach((input) => {
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", id);
        input.setAttribute("data-draft-invalid", "");
      });
      const holder = first.closest("fieldset, .mb-3, .form-check") || first.parentNode;
      holder.appendChild(feedback);
    });
    notice(form, "danger", [error.message].concat(general).join(" "));
    if (window.caseflowForms) window.caseflowForms.focusFirstInvalid(form);
  }

  // --- sending ---------------------------------------------------------------------------

  async function send(k, content, mode) {
    // One attempt; the outcome is "saved", "refused", "login" or "offline".
    const data = new URLSearchParams();
    content.fields.forEach(([name, value]) => data.append(name, value));
    data.append("client_token", content.token);
    data.append("csrf_token", k.csrf);
    if (content.version !== undefined) data.append("version", content.version);
    let response;
    try {
      response = await fetch(content.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Caseflow-Draft": mode, Accept: "application/json" },
      });
    } catch (error) { return { outcome: "offline" }; }
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("json")) {
      // The session ended: the login page answered instead of the form.
      return { outcome: response.redirected ? "login" : "offline" };
    }
    const answer = await response.json();
    if (response.ok) return { outcome: "saved", answer };
    if (answer.error && answer.error.code === "csrf") return { outcome: "csrf" };
    return { outcome: "refused", error: answer.error || {} };
  }

  async function sendWithRetry(content, mode) {
    let k = await keys();
    if (!k) return { outcome: navigator.onLine ? "login" : "offline" };
    let result = await send(k, content, mode);
    if (result.outcome === "csrf") {
      k = await keys(true);
      result = k ? await send(k, content, mode) : { outcome: "login" };
      if (result.outcome === "csrf") result = { outcome: "login" };
    }
    return result;
  }

  const sending = new Set();

  function flush(name, form) {
    // One queued submission at a time, across this browser's tabs (the server also sends
    // back the case already saved for a token it has seen).
    if (sending.has(name)) return Promise.resolve();
    if (navigator.locks) return navigator.locks.request(name, () => flushNow(name, form));
    return flushNow(name, form);
  }

  async function flushNow(name, form) {
    if (sending.has(name)) return;
    const record = load(name);
    if (!record || !record.queued) return;
    const k = await keys();
    if (!k) { if (form) notice(form, "warning", navigator.onLine ? TEXTS.login : TEXTS.queued); return; }
    const content = await open(k, record);
    if (!content) { localStorage.removeItem(name); return; }
    sending.add(name);
    try {
      if (form) { restore(form, content.fields); notice(form, "info", TEXTS.sending); }
      const result = await sendWithRetry(content, form ? "page" : "queue");
      if (result.outcome === "saved") {
        localStorage.removeItem(name);
        if (form) { window.location.assign(result.answer.url); return; }
        notice(null, "success", result.answer.message, [link(TEXTS.openCase, result.answer.url)]);
        say(result.answer.message);
      } else if (result.outcome === "refused") {
        content.error = result.error;
        await store(name, k, content, { queued: false });
        if (form) showErrors(form, result.error);
        else notice(null, "danger", TEXTS.refused, [link(TEXTS.openForm, content.url)]);
      } else {
        const text = result.outcome === "login" ? TEXTS.login : TEXTS.queued;
        if (form) notice(form, "warning", text);
        else notice(null, "warning", text, [link(TEXTS.openForm, content.url)]);
        say(text);
      }
    } finally { sending.delete(name); }
  }

  function flushAll() {
    const forms = currentForms();
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const name = localStorage.key(i);
      if (name && name.startsWith(PREFIX)) flush(name, forms.get(name) || null);
    }
  }

  // --- the forms on this page -----------------------------------------------------------

  function draftName(form) {
    const search = form.hasAttribute("data-queue") ? window.location.search : "";
    return PREFIX + form.dataset.draft + search;
  }

  function currentForms() {
    const forms = new Map();
    document.querySelectorAll("form[data-draft]").forEach((form) => forms.set(draftName(form), form));
    return forms;
  }

  function contentOf(form, previous) {
    const url = new URL(form.action, window.location.href);
    const version = form.elements.version ? form.elements.version.value : undefined;
    return {
      url: url.pathname + url.search,
      fields: collect(form),
      token: (previous && previous.token) || token(),
      version,
    };
  }

  function watch(form) {
    const name = draftName(form);
    let current = null; // the decrypted draft of this form, once known
    let timer = null;
    let warned = false;

    async function save() {
      const k = await keys();
      if (!k) {
        if (!warned && !navigator.onLine) { warned = true; notice(form, "warning", TEXTS.nokey); }
        return;
      }
      current = contentOf(form, current);
      const before = load(name);
      await store(name, k, current, { queued: !!(before && before.queued) });
    }
    const later = () => { if (!restoring) { clearTimeout(timer); timer = setTimeout(save, 300); } };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", async (event) => {
      if (!form.hasAttribute("data-queue")) {
        // A plain form: the browser sends it, the draft stays until the answer is a success.
        return;
      }
      event.preventDefault();
      clearTimeout(timer);
      const k = await keys();
      if (!k) {
        if (navigator.onLine) { HTMLFormElement.prototype.submit.call(form); return; }
        notice(form, "warning", TEXTS.nokey);
        return;
      }
      current = contentOf(form, current);
      await store(name, k, current, { queued: true });
      await flush(name, form);
    });

    (async () => {
      const record = load(name);
      if (!record) { keys(); return; }
      const k = await keys();
      if (!k) {
        notice(form, "warning", record.queued ? TEXTS.queued : TEXTS.locked);
        if (!record.queued) window.addEventListener("online", () => window.location.reload(), { once: true });
        return;  // a queued one is sent by the "online" listener below
      }
      const content = await open(k, record);
      if (!content) { localStorage.removeItem(name); return; }
      current = content;
      if (record.queued) { flush(name, form); return; }
      if (content.error) { restore(form, content.fields); showErrors(form, content.error); return; }
      const time = new Date(record.saved_at).toLocaleString();
      const box = notice(form, "info", (TEXTS.offer || "").replace("{time}", time), [
        button(TEXTS.restore, () => { restore(form, content.fields); box.remove(); say(TEXTS.restored); }, "btn-primary"),
        button(TEXTS.discard, () => { localStorage.removeItem(name); current = null; box.remove(); }),
      ]);
    })();
  }

  // A plain form (an action on a case page) that succeeded: the page after it carries a
  // success message; its draft is no longer needed.
  function forgetSent() {
    const sent = sessionStorage.getItem("caseflow.sent");
    if (sent && document.querySelector(".alert-success")) localStorage.removeItem(sent);
    sessionStorage.removeItem("caseflow.sent");
    document.querySelectorAll("form[data-draft]:not([data-queue])").forEach((form) => {
      form.addEventListener("submit", () => sessionStorage.setItem("caseflow.sent", draftName(form)));
    });
  }

  function logout() {
    const form = document.getElementById("logout-form");
    if (!form) return;
    form.addEventListener("submit", (event) => {
      let queued = false;
      for (let i = 0; i < localStorage.length; i += 1) {
        const name = localStorage.key(i);
        const record = name && name.startsWith(PREFIX) ? load(name) : null;
        if (record && record.queued) queued = true;
      }
      if (queued && !window.confirm(TEXTS.logout)) { event.preventDefault(); return; }
      for (let i = localStorage.length - 1; i >= 0; i -= 1) {
        const name = localStorage.key(i);
        if (name && name.startsWith(ALL)) localStorage.removeItem(name);
      }
      if (window.caches) caches.delete("caseflow-shells");
    });
  }

  purgeOld();
  forgetSent();
  logout();
  document.querySelectorAll("form[data-draft]").forEach(watch);
  // Submissions kept from an earlier visit: sent now, and whenever the network is back.
  const onForms = new Set(currentForms().keys());
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const name = localStorage.key(i);
    if (name && name.startsWith(PREFIX) && !onForms.has(name)) flush(name, null);
  }
  window.addEventListener("online", flushAll);

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(() => {});
  }
}());
