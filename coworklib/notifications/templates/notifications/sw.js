{% load static %}/* Coworklib service worker: shows web push messages, opens their page on a tap, and answers
   navigations with a small offline page when the network is down. Nothing is cached. */
"use strict";

const ICON = "{% static 'icons/icon-192.png' %}";
const BADGE = "{% static 'icons/badge-96.png' %}";
const DEFAULT_TITLE = "{{ default_title|escapejs }}";
const OFFLINE_PAGE = "{{ offline_page|escapejs }}";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Navigations start while the worker boots instead of after it.
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await self.clients.claim();
  })());
});

// Only a page of this site may be opened from a message.
function sameOriginUrl(value) {
  try {
    const url = new URL(value || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
  } catch (error) {
    return new URL("/", self.location.origin).href;
  }
}

self.addEventListener("push", (event) => {
  let message = {};
  if (event.data) {
    try {
      message = event.data.json();
    } catch (error) {
      message = { body: event.data.text() };
    }
  }
  const options = {
    body: message.body || "",
    icon: ICON,
    badge: BADGE,
    lang: "{{ language|escapejs }}",
    data: { url: sameOriginUrl(message.url) },
  };
  if (message.tag) {
    options.tag = message.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(message.title || DEFAULT_TITLE, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameOriginUrl(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (client.url === target && "focus" in client) {
        return client.focus();
      }
    }
    for (const client of windows) {
      if ("navigate" in client && new URL(client.url).origin === self.location.origin) {
        try {
          const navigated = await client.navigate(target);
          if (navigated) {
            return navigated.focus();
          }
        } catch (error) {
          // A window this worker does not control cannot be navigated: a new one is opened below.
        }
      }
    }
    return self.clients.openWindow(target);
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode !== "navigate" || request.method !== "GET") {
    return;
  }
  event.respondWith((async () => {
    try {
      const preloaded = await event.preloadResponse;
      return preloaded || await fetch(request);
    } catch (error) {
      return new Response(OFFLINE_PAGE, {
        status: 503,
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
          "Cache-Control": "no-store",
        },
      });
    }
  })());
});
