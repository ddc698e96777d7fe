// Google Analytics 4 settings. privacy/_measurement.html adds this file (and gtag.js) only for people who
// accepted audience measurement; the measurement id comes from the script tag's data-measurement-id.
(function () {
  const measurementId = document.currentScript && document.currentScript.dataset.measurementId;
  if (!measurementId) {
    return;
  }
  window.dataLayer = window.dataLayer || [];
  // gtag.js reads the arguments objects themselves from the data layer, not arrays.
  function gtag() {
    window.dataLayer.push(arguments);
  }
  // Consent was given for audience measurement only: nothing for advertising.
  gtag("consent", "default", {
    analytics_storage: "granted",
    ad_storage: "denied",
    ad_user_data: "denied",
    ad_personalization: "denied",
  });
  gtag("js", new Date());
  gtag("config", measurementId, {
    // The CNIL caps audience measurement cookies at 13 months (GA's default is 2 years).
    cookie_expires: 13 * 30 * 24 * 3600,
    allow_google_signals: false,
    allow_ad_personalization_signals: false,
  });
})();
