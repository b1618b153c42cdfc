/* caseflow's service worker (served at /sw.js, scope /).
 * It keeps the static files (versioned names: a changed file is a new name) and the empty
 * creation forms, so that the report form opens without a network. Nothing else is kept:
 * no case page, no list, no answer of the API. The drafts themselves are in the page's
 * storage, encrypted (static/js/drafts.js). Logging out clears every cache. */
"use strict";

const STATIC = {{ static|tojson }};
const SHELLS = {{ shells|tojson }};
const VERSION = {{ (static|join("|"))|tojson }};
const STATIC_CACHE = "caseflow-static-" + hash(VERSION);
const SHELL_CACHE = "caseflow-shells";

function hash(text) {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16);
}

async function keepShell(cache, url, response) {
  // Only the empty form itself: a 200 answer, not a redirect (to the login page).
  if (response && response.ok && !response.redirected && response.type === "basic") {
    await cache.put(url, response.clone());
  }
  return response;
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    await cache.addAll(STATIC);
    const shells = await caches.open(SHELL_CACHE);
    await Promise.all(SHELLS.map(async (url) => {
      try {
        await keepShell(shells, url, await fetch(url, { credentials: "same-origin" }));
      } catch (error) { /* offline or not allowed: kept when next opened */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("caseflow-static-") && name !== STATIC_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith((async () => {
      const cached = await caches.match(request, { cacheName: STATIC_CACHE });
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok) (await caches.open(STATIC_CACHE)).put(request, response.clone());
      return response;
    })());
    return;
  }
  if (request.mode === "navigate" && !url.search && SHELLS.includes(url.pathname)) {
    // The network first (the form as the server has it now), the kept form offline.
    event.respondWith((async () => {
      const cache = await caches.open(SHELL_CACHE);
      try {
        return await keepShell(cache, url.pathname, await fetch(request));
      } catch (error) {
        const cached = await cache.match(url.pathname);
        if (cached) return cached;
        throw error;
      }
    })());
  }
});
