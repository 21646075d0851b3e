// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Sign-up: a search box that narrows the long list of municipalities, and a unit list
  // that follows the chosen municipality.
  function enhanceMunicipalityPicker(select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "ds-input";
    search.id = select.id + "_search";
    search.setAttribute("aria-controls", select.id);
    search.autocomplete = "off";
    var label = document.createElement("label");
    label.className = "ds-label endra-search-label";
    label.htmlFor = search.id;
    label.textContent = select.getAttribute("data-search-label") || "Søk";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(search, select);
    var options = Array.prototype.slice.call(select.options);
    search.addEventListener("input", function () {
      var term = search.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (option) {
        var hit = !option.value || option.text.toLowerCase().indexOf(term) !== -1;
        option.hidden = !hit;
        if (hit && option.value && !first) { first = option; }
      });
      if (term && first) { select.value = first.value; select.dispatchEvent(new Event("change")); }
    });
  }

  function enhanceUnitPicker(municipality, unit) {
    var emptyText = unit.options.length ? unit.options[0].text : "";
    municipality.addEventListener("change", function () {
      unit.innerHTML = "";
      unit.add(new Option(emptyText, ""));
      if (!municipality.value) { return; }
      fetch(unit.getAttribute("data-units-url").replace("0000", municipality.value))
        .then(function (response) { return response.json(); })
        .then(function (data) {
          data.units.forEach(function (item) {
            var prefix = new Array(item.depth).join("– ");
            unit.add(new Option(prefix + item.name, item.id));
          });
        });
    });
  }

  // An assignment being made in the background: fetch its progress every few seconds into
  // the status region (busy while it runs, so screen readers announce only the outcome).
  function followProgress(region) {
    var url = region.getAttribute("data-progress-url");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
        .then(function (html) {
          region.innerHTML = html;
          var state = region.querySelector("[data-job-state]");
          var done = state ? state.getAttribute("data-job-state") : "";
          if (done === "done" || done === "failed") {
            region.removeAttribute("aria-busy");
            region.removeAttribute("data-progress-url");
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var progress = document.querySelector("[data-progress-url]");
    if (progress) { followProgress(progress); }
    var municipality = document.querySelector("select[data-municipality-picker]");
    var unit = document.querySelector("select[data-units-url]");
    if (municipality) { enhanceMunicipalityPicker(municipality); }
    if (municipality && unit) { enhanceUnitPicker(municipality, unit); }
  });
})();
