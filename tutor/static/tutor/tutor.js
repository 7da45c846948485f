/* The tutor panel: send the question with fetch() and read the answer as it streams.
 *
 * The answer arrives as Server-Sent Events on the POST response (EventSource can only GET), read
 * with a ReadableStream reader: "meta" (message ids), "token" (text to append), "sources",
 * "done" (the final answer as server-sanitised HTML) and "error" (a message for the learner).
 * Streamed tokens are shown as plain text (textContent); only the server's sanitised HTML is ever
 * inserted as markup. When the answer is done its item is reloaded from the server so the feedback
 * buttons and sources come from the same template as on a fresh page load.
 *
 * Texts come from Django's JavaScript catalog (tutor:jsi18n, loaded just before this file), so they
 * are in the page's language; without it they stay English.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values, named) {
    return named
      ? format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); })
      : format.replace(/%s/g, function () { return String(values.shift()); });
  };

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function safeHref(url) {
    // Only site-relative links and http(s): a source URL never becomes javascript: or data:.
    return /^(\/(?!\/)|https?:\/\/)/i.test(url) ? url : "#";
  }

  function parseEvent(block) {
    var name = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
    });
    if (!data.length) return null;
    try {
      return { name: name, data: JSON.parse(data.join("\n")) };
    } catch (error) {
      return null;
    }
  }

  function Panel(root) {
    this.root = root;
    this.form = root.querySelector("[data-tutor-form]");
    this.textarea = this.form.querySelector("textarea");
    this.button = this.form.querySelector("[data-tutor-submit]");
    this.log = root.querySelector("[data-tutor-log]");
    this.error = root.querySelector("[data-tutor-error]");
    this.form.addEventListener("submit", this.submit.bind(this));
    this.textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    }.bind(this));
  }

  Panel.prototype.showError = function (message) {
    this.error.textContent = message;
    this.error.hidden = false;
  };

  Panel.prototype.clearError = function () {
    this.error.textContent = "";
    this.error.hidden = true;
  };

  Panel.prototype.list = function () {
    var list = this.log.querySelector("[data-tutor-messages]");
    var empty = list.querySelector("[data-tutor-empty]");
    if (empty) empty.remove();
    return list;
  };

  Panel.prototype.addExchange = function (question) {
    var list = this.list();
    var asked = element("li", "tutor-message tutor-message--learner");
    asked.appendChild(element("p", "tutor-message__who", gettext("You asked")));
    var askedBody = element("div", "tutor-message__body");
    askedBody.appendChild(element("p", "", question));
    asked.appendChild(askedBody);
    var reply = element("li", "tutor-message tutor-message--tutor");
    reply.appendChild(element("p", "tutor-message__who", gettext("Tutor")));
    var body = element("div", "tutor-message__body tutor-message__body--streaming");
    body.setAttribute("data-tutor-answer", "");
    reply.appendChild(body);
    list.appendChild(asked);
    list.appendChild(reply);
    return { reply: reply, body: body };
  };

  Panel.prototype.showSources = function (reply, sources) {
    if (!sources.length) return;
    var list = element("ol", "tutor-sources");
    list.setAttribute("aria-label", gettext("Sources"));
    sources.forEach(function (source) {
      var item = element("li");
      item.value = source.number;
      var link = element("a", "", source.section ? source.title + " › " + source.section : source.title);
      link.href = safeHref(source.url);
      item.appendChild(link);
      list.appendChild(item);
    });
    reply.appendChild(list);
  };

  Panel.prototype.refresh = function (exchange, replyId) {
    // Swap the streamed reply for its server-rendered version (sources, feedback buttons), only
    // that item, so screen readers hear the change once rather than the whole conversation again.
    return fetch(this.root.getAttribute("data-conversation-url"), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(function (response) {
      if (!response.ok) return;
      return response.text().then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html; // server-rendered; answers sanitised by nh3
        var rendered = template.content.getElementById("tutor-message-" + replyId);
        if (!rendered) return;
        exchange.reply.replaceWith(rendered);
        if (window.htmx) window.htmx.process(rendered);
      });
    });
  };

  Panel.prototype.handle = function (event, exchange, state) {
    if (event.name === "meta") {
      state.replyId = event.data.reply;
    } else if (event.name === "token") {
      exchange.body.appendChild(document.createTextNode(event.data.text));
    } else if (event.name === "sources") {
      state.sources = event.data.sources;
    } else if (event.name === "done") {
      exchange.body.classList.remove("tutor-message__body--streaming");
      exchange.body.innerHTML = event.data.html; // sanitised on the server
      this.showSources(exchange.reply, state.sources || []);
      state.done = true;
    } else if (event.name === "error") {
      exchange.reply.appendChild(element("p", "tutor-message__status", event.data.message));
      this.showError(event.data.message);
      state.failed = true;
    }
  };

  Panel.prototype.readStream = function (response, exchange) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var state = {};
    var panel = this;
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return state;
        buffer += decoder.decode(chunk.value, { stream: true });
        var blocks = buffer.split("\n\n");
        buffer = blocks.pop();
        blocks.forEach(function (block) {
          var event = parseEvent(block);
          if (event) panel.handle(event, exchange, state);
        });
        return pump();
      });
    }
    return pump();
  };

  Panel.prototype.submit = function (event) {
    event.preventDefault();
    var question = this.textarea.value.trim();
    if (!question) {
      this.showError(gettext("Type a question for the tutor first."));
      this.textarea.focus();
      return;
    }
    var panel = this;
    this.clearError();
    this.button.disabled = true;
    this.log.setAttribute("aria-busy", "true");
    fetch(this.form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "text/event-stream",
        "X-CSRFToken": csrfToken(this.form),
      },
      body: JSON.stringify({ question: question }),
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("text/event-stream") !== 0) {
          return response.json().then(
            function (body) { panel.showError(body.error || gettext("The tutor could not take your question.")); },
            function () {
              panel.showError(interpolate(
                gettext("The tutor could not take your question (error %(status)s)."), { status: response.status }, true
              ));
            }
          );
        }
        var exchange = panel.addExchange(question);
        panel.textarea.value = "";
        return panel.readStream(response, exchange).then(function (state) {
          if (!state.done && !state.failed) {
            panel.showError(gettext("The connection to the tutor was lost. Your question is saved; please ask again."));
          }
          if (state.done) return panel.refresh(exchange, state.replyId);
        });
      })
      .catch(function () {
        panel.showError(gettext("The tutor could not be reached. Check your connection and try again."));
      })
      .then(function () {
        panel.button.disabled = false;
        panel.log.removeAttribute("aria-busy");
      });
  };

  function start() {
    document.querySelectorAll("[data-tutor-panel]").forEach(function (root) {
      if (root.querySelector("[data-tutor-form]")) new Panel(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
