// Conditional reveal for questions that depend on an earlier answer (the contextual questions).
// The markup is the NHS.UK conditional radios and checkboxes; this script shows the nested
// questions of the chosen answers and hides the others. Unlike the design system's own module it
// does not put aria-expanded on the inputs: that attribute is not allowed on radios and
// checkboxes. Without JavaScript nothing is hidden and every question shows.
(function () {
  "use strict";

  var HIDDEN = {
    radio: "nhsuk-radios__conditional--hidden",
    checkbox: "nhsuk-checkboxes__conditional--hidden",
  };

  function sync(root) {
    var inputs = root.querySelectorAll("input[data-aria-controls]");
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      // Only this group's own inputs: nested groups are synced on their own.
      if (input.closest("[data-app-reveal]") !== root) {
        continue;
      }
      var target = document.getElementById(input.getAttribute("data-aria-controls"));
      if (!target) {
        continue;
      }
      input.setAttribute("aria-controls", target.id);
      target.classList.toggle(HIDDEN[input.type] || HIDDEN.radio, !input.checked);
    }
  }

  document.addEventListener("change", function (event) {
    var root = event.target && event.target.closest && event.target.closest("[data-app-reveal]");
    if (root) {
      sync(root);
    }
  });

  var roots = document.querySelectorAll("[data-app-reveal]");
  for (var i = 0; i < roots.length; i += 1) {
    sync(roots[i]);
  }
})();
