// Loaded synchronously at the top of <body> so styles for JavaScript-enhanced components apply
// before first paint. Kept in a file because the Content Security Policy forbids inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
