// The browser's date picker shows Christian-era years (15/06/2020); Thai government work counts
// in Buddhist-era years. Under every date input, show the chosen date as the rest of the product
// writes it: "15 มิถุนายน 2563" in Thai, "15 June B.E. 2563" in English. The value sent is unchanged.
(function () {
  "use strict";

  var english = document.documentElement.lang === "en";
  var months = new Intl.DateTimeFormat(english ? "en-GB" : "th-TH", { month: "long", timeZone: "UTC" });

  function buddhistEra(value) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!parts) {
      return "";
    }
    var year = Number(parts[1]);
    var day = Number(parts[3]);
    var month = months.format(new Date(Date.UTC(year, Number(parts[2]) - 1, day)));
    return english ? day + " " + month + " B.E. " + (year + 543) : day + " " + month + " " + (year + 543);
  }

  document.querySelectorAll('input[type="date"]').forEach(function (input) {
    var echo = document.createElement("div");
    echo.className = "form-text be-date";
    echo.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", echo);
    var show = function () {
      echo.textContent = buddhistEra(input.value);
    };
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  });
})();
