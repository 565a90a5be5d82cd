/* "Copy" buttons next to read-only fields (the calendar feed's address). Without JavaScript the
   buttons stay hidden and the field's text is selected and copied by hand. */
(function () {
  "use strict";
  var status = document.getElementById("feed-copy-status");
  function say(text) { if (status) { status.textContent = text; } }
  function copyByHand(field) {
    field.focus();
    field.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    say(done ? "Copied." : "Selected: press Ctrl+C (⌘C on a Mac) to copy.");
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) { copyByHand(field); return; }
      navigator.clipboard.writeText(field.value).then(
        function () { say("Copied. Paste it into your calendar app."); },
        function () { copyByHand(field); }
      );
    });
  });
})();
