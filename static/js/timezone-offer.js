// Offers the browser's own time zone on pages with times; never switches by itself.
(function () {
  "use strict";
  var offer = document.querySelector(".zone-offer");
  var select = document.getElementById("tz-select");
  if (!offer || !select || !window.Intl) { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  // Browsers report some zones by their old ICU names (Vietnam's as
  // Asia/Saigon): use the IANA name the picker lists.
  var aliases = {
    "Africa/Asmera": "Africa/Asmara", "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Catamarca": "America/Argentina/Catamarca", "America/Coral_Harbour": "America/Atikokan",
    "America/Cordoba": "America/Argentina/Cordoba", "America/Godthab": "America/Nuuk",
    "America/Indianapolis": "America/Indiana/Indianapolis", "America/Jujuy": "America/Argentina/Jujuy",
    "America/Louisville": "America/Kentucky/Louisville", "America/Mendoza": "America/Argentina/Mendoza",
    "Asia/Calcutta": "Asia/Kolkata", "Asia/Katmandu": "Asia/Kathmandu", "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh", "Atlantic/Faeroe": "Atlantic/Faroe", "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton", "Pacific/Ponape": "Pacific/Pohnpei", "Pacific/Truk": "Pacific/Chuuk"
  };
  if (zone && Object.prototype.hasOwnProperty.call(aliases, zone)) { zone = aliases[zone]; }
  if (!zone || zone === select.getAttribute("data-current-zone")) { return; }
  // The option's label is the zone's city in the page's language (CLDR).
  var option = Array.prototype.filter.call(select.options, function (o) { return o.value === zone; })[0];
  var known = Boolean(option);
  var dismissedKey = "zone-offer-dismissed";
  try { if (window.localStorage.getItem(dismissedKey) === zone) { return; } } catch (e) { /* private mode */ }
  if (!known) { return; }
  var events = select.querySelectorAll("optgroup")[0];
  var isEventZone = events && Array.prototype.some.call(events.children, function (o) { return o.value === zone; });
  if (isEventZone) { return; }
  offer.querySelector(".zone-offer__text").textContent =
    offer.getAttribute("data-offer-template").replace("{zone}", option.textContent);
  var accept = offer.querySelector(".zone-offer__accept");
  var params = new URLSearchParams(window.location.search);
  params.set("tz", zone);
  accept.setAttribute("href", "?" + params.toString() + window.location.hash);
  offer.querySelector(".zone-offer__dismiss").addEventListener("click", function () {
    try { window.localStorage.setItem(dismissedKey, zone); } catch (e) { /* private mode */ }
    offer.hidden = true;
  });
  offer.hidden = false;
}());
