// Starts the Scottish Government Design System's scripts: the mobile menu, side navigation, responsive tables and
// the rest (they look for their data-module markers). Pages work without it.
import DS from "/vendor/sgds/scripts/design-system.js";

document.documentElement.classList.add("js-enabled");
DS.initAll();
