/* The menus are <details> elements and open without JavaScript (templates/includes/nav.html).
   With it, they also close like menus do: on a click elsewhere, and on Escape (focus goes back
   to the menu's button). */
(function () {
  "use strict";
  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.hms-menu[open]"));
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menus = openMenus();
    var inner = menus.filter(function (menu) { return menu.contains(document.activeElement); }).pop();
    var menu = inner || menus.pop();
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
