// Progressive enhancement for answer pages: htmx posts each change and the server's partial
// says "Saved" once the answer is stored. This only covers the gaps the server cannot: a save
// in flight ("Saving…") and a save that never reached the server or was refused.
(function () {
  "use strict";

  function statusOf(event) {
    var target = event.detail && event.detail.target;
    return target && target.classList && target.classList.contains("app-autosave") ? target : null;
  }

  function show(status, text, isError) {
    status.textContent = "";
    var span = document.createElement("span");
    span.textContent = text;
    if (isError) {
      span.className = "nhsuk-error-message app-autosave__error";
    }
    status.appendChild(span);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var status = statusOf(event);
    if (status && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
      show(status, "Saving…", false);
    }
  });

  function failed(event) {
    var status = statusOf(event);
    if (status) {
      show(
        status,
        "Not saved. Check your connection, then select a save button at the end of the page.",
        true
      );
    }
  }

  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
})();
