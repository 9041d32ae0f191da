// A PDF takes the server seconds to print (app/page_pdf.py). Its link says so while the PDF is
// made, then saves the file, or says why it could not be made (a busy server, say).
(function () {
  function statusBeside(link) {
    var found = link.parentNode.querySelector(".pdf-status");
    if (found) { return found; }
    var status = document.createElement("span");
    status.className = "pdf-status";
    status.setAttribute("role", "status");
    link.insertAdjacentElement("afterend", status);
    return status;
  }
  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.pdf-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    if (link.dataset.busy) { return; }
    var status = statusBeside(link);
    link.dataset.busy = "1";
    link.setAttribute("aria-disabled", "true");
    status.textContent = "Preparing the PDF: this takes a few seconds\u2026";
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text || response.statusText); });
        }
        var disposition = response.headers.get("Content-Disposition") || "";
        var name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || "download.pdf";
        return response.blob().then(function (blob) {
          save(blob, name);
          status.textContent = "The PDF is downloaded.";
        });
      })
      .catch(function (error) { status.textContent = "The PDF could not be made: " + error.message; })
      .finally(function () { delete link.dataset.busy; link.removeAttribute("aria-disabled"); });
  });
})();
