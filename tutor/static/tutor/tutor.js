/* The tutor panel: send the question with fetch() and read the answer as it streams.
 *
 * The answer arrives as Server-Sent Events on the POST response (EventSource can only GET), read
 * with a ReadableStream reader: "meta" (message ids), "token" (text to append), "sources",
 * "done" (the final answer as server-sanitised HTML) and "error" (a message for the learner).
 * Streamed tokens are shown as plain text (textContent); only the server's sanitised HTML is ever
 * inserted as markup. When the answer is done its item is reloaded from the server so the feedback
 * buttons and sources come from the same template as on a fresh page load.
 *
 * The question moves into the log as soon as it is sent, with a "Thinking…" status in the reply
 * until the first words arrive (retrieval and the model can take seconds); a refused question goes
 * back into the box. The log keeps its newest message in view unless the learner has scrolled up
 * to read an older one. The textarea's maxlength is the server's limit (TUTOR_MAX_QUESTION_CHARS,
 * rendered by the template); browsers cut a longer paste silently, so the panel says when it did.
 * On phones the panel sits below the whole lesson: a fixed "Ask the tutor" button jumps to it and
 * hides while the question box is on screen, where it would cover the form.
 *
 * Texts come from Django's JavaScript catalog (tutor:jsi18n, loaded just before this file), so they
 * are in the page's language; without it they stay English.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
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
    this.cut = root.querySelector("[data-tutor-cut]");
    this.following = true; // the log shows its newest message until the learner scrolls up
    this.form.addEventListener("submit", this.submit.bind(this));
    this.textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    }.bind(this));
    this.textarea.addEventListener("paste", function (event) {
      var box = this.textarea;
      this.noteCut(event.clipboardData, box.value.length - (box.selectionEnd - box.selectionStart));
    }.bind(this));
    this.log.addEventListener("scroll", function () {
      this.following = this.atBottom();
    }.bind(this));
    this.watchJump(root.querySelector("[data-tutor-jump]"));
    this.scrollToNewest();
  }

  Panel.prototype.atBottom = function () {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight <= 8;
  };

  Panel.prototype.scrollToNewest = function () {
    this.log.scrollTop = this.log.scrollHeight;
    this.following = true;
  };

  Panel.prototype.keepNewestInView = function () {
    if (this.following) this.scrollToNewest();
  };

  Panel.prototype.noteCut = function (clipboard, kept) {
    // After the paste has landed: a value shorter than the text kept plus the pasted text means
    // maxlength cut it (measured rather than predicted, so line breaks count however the browser counts them).
    var text = clipboard ? clipboard.getData("text/plain").replace(/\r\n?/g, "\n") : "";
    if (!text) return;
    var box = this.textarea;
    var cut = this.cut;
    window.setTimeout(function () {
      if (box.value.length >= kept + text.length) return;
      var limit = box.maxLength;
      cut.textContent = interpolate(ngettext(
        "The pasted text was too long, so your question was cut to %(limit)s character. Check how it ends before you ask.",
        "The pasted text was too long, so your question was cut to %(limit)s characters. Check how it ends before you ask.",
        limit
      ), { limit: limit }, true);
    }, 0);
  };

  Panel.prototype.watchJump = function (jump) {
    if (!jump) return;
    jump.addEventListener("click", function (event) {
      event.preventDefault();
      this.form.scrollIntoView({ block: "end" }); // the newest messages stay in view above the box
      this.textarea.focus({ preventScroll: true });
    }.bind(this));
    if (!("IntersectionObserver" in window)) return;
    new IntersectionObserver(function (entries) {
      jump.classList.toggle("tutor-jump--hidden", entries[entries.length - 1].isIntersecting);
    }).observe(this.form);
  };

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
    if (empty) {
      this.empty = empty; // put back if the only question is refused
      empty.remove();
    }
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
    var thinking = element("p", "tutor-message__thinking", gettext("Thinking…"));
    thinking.setAttribute("role", "status");
    reply.appendChild(thinking);
    var body = element("div", "tutor-message__body tutor-message__body--streaming");
    body.setAttribute("data-tutor-answer", "");
    // Busy until the answer is complete, so screen readers read it once rather than word by word.
    body.setAttribute("aria-busy", "true");
    reply.appendChild(body);
    list.appendChild(asked);
    list.appendChild(reply);
    this.scrollToNewest();
    return { asked: asked, reply: reply, body: body, thinking: thinking };
  };

  Panel.prototype.takeBack = function (exchange, question) {
    // Refused or never sent: nothing was saved, so the question returns to the box for another try.
    var list = exchange.asked.parentNode;
    exchange.asked.remove();
    exchange.reply.remove();
    if (list && !list.children.length && this.empty) list.appendChild(this.empty);
    if (!this.textarea.value) this.textarea.value = question;
  };

  Panel.prototype.stopThinking = function (exchange) {
    if (exchange.thinking) exchange.thinking.remove();
    exchange.thinking = null;
  };

  Panel.prototype.lost = function (exchange) {
    var message = gettext("The connection to the tutor was lost. Your question is saved; please ask again.");
    this.stopThinking(exchange);
    exchange.reply.appendChild(element("p", "tutor-message__status", message));
    this.showError(message);
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
    }).catch(function () {
      // The streamed answer is on screen already; only its feedback buttons are missing until a reload.
    });
  };

  Panel.prototype.handle = function (event, exchange, state) {
    if (event.name === "meta") {
      state.replyId = event.data.reply;
    } else if (event.name === "token") {
      this.stopThinking(exchange);
      exchange.body.appendChild(document.createTextNode(event.data.text));
    } else if (event.name === "sources") {
      state.sources = event.data.sources;
    } else if (event.name === "done") {
      this.stopThinking(exchange);
      exchange.body.classList.remove("tutor-message__body--streaming");
      exchange.body.innerHTML = event.data.html; // sanitised on the server
      this.showSources(exchange.reply, state.sources || []);
      state.done = true;
    } else if (event.name === "error") {
      this.stopThinking(exchange);
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
        panel.keepNewestInView();
        return pump();
      });
    }
    return pump();
  };

  Panel.prototype.submit = function (event) {
    event.preventDefault();
    if (this.button.disabled) return; // Ctrl+Enter submits even while the button is disabled
    var question = this.textarea.value.trim();
    if (!question) {
      this.showError(gettext("Type a question for the tutor first."));
      this.textarea.focus();
      return;
    }
    var panel = this;
    var accepted = false; // once the stream has begun the question is saved on the server
    this.clearError();
    this.cut.textContent = "";
    this.button.disabled = true;
    var exchange = this.addExchange(question);
    this.textarea.value = "";
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
          panel.takeBack(exchange, question);
          return response.json().then(
            function (body) { panel.showError(body.error || gettext("The tutor could not take your question.")); },
            function () {
              panel.showError(interpolate(
                gettext("The tutor could not take your question (error %(status)s)."), { status: response.status }, true
              ));
            }
          );
        }
        accepted = true;
        return panel.readStream(response, exchange).then(function (state) {
          if (!state.done && !state.failed) panel.lost(exchange);
          if (state.done) return panel.refresh(exchange, state.replyId);
        });
      })
      .catch(function () {
        if (accepted) {
          panel.lost(exchange);
          return;
        }
        panel.takeBack(exchange, question);
        panel.showError(gettext("The tutor could not be reached. Check your connection and try again."));
      })
      .then(function () {
        panel.stopThinking(exchange);
        exchange.body.removeAttribute("aria-busy");
        panel.button.disabled = false;
        panel.keepNewestInView();
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
