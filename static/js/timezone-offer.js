// The zone picker, enhanced: "More time zones…" opens the full picker as soon as it is
// chosen, and the browser's own time zone is offered (never switched to by itself).
(function () {
  "use strict";
  var select = document.getElementById("tz-select");
  if (!select) { return; }
  var moreUrl = select.getAttribute("data-more-url");
  var moreOption = select.querySelector("option[value='more']");
  if (moreUrl && moreOption) {
    select.addEventListener("change", function () {
      if (select.value === moreOption.value) { window.location.assign(moreUrl); }
    });
    // Coming back with the Back button, the browser may restore "More time zones…":
    // show the zone the page is really in.
    window.addEventListener("pageshow", function () {
      if (select.value === moreOption.value) {
        select.value = select.getAttribute("data-current-zone") || "";
      }
    });
  }
  var offer = document.querySelector(".zone-offer");
  if (!offer || !window.Intl) { return; }
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
  // "Etc/Unknown" and the like are no place to offer; the server checks the rest.
  if (!zone || /^Etc\//.test(zone) || zone === select.getAttribute("data-current-zone")) { return; }
  var dismissedKey = "zone-offer-dismissed";
  try { if (window.localStorage.getItem(dismissedKey) === zone) { return; } } catch (e) { /* private mode */ }
  var events = select.querySelector("optgroup");
  var isEventZone = events && Array.prototype.some.call(events.children, function (o) { return o.value === zone; });
  if (isEventZone) { return; }
  // The picker lists only a few zones (each labelled with its city in the page's
  // language, from CLDR); any other is named after its IANA city: Europe/Berlin is Berlin.
  var option = Array.prototype.filter.call(select.options, function (o) { return o.value === zone; })[0];
  var label = option ? option.textContent : zone.split("/").pop().replace(/_/g, " ");
  offer.querySelector(".zone-offer__text").textContent =
    offer.getAttribute("data-offer-template").replace("{zone}", label);
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
