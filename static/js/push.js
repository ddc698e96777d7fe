// Web push and the installable app: registers the service worker (/sw.js) on every page, and drives the
// subscribe / unsubscribe buttons of notifications/_push_controls.html where that block is on the page.
// Every text comes from the block's data-text-* attributes, translated by the server.

const WORKER_URL = "/sw.js";

const supported = () =>
  window.isSecureContext &&
  "serviceWorker" in navigator &&
  "PushManager" in window &&
  "Notification" in window;

function registerWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    return Promise.resolve(null);
  }
  return navigator.serviceWorker.register(WORKER_URL, { scope: "/" }).catch((error) => {
    console.warn("Coworklib: service worker registration failed", error);
    return null;
  });
}

function base64UrlToBytes(text) {
  const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

function sameBytes(buffer, bytes) {
  if (!buffer) {
    return false;
  }
  const view = new Uint8Array(buffer);
  return view.length === bytes.length && view.every((value, index) => value === bytes[index]);
}

function csrfToken(controls) {
  if (controls.dataset.csrfToken) {
    return controls.dataset.csrfToken;
  }
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) {
    return field.value;
  }
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

function setUp(controls, registered) {
  const subscribeButton = controls.querySelector("[data-push-subscribe]");
  const unsubscribeButton = controls.querySelector("[data-push-unsubscribe]");
  const state = controls.querySelector("[data-push-state]");
  const text = controls.dataset;

  function show(message, { subscribed = null, busy = false } = {}) {
    state.textContent = message;
    for (const button of [subscribeButton, unsubscribeButton]) {
      if (button) {
        button.disabled = busy;
        button.setAttribute("aria-busy", busy ? "true" : "false");
      }
    }
    if (subscribeButton) {
      subscribeButton.hidden = subscribed !== false;
    }
    if (unsubscribeButton) {
      unsubscribeButton.hidden = subscribed !== true;
    }
    controls.dataset.pushStatus = subscribed === true ? "on" : subscribed === false ? "off" : "unavailable";
  }

  async function call(method, body) {
    const response = await fetch(text.subscriptionsUrl, {
      method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(controls),
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = "";
      try {
        detail = (await response.json()).detail || "";
      } catch (error) {
        detail = "";
      }
      throw new Error(detail || `HTTP ${response.status}`);
    }
  }

  async function serverKey() {
    const response = await fetch(text.keyUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    return base64UrlToBytes((await response.json()).public_key);
  }

  async function registration() {
    if (!(await registered)) {
      throw new Error(text.textUnsupported);
    }
    // pushManager.subscribe() needs an active worker, which a fresh registration may not have yet.
    return navigator.serviceWorker.ready;
  }

  async function render() {
    if (Notification.permission === "denied") {
      show(text.textDenied);
      return;
    }
    const subscription = await (await registration()).pushManager.getSubscription();
    if (subscription && Notification.permission === "granted") {
      show(text.textOn, { subscribed: true });
      // The server may have dropped it (the push service said it was gone) or given it to someone who
      // used this browser before: telling it again is harmless (200) and keeps it with the current member.
      await call("POST", subscription.toJSON());
    } else {
      show(text.textOff, { subscribed: false });
    }
  }

  async function subscribe() {
    show(text.textWorking, { subscribed: false, busy: true });
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      show(permission === "denied" ? text.textDenied : text.textOff, { subscribed: permission === "denied" ? null : false });
      return;
    }
    const pushManager = (await registration()).pushManager;
    const key = await serverKey();
    let subscription = await pushManager.getSubscription();
    if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
      // Made with another server key: the push service would refuse our messages for it.
      await subscription.unsubscribe();
      subscription = null;
    }
    if (!subscription) {
      subscription = await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }
    await call("POST", subscription.toJSON());
    show(text.textOn, { subscribed: true });
  }

  async function unsubscribe() {
    show(text.textWorking, { subscribed: true, busy: true });
    const subscription = await (await registration()).pushManager.getSubscription();
    if (subscription) {
      await call("DELETE", { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    show(text.textOff, { subscribed: false });
  }

  function failed(error) {
    console.warn("Coworklib: web push", error);
    const subscribed = controls.dataset.pushStatus === "on";
    show(`${text.textError} ${error && error.message ? error.message : ""}`.trim(), { subscribed });
  }

  if (!supported()) {
    show(text.textUnsupported);
    return;
  }
  subscribeButton?.addEventListener("click", () => subscribe().catch(failed));
  unsubscribeButton?.addEventListener("click", () => unsubscribe().catch(failed));
  render().catch(failed);
}

const registered = registerWorker();
for (const controls of document.querySelectorAll("[data-push-controls]")) {
  setUp(controls, registered);
}
