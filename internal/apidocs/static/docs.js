// Renders the API reference from the gateway's own OpenAPI document. It is
// a file of its own, not an inline script, so the page's
// Content-Security-Policy can forbid inline scripts altogether.
(function () {
  'use strict';
  var root = document.getElementById('redoc');
  Redoc.init('/openapi.json', {
    // The document is ours, but its descriptions are Markdown rendered as
    // HTML: sanitizing costs nothing and keeps any slip from running.
    sanitize: true,
    // The document has one server, the local gateway; on AWS the page is
    // served by the API itself, so the path is what a reader needs.
    hideHostname: true,
    expandResponses: '200,201,202',
    requiredPropsFirst: true,
    jsonSampleExpandLevel: 3,
  }, root, function (err) {
    // The browser test waits for this mark instead of guessing how long
    // rendering takes.
    document.body.setAttribute('data-docs', err ? 'error' : 'ready');
    if (err) {
      console.error('API reference: cannot render /openapi.json', err);
    }
  });
})();
