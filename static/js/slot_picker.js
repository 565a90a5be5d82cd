/* The slot picker after an htmx date switch: focus moves to the new day's list of free times (so
   a keyboard user goes on from there, not from the top of the page) and the polite status region
   says how many times that day has. Without JavaScript the page is drawn again with the list
   autofocused instead. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id !== "picker-day") { return; }
    var list = document.getElementById("slot-list");
    var status = document.getElementById("picker-status");
    if (!list) { return; }
    if (status) { status.textContent = list.dataset.announce || ""; }
    list.focus();
  });
})();
