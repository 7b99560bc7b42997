// Pre-registration: show the company fields only when "entreprise" is chosen (works without JS).
(function () {
  var form = document.getElementById("prereg-form");
  if (!form) return;
  var companyOnly = ["company_name", "siret", "job_title", "trainees_text"];
  function update() {
    var checked = form.querySelector('input[name="kind"]:checked');
    var company = !checked || checked.value === "company";
    companyOnly.forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input) input.closest(".field").hidden = !company;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") update();
  });
  update();
})();
