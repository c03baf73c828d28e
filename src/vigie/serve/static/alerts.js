// Saved searches page: create and remove searches through the JSON API with the bearer token typed in the form.
// Served from /static (the CSP allows no inline script). The token is sent only in the Authorization header and
// is never stored by this script.
(function () {
  "use strict";
  var form = document.getElementById("alert-form");
  if (!form) {
    return;
  }
  var status = document.getElementById("alert-status");
  var msg = form.dataset;

  function say(text) {
    status.textContent = text;
  }

  function token() {
    return form.elements.token.value.trim();
  }

  function call(method, url, body) {
    var init = {
      method: method,
      headers: { Authorization: "Bearer " + token(), Accept: "application/json" },
      credentials: "same-origin",
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var why = data && data.error && data.error.message ? data.error.message : "HTTP " + resp.status;
          throw new Error(why);
        }
        return data;
      });
    });
  }

  function failed(err) {
    say(msg.msgFailed + " " + err.message);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!token()) {
      say(msg.msgToken);
      return;
    }
    var body = { query: form.elements.query.value };
    var hook = form.elements.webhook.value.trim();
    if (hook) {
      body.webhook = hook;
    }
    call("POST", "/api/alerts", body).then(function () {
      say(msg.msgSaved);
      window.location.reload();
    }, failed);
  });

  document.querySelectorAll("button.alert-remove").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!token()) {
        say(msg.msgToken);
        form.elements.token.focus();
        return;
      }
      var id = button.dataset.alert;
      call("DELETE", "/api/alerts/" + encodeURIComponent(id)).then(function () {
        var item = document.getElementById("alert-" + id);
        if (item) {
          item.remove();
        }
        say(msg.msgRemoved);
      }, failed);
    });
  });
})();
