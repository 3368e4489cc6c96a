// The dialer's status board, live while it is open (templates/dialer/board.html):
// - htmx ticks every second; the board asks only when its pace is due (data-poll-seconds: 3 while
//   the campaign is dialled, 10 otherwise, as the server says), never while a row is being
//   edited or the tab is hidden;
// - each ask carries the board's ETag: "nothing changed" is a 304 without a body, which is not
//   swapped (the time CCAI last confirmed the board still moves on, from a header);
// - a board that did change is morphed (idiomorph): only what changed is touched, focus stays.
(function () {
  var lastAsked = 0;

  function isBoardPoll(e) {
    return e.detail.elt && e.detail.elt.id === "board";
  }

  document.addEventListener("htmx:beforeRequest", function (e) {
    if (!isBoardPoll(e)) return;
    var board = e.detail.elt;
    var pace = Number(board.dataset.pollSeconds || 3) * 1000;
    var now = Date.now();
    if (document.hidden || board.querySelector("tr.editing") || now - lastAsked < pace - 200) {
      e.preventDefault();
      return;
    }
    lastAsked = now;
  });

  document.addEventListener("htmx:configRequest", function (e) {
    if (isBoardPoll(e) && e.detail.elt.dataset.etag) {
      e.detail.headers["If-None-Match"] = e.detail.elt.dataset.etag;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!isBoardPoll(e) || e.detail.xhr.status !== 304) return;
    e.detail.shouldSwap = false;
    var asOf = e.detail.xhr.getResponseHeader("X-Board-As-Of");
    var shown = document.getElementById("board-as-of");
    if (asOf && shown) shown.textContent = asOf;
  });
})();
